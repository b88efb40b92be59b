/**
 * The contract of `routes`, `routes show` and `status` with scripts: their flags, and the shape of
 * their --json results. A change to either shows up here in review.
 */
import { describe, expect, it } from 'vitest';

import Routes from '../../src/commands/routes/index.js';
import RoutesShow from '../../src/commands/routes/show.js';
import Status from '../../src/commands/status.js';
import { joinRoutes } from '../../src/lib/routes/join.js';
import { buildEnvStatus } from '../../src/lib/status/env.js';
import { generateEcsRoutes } from '../support/traefik-server.js';

function surface(command: {
  flags?: Record<string, unknown>;
  enableJsonFlag?: boolean;
  examples?: unknown[];
}) {
  const flags = Object.entries(command.flags ?? {}).map(([name, flag]) => {
    const f = flag as {
      type: string;
      options?: readonly string[];
      summary?: string;
      dependsOn?: string[];
      exclusive?: string[];
    };
    return {
      name,
      type: f.type,
      ...(f.options ? { options: f.options } : {}),
      ...(f.dependsOn ? { dependsOn: f.dependsOn } : {}),
      ...(f.exclusive ? { exclusive: f.exclusive } : {}),
      summary: f.summary,
    };
  });
  return { flags, json: command.enableJsonFlag ?? false, examples: command.examples?.length ?? 0 };
}

/** Keys of an object and of the objects and arrays of objects inside it, as `a.b[].c` paths. */
function shape(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [`${prefix}[]`] : shape(value[0], `${prefix}[]`);
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.keys(value)
    .sort()
    .flatMap((key) =>
      shape((value as Record<string, unknown>)[key], prefix === '' ? key : `${prefix}.${key}`),
    );
}

describe('routes and status: flag surface', () => {
  it.each([
    ['routes', Routes],
    ['routes show', RoutesShow],
    ['status', Status],
  ])('%s', (_name, command) => {
    const described = surface(command);
    expect(described.examples).toBeGreaterThan(0);
    expect(described).toMatchSnapshot();
  });
});

describe('routes and status: --json shapes', () => {
  const { routers, services } = generateEcsRoutes(1);
  const state = {
    http: { routers: [{ ...routers[0], middlewares: ['auth'], tls: { options: 'default' } }], services },
    tcp: { routers: [], services: [] },
    udp: { routers: [], services: [] },
  };
  // EcsDeploymentRecord-like: more fields than a route shows.
  const deployment = {
    image: 'r/app0@sha256:1',
    runningCount: 1,
    app: 'app0',
    tag: 'v0',
    env: 'dev',
    host: 'app0-v0.dev.example.com',
    service: 'app0-v0',
    deployedAt: '2026-08-01T10:00:00.000Z',
  };

  it('a route (routes --json items, routes show --json)', () => {
    const [route] = joinRoutes(state, { deployments: [deployment] });
    expect(shape({ ...route, attention: [{ kind: 'no-server-up', message: '' }] })).toMatchSnapshot();
  });

  it('status --json', () => {
    const status = buildEnvStatus({
      env: 'dev',
      now: 0,
      stack: { name: 'traefikctl-dev', status: 'CREATE_COMPLETE' },
      outputs: { cluster: 'traefikctl-dev' },
      traefikTasks: { running: 1, desired: 1 },
      deployments: [
        {
          ...deployment,
          status: 'ACTIVE',
          deployedBy: 'ci',
          serviceArn: 'arn',
          cluster: 'traefikctl-dev',
          desiredCount: 1,
          pendingCount: 0,
          rolloutState: 'COMPLETED',
          expiresAt: '2026-09-01T00:00:00.000Z',
        },
      ],
      traefik: { apiUrl: 'https://traefik.dev.example.com', version: '3.7.9', state },
    });
    expect(
      shape({ ...status, strays: [{ name: '', host: '', status: '', problems: [''] }] }),
    ).toMatchSnapshot();
  });
});
