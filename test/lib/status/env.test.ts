import { describe, expect, it } from 'vitest';

import type { EcsDeploymentRecord } from '../../../src/lib/ecs/services.js';
import { buildEnvStatus, type EnvStatusInput } from '../../../src/lib/status/env.js';
import type { TraefikRouter, TraefikService } from '../../../src/lib/traefik/schemas.js';
import { renderEnvStatus, statusNotes } from '../../../src/ui/status.js';
import type { Presentation } from '../../../src/ui/mode.js';

const now = Date.parse('2026-08-10T12:00:00.000Z');

function deployment(tag: string, overrides: Partial<EcsDeploymentRecord> = {}): EcsDeploymentRecord {
  const service = `whoami-${tag}`;
  return {
    app: 'whoami',
    tag,
    env: 'dev',
    host: `${service}.dev.example.com`,
    service,
    status: 'ACTIVE',
    deployedAt: '2026-08-01T10:00:00.000Z',
    deployedBy: 'arn:aws:iam::123456789012:user/ci',
    image: 'registry/whoami@sha256:abc',
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/traefikctl-dev/${service}`,
    cluster: 'traefikctl-dev',
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    rolloutState: 'COMPLETED',
    ...overrides,
  };
}

function router(name: string, extra: Partial<TraefikRouter> = {}): TraefikRouter {
  return {
    name: `${name}@ecs`,
    provider: 'ecs',
    service: name,
    rule: `Host(\`${name}.dev.example.com\`)`,
    status: 'enabled',
    ...extra,
  };
}

function service(name: string, status = 'UP'): TraefikService {
  return {
    name: `${name}@ecs`,
    provider: 'ecs',
    loadBalancer: { servers: [{ url: 'http://10.0.0.1:80' }] },
    serverStatus: { 'http://10.0.0.1:80': status },
  };
}

function input(overrides: Partial<EnvStatusInput> = {}): EnvStatusInput {
  return {
    env: 'dev',
    now,
    stack: { name: 'traefikctl-dev', status: 'UPDATE_COMPLETE' },
    outputs: { cluster: 'traefikctl-dev', apiUrl: 'https://traefik.dev.example.com' },
    traefikTasks: { running: 2, desired: 2 },
    deployments: [
      deployment('v1'),
      deployment('v2', {
        rolloutState: 'FAILED',
        rolloutStateReason: 'tasks failed to start',
        runningCount: 0,
      }),
      deployment('v3', { expiresAt: '2026-08-09T00:00:00.000Z' }),
      deployment('v4'),
      deployment('old', { status: 'DRAINING' }),
    ],
    traefik: {
      apiUrl: 'https://traefik.dev.example.com',
      version: '3.7.9',
      state: {
        http: {
          routers: [
            router('whoami-v1'),
            router('whoami-v3'),
            router('whoami-v4'),
            router('whoami-old'),
            router('stray'),
          ],
          services: [
            service('whoami-v1'),
            service('whoami-v3'),
            service('whoami-v4', 'DOWN'),
            service('whoami-old'),
            service('stray'),
          ],
        },
        tcp: { routers: [], services: [] },
        udp: { routers: [], services: [] },
      },
    },
    ...overrides,
  };
}

describe('buildEnvStatus', () => {
  it('says a deployment scaled to 0 tasks is not served, not that Traefik lost its router', () => {
    const status = buildEnvStatus(
      input({
        deployments: [
          deployment('v1'),
          deployment('v5', { desiredCount: 0, runningCount: 0, rolloutState: 'COMPLETED' }),
        ],
      }),
    );
    expect(status.deployments.map((row) => [row.tag, row.problems])).toEqual([
      ['v5', ['scaled to 0 tasks: nothing serves its URL']],
      ['v1', []],
    ]);
  });

  it('puts deployments with the most problems first, each with its reasons', () => {
    const status = buildEnvStatus(input());
    expect(status.deployments.map((row) => [row.tag, row.problems])).toEqual([
      [
        'v2',
        ['rollout failed: tasks failed to start', '0 of 1 tasks running', 'Traefik has no router for it'],
      ],
      ['v3', ['expired 2026-08-09T00:00:00.000Z; `app prune --expired` removes it']],
      ['v4', ['no server of whoami-v4@ecs is UP (1 DOWN).']],
      ['v1', []],
    ]);
    expect(status.deployments.find((row) => row.tag === 'v1')).toMatchObject({
      url: 'https://whoami-v1.dev.example.com',
      route: { status: 'enabled', serversUp: 1, serversTotal: 1 },
      running: 1,
      desired: 1,
    });
  });

  it('lists routers whose deployment is gone or being deleted, and counts every problem', () => {
    const status = buildEnvStatus(input());
    expect(status.strays).toEqual([
      {
        name: 'stray@ecs',
        host: 'stray.dev.example.com',
        status: 'enabled',
        problems: ['no traefikctl deployment named stray exists: it was removed, or something else runs it.'],
      },
      {
        name: 'whoami-old@ecs',
        host: 'whoami-old.dev.example.com',
        status: 'enabled',
        problems: ['its ECS service whoami-old is being deleted (DRAINING).'],
      },
    ]);
    expect(status.problems).toBe(5 + 2);
    expect(status.traefik.routes).toMatchObject({ total: 6, enabled: 5, missing: 1 });
  });

  it("reports the cluster's and Traefik's own problems, and unknown routes when the API can't be read", () => {
    const status = buildEnvStatus(
      input({
        stack: { name: 'traefikctl-dev', status: 'UPDATE_ROLLBACK_FAILED', reason: 'quota' },
        traefikTasks: { running: 1, desired: 2 },
        traefik: {
          apiUrl: 'https://traefik.dev.example.com',
          problem: "Can't reach Traefik's API (ECONNREFUSED).",
        },
      }),
    );
    expect(status.cluster.problems).toEqual([
      'stack traefikctl-dev is UPDATE_ROLLBACK_FAILED (quota)',
      'Traefik runs 1 of 2 tasks',
    ]);
    expect(status.traefik.problems).toEqual(["Can't reach Traefik's API (ECONNREFUSED)."]);
    expect(status.deployments.find((row) => row.tag === 'v1')?.route).toBeUndefined();
    expect(status.strays).toEqual([]);
  });
});

describe('the local target (docker)', () => {
  // The local status (src/lib/local/status.ts) names the Traefik container and its network as the stack.
  const local = (overrides: Partial<EnvStatusInput> = {}) =>
    input({
      provider: 'docker',
      stack: { name: 'traefikctl-local-traefik on network traefikctl-local', status: 'exited' },
      clusterHealthy: false,
      traefikTasks: { running: 0, desired: 1 },
      deployments: [deployment('v1', { runningCount: 0 })],
      traefik: { apiUrl: 'http://traefik.local.localhost:8080', problem: "Can't reach Traefik's API." },
      ...overrides,
    });

  it('says container where ECS says stack, ECS service and task', () => {
    const status = buildEnvStatus(local());
    expect(status.target).toBe('docker');
    expect(status.cluster.problems).toEqual([
      'traefikctl-local-traefik on network traefikctl-local is exited',
      'Traefik runs 0 of 1 containers',
    ]);
    expect(status.deployments[0]?.problems).toEqual(['0 of 1 containers running']);
    expect(buildEnvStatus(local({ traefikTasks: undefined })).cluster.problems).toContain(
      "Traefik's container is missing",
    );
    expect(buildEnvStatus(input()).target).toBe('ecs');
  });

  it('shows containers on the status screen', () => {
    const terminal: Presentation = { mode: 'tty', stdoutIsTty: true, color: false, interactive: true };
    const lines = renderEnvStatus(buildEnvStatus(local()), terminal, now).split('\n');
    expect(lines[0]).toBe(
      'env dev  ·  traefikctl-local-traefik on network traefikctl-local exited  ·  Traefik, 0/1 containers  ·  http://traefik.local.localhost:8080',
    );
    expect(lines.find((line) => line.startsWith('APP/TAG'))).toMatch(/\sCONTAINERS\s/);
  });
});

describe('status screen', () => {
  const terminal: Presentation = { mode: 'tty', stdoutIsTty: true, color: false, interactive: true };
  const pipe: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };

  it('shows the env summary, then deployments with problems first, then stray routers', () => {
    const text = renderEnvStatus(buildEnvStatus(input()), terminal, now);
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'env dev  ·  stack traefikctl-dev UPDATE_COMPLETE  ·  Traefik 3.7.9, 2/2 tasks  ·  https://traefik.dev.example.com',
    );
    expect(lines[1]).toBe(
      '4 deployments  ·  6 routes (5 enabled, 0 warning, 0 disabled, 1 missing)  ·  7 problems',
    );
    expect(lines[3]).toMatch(/^APP\/TAG\s+URL\s+ROLLOUT\s+TASKS\s+ROUTE\s+SERVERS\s+EXPIRES\s+PROBLEMS$/);
    expect(lines[4]).toMatch(
      /^whoami\/v2 .* FAILED\s+0\/1\s+missing\s+0\/0\s+-\s+rollout failed: tasks failed to start; 0 of 1/,
    );
    expect(lines[5]).toMatch(
      /^whoami\/v3 .* COMPLETED\s+1\/1\s+enabled\s+1\/1\s+expired\s+expired 2026-08-09/,
    );
    expect(lines[7]).toMatch(/^whoami\/v1 .*enabled\s+1\/1\s+-\s+ok$/);
    expect(text).toContain('Routers without a live deployment\n  stray@ecs  stray.dev.example.com  enabled');
  });

  it('counts one deployment in the singular', () => {
    const text = renderEnvStatus(buildEnvStatus(input({ deployments: [deployment('v1')] })), terminal, now);
    expect(text.split('\n')[1]).toMatch(/^1 deployment {2}· {2}/);
  });

  it('prints one TSV row per deployment in a pipe, the summary going to stderr', () => {
    const status = buildEnvStatus(input());
    const rows = renderEnvStatus(status, pipe, now).trimEnd().split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[3]).toBe('whoami/v1\thttps://whoami-v1.dev.example.com\tCOMPLETED\t1/1\tenabled\t1/1\t-\t-');
    expect(statusNotes(status).at(-1)).toBe(
      '! whoami-old@ecs: its ECS service whoami-old is being deleted (DRAINING).',
    );
  });
});
