/**
 * The AWS SDK as traefikctl builds it (AwsClients), pointed at moto only through the environment
 * a user would set: AWS_ENDPOINT_URL, AWS_REGION and the credential variables. No explicit endpoint
 * anywhere: if this works, the CLI needs no test-only code path to reach the emulator.
 */
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClusterNotFoundException,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { explainAwsError } from '../../../src/lib/aws/errors.js';
import { UserError } from '../../../src/lib/errors.js';
import { describeWith, MOTO_ACCOUNT_ID, uniqueName } from '../../support/stack.js';

const opened: AwsClients[] = [];
function clientsFor(context?: ConstructorParameters<typeof AwsClients>[0]): AwsClients {
  const clients = new AwsClients(context);
  opened.push(clients);
  return clients;
}

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(opened.splice(0).map((clients) => clients.destroy()));
});

/** A loopback port that nothing listens on: bound by us a moment ago, then released. */
async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, and it succeeded');
}

describeWith(['moto'], 'the AWS SDK reaching moto through AWS_ENDPOINT_URL', (stack) => {
  it('runs every test against the stack, whatever the shell had set', () => {
    expect(process.env.AWS_ENDPOINT_URL).toBe(stack.motoUrl);
    expect(new URL(stack.motoUrl).hostname).toBe('127.0.0.1');
    expect(process.env.AWS_PROFILE).toBeUndefined();
  });

  it("answers GetCallerIdentity with moto's account, as `deployed-by` will record it", async () => {
    // given clients built the way every command builds them: no endpoint, no region, no credentials
    const sts = await clientsFor().sts();

    // when
    const identity = await sts.send(new GetCallerIdentityCommand({}));

    // then
    expect(identity.Account).toBe(MOTO_ACCOUNT_ID);
    expect(identity.Arn).toBe(`arn:aws:sts::${MOTO_ACCOUNT_ID}:user/moto`);
  });

  it('describes a cluster it created, with its tags, in the region AWS_REGION names', async () => {
    // given a cluster no other test knows about
    const ecs = await clientsFor().ecs();
    const name = uniqueName('moto-sdk');
    const created = await ecs.send(
      new CreateClusterCommand({ clusterName: name, tags: [{ key: 'traefikctl:env', value: 'test' }] }),
    );

    // when
    const described = await ecs.send(new DescribeClustersCommand({ clusters: [name], include: ['TAGS'] }));

    // then
    expect(described.failures).toEqual([]);
    expect(described.clusters).toHaveLength(1);
    const cluster = described.clusters?.[0];
    expect(cluster?.clusterArn).toBe(`arn:aws:ecs:us-east-1:${MOTO_ACCOUNT_ID}:cluster/${name}`);
    expect(cluster?.clusterArn).toBe(created.cluster?.clusterArn);
    expect(cluster?.status).toBe('ACTIVE');
    expect(cluster?.tags).toEqual([{ key: 'traefikctl:env', value: 'test' }]);
  });

  it('keeps each region apart: an explicit region (--region) wins over AWS_REGION', async () => {
    // given a cluster created through clients for eu-west-1
    const name = uniqueName('moto-sdk');
    const ireland = await clientsFor({ region: 'eu-west-1' }).ecs();
    await ireland.send(new CreateClusterCommand({ clusterName: name }));

    // when both regions are asked for it
    const fromIreland = await ireland.send(new DescribeClustersCommand({ clusters: [name] }));
    const fromDefault = await (
      await clientsFor().ecs()
    ).send(new DescribeClustersCommand({ clusters: [name] }));

    // then only eu-west-1 has it; us-east-1 reports it missing
    expect(fromIreland.clusters?.map((cluster) => cluster.clusterArn)).toEqual([
      `arn:aws:ecs:eu-west-1:${MOTO_ACCOUNT_ID}:cluster/${name}`,
    ]);
    expect(fromDefault.clusters).toEqual([]);
    expect(fromDefault.failures).toEqual([
      { arn: `arn:aws:ecs:us-east-1:${MOTO_ACCOUNT_ID}:cluster/${name}`, reason: 'MISSING' },
    ]);
  });

  it('reports a new service with desiredCount 1 as running and stable, as the deploy tests assume', async () => {
    // given a cluster and a task definition of our own
    const ecs = await clientsFor({ maxAttempts: 1 }).ecs();
    const cluster = uniqueName('moto-sdk');
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: cluster,
        containerDefinitions: [{ name: 'web', image: 'whoami:v1', memory: 128 }],
      }),
    );

    // when a service asks for one task
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'web',
        taskDefinition: taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
      }),
    );
    const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: ['web'] }));

    // then moto counts it running: the server was started with MOTO_ECS_SERVICE_RUNNING=1
    // (scripts/test-stack.sh); without it, every rollout test would wait for a task that never comes
    expect(services?.[0]).toMatchObject({ desiredCount: 1, runningCount: 1, pendingCount: 0 });
    expect(services?.[0]?.deployments).toMatchObject([{ status: 'PRIMARY', rolloutState: 'COMPLETED' }]);
  });

  it('turns a missing cluster into the typed SDK exception, which explainAwsError leaves to the caller', async () => {
    // given a cluster name that was never created
    const ecs = await clientsFor({ maxAttempts: 1 }).ecs();
    const name = uniqueName('never-created');

    // when
    const error = await rejectionOf(
      ecs.send(new DescribeServicesCommand({ cluster: name, services: ['web'] })),
    );

    // then it is ECS's own exception, not a credentials or network problem to explain away
    expect(error).toBeInstanceOf(ClusterNotFoundException);
    expect((error as ClusterNotFoundException).$metadata.httpStatusCode).toBe(400);
    expect(explainAwsError(error, `list the services of ${name}`, 'ecs:DescribeServices')).toBe(error);
  });
});

