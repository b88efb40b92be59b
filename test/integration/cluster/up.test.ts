/**
 * `cluster up`, `status` and `down` against moto. moto creates stacks synchronously and records
 * stack-level events only (shared/notes/moto.md §3.1), so resource-level progress and failures are
 * covered by test/lib/cluster/stack-events.test.ts with recorded CloudFormation answers.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateServiceCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import bcrypt from 'bcryptjs';
import { afterAll, expect, it } from 'vitest';

import { AwsClients } from '../../../src/lib/aws/clients.js';
import { clusterDown, planClusterDown } from '../../../src/lib/cluster/down.js';
import { readClusterOutputs } from '../../../src/lib/cluster/outputs.js';
import { clusterStatus } from '../../../src/lib/cluster/status.js';
import { API_PASSWORD_COST } from '../../../src/lib/cluster/password.js';
import { clusterUp } from '../../../src/lib/cluster/up/index.js';
import type { ResolvedContext } from '../../../src/lib/config/resolve.js';
import { openEnvironment } from '../../../src/lib/env/open.js';
import { describeWith } from '../../support/stack.js';
import { startTraefikServer } from '../../support/traefik-server.js';
import { contextFor, recorder, uniqueEnv } from './support.js';
import { rejection } from '../../support/errors.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

async function storedPassword(env: string): Promise<{ value: string; version: number }> {
  const ssm = await clients.ssm();
  const answer = await ssm.send(
    new GetParameterCommand({ Name: `/traefikctl/${env}/traefik-api-password`, WithDecryption: true }),
  );
  return { value: answer.Parameter?.Value ?? '', version: answer.Parameter?.Version ?? 0 };
}

async function stackParameter(env: string, key: string): Promise<string | undefined> {
  const cloudformation = await clients.cloudformation();
  const answer = await cloudformation.send(new DescribeStacksCommand({ StackName: `traefikctl-${env}` }));
  return answer.Stacks?.[0]?.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

/** What `app deploy` does with the outputs: an awsvpc service in the cluster, tagged as managed. */
async function deployWith(env: string, name: string): Promise<void> {
  const outputs = await readClusterOutputs(clients, env);
  const ecs = await clients.ecs();
  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `${name}-${env}`,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      executionRoleArn: outputs.executionRoleArn,
      containerDefinitions: [
        {
          name,
          image: 'traefik/whoami',
          memory: 512,
          portMappings: [{ containerPort: 80, hostPort: 80 }],
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': outputs.logGroup } },
        },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: outputs.cluster,
      serviceName: name,
      taskDefinition: definition.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: outputs.subnets, securityGroups: [outputs.appSecurityGroup] },
      },
      tags: [
        { key: 'traefikctl:managed', value: 'true' },
        { key: 'traefikctl:env', value: env },
        { key: 'traefikctl:app', value: 'whoami' },
      ],
    }),
  );
}

/** `cluster status` as the command runs it: Traefik's access from the environment opener. */
async function statusOf(context: ResolvedContext) {
  const environment = await openEnvironment({ context });
  try {
    return await clusterStatus({
      clients: environment.clients,
      context,
      traefikAccess: () => environment.traefik(),
    });
  } finally {
    await environment.close();
  }
}

