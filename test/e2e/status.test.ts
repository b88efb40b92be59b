/**
 * `traefikctl status` as a user runs it: a cluster stack in moto (its outputs name the cluster and
 * Traefik's API, here a local stand-in on 127.0.0.1), Traefik's ECS service, managed deployments,
 * and routers that match some of them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateServiceCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, afterEach, expect, it } from 'vitest';

import { deploymentTags } from '../../src/lib/ecs/tag-codec.js';
import { AwsClients } from '../../src/lib/aws/clients.js';
import { runCli } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { generateEcsRoutes, startTraefikServer, type TraefikTestServer } from '../support/traefik-server.js';

const clients = new AwsClients();
afterAll(() => clients.destroy());

/** A `traefikctl-<env>` stack with the outputs `cluster up` writes, and an ECS cluster. */
async function clusterStack(env: string, apiUrl: string): Promise<string> {
  const cluster = `traefikctl-${env}`;
  const template = {
    Resources: { Cluster: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: cluster } } },
    Outputs: {
      Env: { Value: env },
      ClusterName: { Value: cluster },
      Subnets: { Value: 'subnet-0abc' },
      AppSecurityGroup: { Value: 'sg-0abc' },
      ExecutionRoleArn: { Value: 'arn:aws:iam::123456789012:role/exec' },
      LogGroup: { Value: `/traefikctl/${env}` },
      ApiUrl: { Value: apiUrl },
      TraefikService: { Value: 'traefik' },
    },
  };
  const cloudformation = await clients.cloudformation();
  await cloudformation.send(
    new CreateStackCommand({ StackName: cluster, TemplateBody: JSON.stringify(template) }),
  );
  return cluster;
}

describeWith(['moto'], 'traefikctl status', () => {
  let cwd: string | undefined;
  let server: TraefikTestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('shows the env with its problems first, as TSV rows in a pipe and as --json', async () => {
    // given an env whose app0-v1 is routed and app0-v9 is not, Traefik running, a stray router
    const env = uniqueName('st');
    const routes = generateEcsRoutes(3, { env });
    server = await startTraefikServer({
      data: { http: routes },
      auth: { username: 'admin', password: 'pw-1' },
    });
    const cluster = await clusterStack(env, server.url);
    const ecs = await clients.ecs();
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: uniqueName('app0'),
        containerDefinitions: [{ name: 'app', image: 'traefik/whoami', memory: 128 }],
      }),
    );
    const taskDefinition = registered.taskDefinition?.taskDefinitionArn;
    await ecs.send(
      new CreateServiceCommand({ cluster, serviceName: 'traefik', taskDefinition, desiredCount: 1 }),
    );
    for (const tag of ['v1', 'v9']) {
      await ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName: `app0-${tag}`,
          taskDefinition,
          // The test stack's moto reports every service as running 1 task.
          desiredCount: 1,
          tags: deploymentTags({
            env,
            app: 'app0',
            tag,
            host: `app0-${tag}.${env}.example.com`,
            image: 'registry/app0@sha256:abc',
            deployedAt: '2026-08-01T10:00:00.000Z',
            deployedBy: 'arn:aws:iam::123456789012:user/ci',
          }),
        }),
      );
    }
    cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-status-'));
    const options = { cwd, env: { TRAEFIKCTL_TRAEFIK_PASSWORD: 'pw-1' } };

    // when status runs in a pipe
    const piped = await runCli(['status', '--env', env], options);

    // then the deployment Traefik doesn't route comes first, and the summary is on stderr
    expect(piped.exitCode, piped.stderr).toBe(0);
    const rows = piped.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /^app0\/v9\thttp:\/\/app0-v9\.st-[0-9a-f]+\.example\.com\t[A-Z_-]+\t1\/1\tmissing\t0\/0\t-\tTraefik has no router for it$/,
    );
    expect(rows[1]?.split('\t').slice(4)).toEqual(['enabled', '1/1', '-', '-']);
    expect(piped.stderr).toContain(
      `env ${env}  ·  stack ${cluster} CREATE_COMPLETE  ·  Traefik 3.7.9, 1/1 tasks  ·  ${server.url}`,
    );
    expect(piped.stderr).toContain(
      '2 deployments  ·  4 routes (3 enabled, 0 warning, 0 disabled, 1 missing)  ·  3 problems',
    );
    expect(piped.stderr).toContain('! app0-v0@ecs: no traefikctl deployment named app0-v0 exists');

    // and --json carries the same, with a problem count
    const json = await runCli(['status', '--env', env, '--json'], options);
    expect(json.exitCode, json.stderr).toBe(0);
    const status = JSON.parse(json.stdout) as {
      problems: number;
      deployments: { tag: string }[];
      strays: unknown[];
    };
    expect(status.deployments.map((row) => row.tag)).toEqual(['v9', 'v1']);
    expect(status.strays).toHaveLength(2);
    expect(status.problems).toBe(3);
  });

  it('says to create the cluster when the env has none, with the exit code its help gives', async () => {
    // given an env with no cluster
    cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-status-'));
    const env = uniqueName('st');

    // when status runs
    const { stderr, exitCode } = await runCli(['status', '--env', env], { cwd });

    // then it exits 1 and says how to create one
    expect(exitCode).toBe(1);
    expect(stderr).toContain(`No cluster for env ${env}: stack traefikctl-${env} doesn't exist.`);
    expect(stderr).toContain(`traefikctl cluster up --env ${env}`);
    // and its help says so too, instead of "exits 0 whatever it finds"
    const help = (await runCli(['status', '--help'], { cwd })).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('Exits 1 when the environment has no cluster');
    expect(help).not.toContain('Exits 0 whatever it finds;');
  });
});