describe('explainAwsError on the failures the real SDK produces', () => {
  it('explains an endpoint that does not answer, naming AWS_ENDPOINT_URL', async () => {
    // given AWS_ENDPOINT_URL on a loopback port where nothing listens
    const endpoint = `http://127.0.0.1:${await closedLoopbackPort()}`;
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    const sts = await clientsFor({ maxAttempts: 1 }).sts();

    // when
    const error = await rejectionOf(sts.send(new GetCallerIdentityCommand({})));
    const explained = explainAwsError(error, 'read your AWS identity', 'sts:GetCallerIdentity');

    // then the user sees what failed and where to look
    expect(explained).toBeInstanceOf(UserError);
    expect((explained as UserError).code).toBe('AWS_UNREACHABLE');
    expect((explained as UserError).message).toBe(
      "Can't read your AWS identity: the AWS endpoint is unreachable (ECONNREFUSED).",
    );
    expect((explained as UserError).suggestions).toContain(
      `AWS_ENDPOINT_URL is set to ${endpoint}: is that endpoint running?`,
    );
  });

  it('explains a missing region before any request is sent', async () => {
    // given no region anywhere: not in the environment, not in a config file
    const home = await mkdtemp(join(tmpdir(), 'traefikctl-no-region-'));
    try {
      vi.stubEnv('AWS_REGION', undefined);
      vi.stubEnv('AWS_CONFIG_FILE', join(home, 'config'));
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(home, 'credentials'));
      const ecs = await clientsFor({ maxAttempts: 1 }).ecs();

      // when
      const error = await rejectionOf(ecs.send(new DescribeClustersCommand({ clusters: ['any'] })));
      const explained = explainAwsError(error, 'describe the cluster any');

      // then
      expect(explained).toBeInstanceOf(UserError);
      expect((explained as UserError).code).toBe('AWS_NO_REGION');
      expect((explained as UserError).message).toBe("Can't describe the cluster any: no AWS region is set.");
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('explains missing credentials without reaching for the instance metadata address', async () => {
    // given no credentials anywhere; AWS_EC2_METADATA_DISABLED (set for every test) keeps the chain
    // from asking 169.254.169.254
    const home = await mkdtemp(join(tmpdir(), 'traefikctl-no-credentials-'));
    try {
      expect(process.env.AWS_EC2_METADATA_DISABLED).toBe('true');
      vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
      vi.stubEnv('AWS_CONFIG_FILE', join(home, 'config'));
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(home, 'credentials'));
      const sts = await clientsFor({ maxAttempts: 1 }).sts();

      // when
      const error = await rejectionOf(sts.send(new GetCallerIdentityCommand({})));
      const explained = explainAwsError(error, 'read your AWS identity');

      // then
      expect(explained).toBeInstanceOf(UserError);
      expect((explained as UserError).code).toBe('AWS_NO_CREDENTIALS');
      expect((explained as UserError).message).toBe(
        "Can't read your AWS identity: no AWS credentials were found.",
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
