/**
 * `traefikctl cluster up | status | down` as CI runs them: bin/run.js with pipes (plain progress on
 * stderr, results on stdout), against moto. Traefik's API is a local stand-in on 127.0.0.1, set as
 * `traefik.apiUrl` so that no test ever resolves or contacts the stack's real API hostname.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateServiceCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import type { ClusterStatus } from '../../src/lib/cluster/status.js';
import type { ClusterUpResult } from '../../src/lib/cluster/up/index.js';
import { runCli, type CliResult } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { startTraefikServer, type TraefikTestServer } from '../support/traefik-server.js';

const clients = new AwsClients({ maxAttempts: 1 });
/** Answers without checking a password: for the tests that don't look at the API. */
let api: TraefikTestServer;

beforeAll(async () => {
  api = await startTraefikServer({ data: {} });
});
afterAll(async () => {
  await api.stop();
  await clients.destroy();
});

async function project(env: string, apiUrl = api.url): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-cluster-'));
  await writeConfig(dir, env, apiUrl);
  return dir;
}

async function writeConfig(dir: string, env: string, apiUrl: string): Promise<void> {
  await writeFile(
    path.join(dir, 'traefikctl.config.yaml'),
    `domain: example.com\nenvironment: ${env}\ntraefik:\n  apiUrl: ${apiUrl}\n`,
  );
}

/** A JSON value with every leaf replaced by its type: the shape scripts rely on. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shape(item)]));
  return value === null ? 'null' : typeof value;
}

function uniqueEnv(): string {
  return uniqueName('e').replace('-', '');
}

/** The stored password and the stack's hash of it. */
async function secrets(env: string): Promise<[password: string, hash: string]> {
  const ssm = await clients.ssm();
  const stored = await ssm.send(
    new GetParameterCommand({ Name: `/traefikctl/${env}/traefik-api-password`, WithDecryption: true }),
  );
  const cloudformation = await clients.cloudformation();
  const stack = await cloudformation.send(new DescribeStacksCommand({ StackName: `traefikctl-${env}` }));
  const hash = stack.Stacks?.[0]?.Parameters?.find(
    (p) => p.ParameterKey === 'ApiPasswordHash',
  )?.ParameterValue;
  return [stored.Parameter?.Value ?? '', hash ?? ''];
}

function expectNoSecrets(results: readonly CliResult[], secretValues: readonly string[]): void {
  for (const secret of secretValues) expect(secret.length).toBeGreaterThan(20);
  for (const result of results) {
    for (const secret of secretValues) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
    // no bcrypt hash either, whatever its version
    expect(result.stdout).not.toMatch(/\$2[abxy]\$/);
    expect(result.stderr).not.toMatch(/\$2[abxy]\$/);
  }
}

async function deploy(env: string, name: string): Promise<void> {
  const ecs = await clients.ecs();
  const outputs = (await runCli(['cluster', 'status', '--json'], { cwd: await project(env) })).stdout;
  const { outputs: cluster } = JSON.parse(outputs) as ClusterStatus;
  if (cluster === undefined) throw new Error('no outputs');
  const definition = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: name,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name, image: 'traefik/whoami', memory: 512 }],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: cluster.cluster,
      serviceName: name,
      taskDefinition: definition.taskDefinition?.taskDefinitionArn,
      desiredCount: 1,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: { subnets: cluster.subnets, securityGroups: [cluster.appSecurityGroup] },
      },
      tags: [
        { key: 'traefikctl:managed', value: 'true' },
        { key: 'traefikctl:env', value: env },
      ],
    }),
  );
}