describeWith(['moto'], 'cluster up, status and down against moto', () => {
  it('creates the stack and the password, then finds nothing to change on a second run', async () => {
    // given a new environment
    const env = uniqueEnv();
    const first = recorder();

    // when
    const created = await clusterUp({
      clients,
      context: contextFor(env),
      onEvent: first.emit,
      pollIntervalMs: 10,
    });

    // then the stack exists with outputs app deploy can use
    expect(created.action).toBe('created');
    expect(created.passwordCreated).toBe(true);
    expect(created.outputs).toMatchObject({
      stackName: `traefikctl-${env}`,
      env,
      cluster: `traefikctl-${env}`,
      logGroup: `/traefikctl/${env}`,
      apiUrl: `http://traefik.${env}.example.com`,
      apiUsername: 'admin',
      passwordParameter: `/traefikctl/${env}/traefik-api-password`,
      urlPattern: `http://{app}-{tag}.${env}.example.com`,
      // the default VPC has public subnets and no NAT: tasks need public IPs to pull images
      assignPublicIp: 'ENABLED',
    });
    expect(created.outputs?.subnets.length).toBeGreaterThanOrEqual(2);
    expect(created.outputs?.appSecurityGroup).toMatch(/^sg-/);
    expect(created.outputs?.executionRoleArn).toMatch(/^arn:aws:iam::/);
    expect(await readClusterOutputs(clients, env)).toEqual(created.outputs);

    // and the password is a SecureString whose bcrypt hash is what the stack got
    const password = await storedPassword(env);
    expect(password.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const hash = await stackParameter(env, 'ApiPasswordHash');
    expect(bcrypt.compareSync(password.value, hash ?? '')).toBe(true);
    expect(bcrypt.getRounds(hash ?? '')).toBe(API_PASSWORD_COST);
    expect(first.events).toContainEqual({
      type: 'progress',
      phase: 'stack',
      item: `traefikctl-${env}`,
      status: expect.stringMatching(/^CREATE_COMPLETE/) as string,
    });

    // when up runs again with nothing changed
    const second = recorder();
    const again = await clusterUp({
      clients,
      context: contextFor(env),
      onEvent: second.emit,
      pollIntervalMs: 10,
    });

    // then nothing changes: same password version, same hash (no new salt), no stack operation
    expect(again.action).toBe('unchanged');
    expect(again.changedParameters).toEqual([]);
    expect(again.templateChanged).toBe(false);
    expect((await storedPassword(env)).version).toBe(password.version);
    expect(await stackParameter(env, 'ApiPasswordHash')).toBe(hash);
    expect(second.events).toContainEqual({
      type: 'phase',
      id: 'stack',
      title: 'Stack',
      status: 'skipped',
      detail: 'no changes',
    });

    // and neither run's progress carries the password or its hash
    for (const text of [first.text(), second.text(), JSON.stringify(created), JSON.stringify(again)]) {
      expect(text).not.toContain(password.value);
      expect(text).not.toContain(hash);
    }
  });

  it('updates only what changed, and re-hashes when the password in SSM is rotated', async () => {
    // given a cluster
    const env = uniqueEnv();
    await clusterUp({ clients, context: contextFor(env), pollIntervalMs: 10 });
    const hash = await stackParameter(env, 'ApiPasswordHash');

    // when the image changes in the configuration
    const imageChanged = await clusterUp({
      clients,
      context: contextFor(env, { traefik: { image: 'traefik:v3.7.9' } }),
      pollIntervalMs: 10,
    });

    // then only that parameter is updated, and the password hash is kept
    expect(imageChanged.action).toBe('updated');
    expect(imageChanged.changedParameters).toEqual(['TraefikImage']);
    expect(await stackParameter(env, 'TraefikImage')).toBe('traefik:v3.7.9');
    expect(await stackParameter(env, 'ApiPasswordHash')).toBe(hash);

    // when Traefik is asked to look at ECS every 5 s
    const refresh = await clusterUp({
      clients,
      context: contextFor(env, { traefik: { image: 'traefik:v3.7.9', refreshInterval: '5s' } }),
      pollIntervalMs: 10,
    });

    // then that is Traefik's argument, and nothing else changed
    expect(refresh.changedParameters).toEqual(['TraefikArguments']);
    const args = (await stackParameter(env, 'TraefikArguments'))?.split(' ') ?? [];
    expect(args).toContain('--providers.ecs.refreshSeconds=5');
    expect(args).not.toContain('--providers.ecs.refreshSeconds=15');

    // when someone rotates the password in SSM
    const ssm = await clients.ssm();
    await ssm.send(
      new PutParameterCommand({
        Name: `/traefikctl/${env}/traefik-api-password`,
        Value: 'rotated-password-0123456789',
        Type: 'SecureString',
        Overwrite: true,
      }),
    );
    const rotated = await clusterUp({
      clients,
      context: contextFor(env, { traefik: { image: 'traefik:v3.7.9', refreshInterval: '5s' } }),
      pollIntervalMs: 10,
    });

    // then the stack gets the new password's hash
    expect(rotated.action).toBe('updated');
    expect(rotated.changedParameters).toEqual(['ApiPasswordHash', 'ApiPasswordVersion']);
    expect(
      bcrypt.compareSync('rotated-password-0123456789', (await stackParameter(env, 'ApiPasswordHash')) ?? ''),
    ).toBe(true);
  });

  it('plans without creating anything on --dry-run', async () => {
    // given no cluster
    const env = uniqueEnv();

    // when
    const planned = await clusterUp({ clients, context: contextFor(env), dryRun: true, pollIntervalMs: 10 });

    // then the change set lists the resources, and no stack and no password exist
    expect(planned.action).toBe('planned');
    expect(planned.passwordCreated).toBe(true);
    expect(planned.changes).toContainEqual({
      action: 'Add',
      logicalId: 'LoadBalancer',
      resourceType: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    });
    expect(planned.changes).toContainEqual({
      action: 'Add',
      logicalId: 'TraefikService',
      resourceType: 'AWS::ECS::Service',
    });
    const error = await rejection(readClusterOutputs(clients, env));
    expect(error.message).toContain("doesn't exist");
    const ssm = await clients.ssm();
    await expect(
      ssm.send(new GetParameterCommand({ Name: `/traefikctl/${env}/traefik-api-password` })),
    ).rejects.toThrow(/ParameterNotFound|not found/i);
  });

  it('uses the subnets given, and refuses ones that do not exist', async () => {
    const env = uniqueEnv();
    const error = await rejection(
      clusterUp({
        clients,
        context: contextFor(env),
        subnets: ['subnet-0000dead', 'subnet-0000beef'],
        pollIntervalMs: 10,
      }),
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^The subnet ID 'subnet-0000(dead|beef)' does not exist in us-east-1\.$/);
    expect(error.suggestions.join(' ')).toContain('--subnets');
  });

  it('fails with the reason when a resource of the stack cannot be created', async () => {
    // given a hosted zone id that doesn't exist: the stack's wildcard record can't be created
    const env = uniqueEnv();

    // when
    const events = recorder();
    const error = await rejection(
      clusterUp({
        clients,
        context: contextFor(env),
        hostedZoneId: 'Z0000NOTEXIST',
        onEvent: events.emit,
        pollIntervalMs: 10,
      }),
    );

    // then the run fails (exit 1) with CloudFormation's reason, and the stack phase says so. (moto
    // fails the CreateStack call itself; AWS reports a failed resource event, see stack-events.test.ts.)
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      `Couldn't create the stack traefikctl-${env}: No hosted zone found with ID: Z0000NOTEXIST.`,
    );
    expect(events.events).toContainEqual(
      expect.objectContaining({ type: 'phase', id: 'stack', status: 'failed' }),
    );
  });

  it('reports status without secrets, and checks the API with the password from SSM', async () => {
    // given a cluster whose API (a local stand-in) accepts only the stored password
    const env = uniqueEnv();
    const created = await clusterUp({ clients, context: contextFor(env), pollIntervalMs: 10 });
    const password = await storedPassword(env);
    const hash = (await stackParameter(env, 'ApiPasswordHash')) ?? '';
    const api = await startTraefikServer({ data: {}, auth: { username: 'admin', password: password.value } });
    try {
      await deployWith(env, 'whoami-v1');

      // when
      const status = await statusOf(contextFor(env, { traefik: { apiUrl: api.url } }));

      // then
      expect(status.stackStatus).toBe('CREATE_COMPLETE');
      expect(status.outputs).toEqual(created.outputs);
      expect(status.traefik).toMatchObject({ name: 'traefik', desired: 2 });
      expect(status.api).toMatchObject({ url: api.url, checked: true, healthy: true, version: '3.7.9' });
      expect(status.deployments).toEqual({ live: 1 });
      expect(status.parameters).toMatchObject({ TraefikImage: 'traefik:v3.7', TraefikDesiredCount: '2' });
      const json = JSON.stringify(status);
      expect(json).not.toContain(password.value);
      expect(json).not.toContain(hash);
      expect(json).not.toContain('ApiPasswordHash');
    } finally {
      await api.stop();
    }
  });

  it('reports an API that refuses the password as unhealthy, not as a failed status', async () => {
    const env = uniqueEnv();
    await clusterUp({ clients, context: contextFor(env), pollIntervalMs: 10 });
    const api = await startTraefikServer({
      data: {},
      auth: { username: 'admin', password: 'something-else' },
    });
    try {
      const status = await statusOf(contextFor(env, { traefik: { apiUrl: api.url } }));
      expect(status.api.healthy).toBe(false);
      expect(status.api.error).toMatch(/401|password|credentials/i);
      expect(status.api.error).not.toContain((await storedPassword(env)).value);
    } finally {
      await api.stop();
    }
  });

  it('refuses to go down while deployments are live, and removes them with --force', async () => {
    // given a cluster with one deployment
    const env = uniqueEnv();
    await clusterUp({ clients, context: contextFor(env), pollIntervalMs: 10 });
    await deployWith(env, 'whoami-v2');

    // when down runs without --force
    const plan = await planClusterDown(clients, contextFor(env));
    const refused = await rejection(clusterDown({ clients, plan, force: false }));

    // then nothing is removed
    expect(refused.exitCode).toBe(1);
    expect(refused.message).toBe(
      `1 app deployment is live in env ${env} (whoami-v2): removing the cluster would cut it off.`,
    );
    expect(refused.suggestions.join(' ')).toContain(`traefikctl cluster down --env ${env} --force`);
    expect((await readClusterOutputs(clients, env)).cluster).toBe(`traefikctl-${env}`);

    // when forced
    const events = recorder();
    const result = await clusterDown({
      clients,
      plan,
      force: true,
      onEvent: events.emit,
      pollIntervalMs: 10,
    });

    // then the deployment, the stack and the password are gone
    expect(result).toEqual({
      env,
      stackName: `traefikctl-${env}`,
      stackDeleted: true,
      passwordParameter: `/traefikctl/${env}/traefik-api-password`,
      passwordDeleted: true,
      deploymentsRemoved: ['whoami-v2'],
    });
    expect(events.events).toContainEqual({
      type: 'progress',
      phase: 'deployments',
      item: 'whoami-v2',
      status: 'deleted',
    });
    // and a second down finds nothing left to remove
    expect((await rejection(planClusterDown(clients, contextFor(env)))).code).toBe('CLUSTER_MISSING');
    expect((await rejection(readClusterOutputs(clients, env))).message).toContain("doesn't exist");
    const ssm = await clients.ssm();
    await expect(ssm.send(new GetParameterCommand({ Name: result.passwordParameter }))).rejects.toThrow();
  });
});
