import { afterEach, describe, expect, it } from 'vitest';

import { findRoute, routeLabel } from '../../../src/lib/routes/find.js';
import { createRoutesSource } from '../../../src/lib/routes/source.js';
import {
  changeCount,
  diffRoutes,
  nextDelay,
  parseInterval,
  watchRoutes,
  type WatchTick,
} from '../../../src/lib/routes/watch.js';
import { TraefikClient } from '../../../src/lib/traefik/client.js';
import {
  generateEcsRoutes,
  startTraefikServer,
  type TraefikTestServer,
} from '../../support/traefik-server.js';
import { deploymentOf, ecsRoute } from './route-factory.js';

describe('diffRoutes', () => {
  const before = new Map(
    [ecsRoute('a-v1'), ecsRoute('b-v1'), ecsRoute('c-v1')].map((route) => [route.name, route] as const),
  );

  it('reports nothing on the first refresh', () => {
    expect(changeCount(diffRoutes(undefined, [...before.values()]))).toBe(0);
  });

  it('names added, removed and changed routes, and what changed', () => {
    // given b lost its server and got disabled, c is gone, d is new
    const after = [
      ecsRoute('a-v1'),
      ecsRoute('b-v1', {
        status: 'disabled',
        serversUp: 0,
        servers: [{ address: 'http://10.0.0.1:80', status: 'DOWN', service: 'b-v1@ecs' }],
        attention: [{ kind: 'router-error', message: 'x' }],
      }),
      ecsRoute('d-v1'),
    ];
    const changes = diffRoutes(before, after);
    expect([...changes.added]).toEqual(['d-v1@ecs']);
    expect(changes.removed.map((route) => route.name)).toEqual(['c-v1@ecs']);
    expect(Object.fromEntries(changes.changed)).toEqual({
      'b-v1@ecs': ['status enabled -> disabled', 'servers 1/1 -> 0/1', 'attention: router-error'],
    });
  });

  it('tells an HTTP and a TCP router of the same name apart', () => {
    const http = ecsRoute('db', { name: 'db@file' });
    const tcp = { ...http, protocol: 'tcp' as const, status: 'disabled' as const };
    const previous = new Map([
      ['db@file', http],
      ['tcp:db@file', tcp],
    ]);
    expect(changeCount(diffRoutes(previous, [http, tcp]))).toBe(0);
    expect([...diffRoutes(previous, [http]).removed]).toEqual([tcp]);
  });

  it('notices a replaced task even when the counts stay the same, and a deployment joining a route', () => {
    const after = [
      ecsRoute('a-v1', { servers: [{ address: 'http://10.0.0.9:80', status: 'UP', service: 'a-v1@ecs' }] }),
      ecsRoute('b-v1', { deployment: deploymentOf('b-v1') }),
      ecsRoute('c-v1'),
    ];
    expect(Object.fromEntries(diffRoutes(before, after).changed)).toEqual({
      'a-v1@ecs': ['servers replaced'],
      'b-v1@ecs': ['app/tag - -> b/v1'],
    });
  });
});

describe('parseInterval and nextDelay', () => {
  it('reads seconds, milliseconds and minutes', () => {
    expect(parseInterval('2s')).toBe(2000);
    expect(parseInterval('500ms')).toBe(500);
    expect(parseInterval('1m')).toBe(60_000);
    expect(parseInterval('5')).toBe(5000);
  });

  it('refuses what is not an interval, or too short, as a usage error', () => {
    expect(() => parseInterval('fast')).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => parseInterval('10ms')).toThrow(/at least 250ms/);
  });

  it('waits the interval, twice a slow answer, and backs off on failures up to 30s', () => {
    expect(nextDelay(2000, 100, 0)).toBe(2000);
    expect(nextDelay(2000, 3000, 0)).toBe(6000);
    expect(nextDelay(2000, 0, 1)).toBe(2000);
    expect(nextDelay(2000, 0, 3)).toBe(8000);
    expect(nextDelay(2000, 0, 10)).toBe(30_000);
  });
});