describeWith(['moto'], 'traefikctl cluster', () => {
  it('brings a cluster up, finds no changes the second time, and never prints the password', async () => {
    // given a project for a new environment
    const env = uniqueEnv();
    const cwd = await project(env);

    // when
    const first = await runCli(['cluster', 'up'], { cwd });

    // then stdout has the result, stderr one line per step and stack event
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('action\tcreated\n');
    expect(first.stdout).toContain(`stack\ttraefikctl-${env}\n`);
    expect(first.stdout).toContain(`url_pattern\thttp://{app}-{tag}.${env}.example.com\n`);
    expect(first.stdout).toContain(`password_parameter\t/traefikctl/${env}/traefik-api-password\n`);
    expect(first.stderr).toContain(`generated and stored in SSM /traefikctl/${env}/traefik-api-password`);
    expect(first.stderr).toMatch(new RegExp(`  traefikctl-${env}: CREATE_COMPLETE`));

    // when it runs again
    const second = await runCli(['cluster', 'up'], { cwd });

    // then it says there is nothing to do
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('action\tunchanged\n');
    expect(second.stderr).toContain('no changes');

    // and as JSON
    const json = await runCli(['cluster', 'up', '--json'], { cwd });
    const result = JSON.parse(json.stdout) as ClusterUpResult;
    expect(result).toMatchObject({ action: 'unchanged', env, existed: true, passwordCreated: false });
    expect(result.outputs?.cluster).toBe(`traefikctl-${env}`);
    expect(json.stderr).toBe('');
    expect(shape(result)).toMatchSnapshot('cluster up --json');

    expectNoSecrets([first, second, json], await secrets(env));
  });

  it('shows the status with the API checked through the stored password, in text and JSON, without secrets', async () => {
    // given a cluster with one live deployment, and Traefik's API answering for the stored password
    const env = uniqueEnv();
    const cwd = await project(env);
    expect((await runCli(['cluster', 'up'], { cwd })).exitCode).toBe(0);
    const secretValues = await secrets(env);
    const guarded = await startTraefikServer({
      data: {},
      auth: { username: 'admin', password: secretValues[0] },
    });
    await writeConfig(cwd, env, guarded.url);
    await deploy(env, `whoami-${env}`);

    // when
    const text = await runCli(['cluster', 'status'], { cwd });
    const json = await runCli(['cluster', 'status', '--json'], { cwd });

    // then
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(`stack\ttraefikctl-${env}\n`);
    expect(text.stdout).toContain('status\tCREATE_COMPLETE\n');
    expect(text.stdout).toContain('traefik_desired\t2\n');
    expect(text.stdout).toContain('api_healthy\ttrue\n');
    expect(text.stdout).toContain('traefik_version\t3.7.9\n');
    expect(text.stdout).toContain('deployments\t1\n');
    const status = JSON.parse(json.stdout) as ClusterStatus;
    expect(status.api).toMatchObject({ healthy: true, version: '3.7.9', url: guarded.url });
    expect(status.deployments.live).toBe(1);
    expect(Object.keys(status.parameters)).not.toContain('ApiPasswordHash');
    expect(shape(status)).toMatchSnapshot('cluster status --json');
    expectNoSecrets([text, json], secretValues);
    await guarded.stop();
  });

  it('plans on --dry-run and creates nothing', async () => {
    const env = uniqueEnv();
    const cwd = await project(env);
    const planned = await runCli(['cluster', 'up', '--dry-run'], { cwd });
    expect(planned.exitCode).toBe(0);
    expect(planned.stdout).toContain('action\tplanned\n');
    expect(planned.stdout).toMatch(/change\tAdd\tTraefikService\tAWS::ECS::Service/);
    const status = await runCli(['cluster', 'status'], { cwd });
    expect(status.exitCode).toBe(1);
    expect(status.stderr).toContain(`No cluster for env ${env}: stack traefikctl-${env} doesn't exist.`);
    expect(status.stderr).toContain(`traefikctl cluster up --env ${env}`);
  });

  it('exits 1 with the reason when the stack fails, and 2 on a malformed flag', async () => {
    const env = uniqueEnv();
    const cwd = await project(env);
    const failed = await runCli(['cluster', 'up', '--hosted-zone-id', 'Z0000NOTEXIST'], { cwd });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain(
      `Couldn't create the stack traefikctl-${env}: No hosted zone found with ID: Z0000NOTEXIST.`,
    );

    const malformed = await runCli(['cluster', 'up', '--subnets', 'subnet-a,sg-b'], { cwd });
    expect(malformed.exitCode).toBe(2);
    expect(malformed.stderr).toContain('is not a list such as subnet-0a,subnet-0b');
  });

  it('goes down only with --yes, refuses while deployments are live, and removes them with --force', async () => {
    // given a cluster with a live deployment
    const env = uniqueEnv();
    const cwd = await project(env);
    expect((await runCli(['cluster', 'up'], { cwd })).exitCode).toBe(0);
    await deploy(env, `whoami-${env}`);

    // when down runs in CI without --yes: a usage error naming --yes, before anything else
    const unconfirmed = await runCli(['cluster', 'down'], { cwd });
    expect(unconfirmed.exitCode).toBe(2);
    expect(unconfirmed.stderr).toContain('--yes');

    // when confirmed but not forced: refused, nothing removed
    const refused = await runCli(['cluster', 'down', '--yes'], { cwd });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain(`1 app deployment is live in env ${env} (whoami-${env})`);
    expect(refused.stderr).toContain('--force');
    expect((await runCli(['cluster', 'status'], { cwd })).exitCode).toBe(0);

    // when forced
    const removed = await runCli(['cluster', 'down', '--yes', '--force', '--json'], { cwd });

    // then everything is gone
    expect(removed.exitCode).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({
      env,
      stackName: `traefikctl-${env}`,
      stackDeleted: true,
      passwordParameter: `/traefikctl/${env}/traefik-api-password`,
      passwordDeleted: true,
      deploymentsRemoved: [`whoami-${env}`],
    });
    expect(shape(JSON.parse(removed.stdout))).toMatchSnapshot('cluster down --json');
    const after = await runCli(['cluster', 'status'], { cwd });
    expect(after.exitCode).toBe(1);
    expect(after.stderr).toContain(`No cluster for env ${env}`);
  });

  it('exits 1 when the env has no cluster at all, and finishes a removal that left the password behind', async () => {
    // given an env that never had a cluster (a typo in --env, say)
    const env = uniqueEnv();
    const cwd = await project(env);

    // when it is taken down, even with --yes --force
    const missing = await runCli(['cluster', 'down', '--env', env, '--yes', '--force', '--json'], { cwd });

    // then it fails as every command that needs the env's cluster does, and removed nothing
    expect(missing.exitCode).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      error: { code: 'CLUSTER_MISSING', exitCode: 1 },
    });
    expect(missing.stderr).toContain(`No cluster for env ${env}: stack traefikctl-${env} doesn't exist`);

    // given an env whose stack is gone but whose API password is still in SSM
    const ssm = await clients.ssm();
    const parameter = `/traefikctl/${env}/traefik-api-password`;
    await ssm.send(new PutParameterCommand({ Name: parameter, Type: 'SecureString', Value: 'left-behind' }));

    // when it is taken down
    const leftover = await runCli(['cluster', 'down', '--env', env, '--yes', '--json'], { cwd });

    // then what was left is removed, and that is a success
    expect(leftover.exitCode, leftover.stderr).toBe(0);
    expect(JSON.parse(leftover.stdout)).toMatchObject({
      stackDeleted: false,
      passwordParameter: parameter,
      passwordDeleted: true,
    });
  });
});