describe('findRoute', () => {
  const routes = [
    ecsRoute('whoami-v2'),
    ecsRoute('whoami-v3'),
    { ...ecsRoute('db'), name: 'db@file', provider: 'file', hosts: ['db.example.com'] },
    {
      ...ecsRoute('db'),
      name: 'db@file',
      provider: 'file',
      protocol: 'tcp' as const,
      hosts: ['db.example.com'],
    },
  ];

  it('finds a route by full name, by name without provider, or by host', () => {
    expect(findRoute(routes, 'whoami-v2@ecs').name).toBe('whoami-v2@ecs');
    expect(findRoute(routes, 'whoami-v3').name).toBe('whoami-v3@ecs');
    expect(findRoute(routes, 'whoami-v2.dev.example.com').name).toBe('whoami-v2@ecs');
  });

  it('tells an HTTP router from a TCP one of the same name by the tcp: label', () => {
    expect(findRoute(routes, 'tcp:db@file').protocol).toBe('tcp');
    expect(routeLabel(routes[3]!)).toBe('tcp:db@file');
    expect(findRoute(routes, 'db@file').protocol).toBe('http');
    expect(() => findRoute(routes, 'db')).toThrow(
      expect.objectContaining({
        message: '"db" matches 2 routers.',
        suggestions: ['Name one: db@file, tcp:db@file.'],
      }),
    );
  });

  it('suggests similar names when nothing matches', () => {
    expect(() => findRoute(routes, 'whoami')).toThrow(
      expect.objectContaining({
        message: 'Traefik has no router "whoami".',
        suggestions: [
          'Did you mean whoami-v2@ecs, whoami-v3@ecs?',
          'List the routers with `traefikctl routes` (or search them with --search).',
        ],
      }),
    );
  });
});

describe('watchRoutes against a local Traefik', () => {
  let server: TraefikTestServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('refreshes without overlapping, survives the API going away and reports the change when it returns', async () => {
    // given a Traefik with 3 routers that gains one after it comes back
    const { routers, services } = generateEcsRoutes(4);
    let count = 3;
    server = await startTraefikServer({
      data: () => ({ http: { routers: routers.slice(0, count), services } }),
    });
    const url = server.url;
    const source = createRoutesSource({
      env: 'dev',
      client: (signal) => new TraefikClient({ apiUrl: url, retries: 0, timeoutMs: 1000, signal }),
      deployments: () => Promise.resolve([deploymentOf('app0-v0')]),
    });
    const ticks: WatchTick[] = [];
    const controller = new AbortController();
    let inFlight = 0;
    let overlapped = false;
    const wrapped = {
      ...source,
      async snapshot(options?: { signal?: AbortSignal }) {
        overlapped ||= inFlight > 0;
        inFlight++;
        try {
          return await source.snapshot(options);
        } finally {
          inFlight--;
        }
      },
    };

    // when it is watched every 250ms while the server stops, gains a router and starts again
    const done = watchRoutes(wrapped, {
      intervalMs: 250,
      signal: controller.signal,
      onTick: (tick) => {
        ticks.push(tick);
        if (ticks.length === 1) void server?.stop();
        if (ticks.length === 2) {
          count = 4;
          void server?.start();
        }
        if (ticks.length === 3) controller.abort();
      },
    });
    await done;

    // then: a good refresh, a failure that keeps the data, then the new router marked as added
    expect(ticks[0]?.snapshot?.routes.map((r) => r.name)).toEqual([
      'app0-v0@ecs',
      'app0-v1@ecs',
      'app0-v2@ecs',
    ]);
    expect(ticks[0]?.snapshot?.routes[0]?.deployment?.app).toBe('app0');
    expect(ticks[1]?.error?.message).toMatch(/Can't reach Traefik's API .* \(ECONNREFUSED\)/);
    expect(ticks[1]?.snapshot).toBe(ticks[0]?.snapshot);
    expect(ticks[1]?.failures).toBe(1);
    expect(ticks[2]?.error).toBeUndefined();
    expect([...(ticks[2]?.changes.added ?? [])]).toEqual(['app0-v3@ecs']);
    expect(overlapped).toBe(false);
  });
});
