import { describe, expect, it } from 'vitest';

import { WatchLines, watchSummary } from '../../../src/ui/routes/watch-lines.js';
import { formatRouteDetails } from '../../../src/ui/routes/details.js';
import { attentionHint, renderRoutesTable } from '../../../src/ui/routes/table.js';
import type { Presentation } from '../../../src/ui/mode.js';
import { NO_CHANGES, type WatchTick } from '../../../src/lib/routes/watch.js';
import { deploymentOf, ecsRoute } from '../../lib/routes/route-factory.js';

const terminal: Presentation = { mode: 'tty', stdoutIsTty: true, color: false, interactive: true };
const pipe: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };
const now = Date.parse('2026-08-01T13:00:00.000Z');

const healthy = ecsRoute('whoami-v2', { deployment: deploymentOf('whoami-v2') });
const down = ecsRoute('whoami-v3', {
  deployment: deploymentOf('whoami-v3', { deployedAt: '2026-08-01T12:59:15.000Z' }),
  servers: [
    { address: 'http://10.0.0.5:80', status: 'DOWN', service: 'whoami-v3@ecs' },
    { address: 'http://10.0.0.6:80', status: 'UP', service: 'whoami-v3@ecs' },
  ],
  serversUp: 1,
  serversTotal: 2,
});
const tcp = {
  ...ecsRoute('db'),
  name: 'db@file',
  provider: 'file',
  protocol: 'tcp' as const,
  rule: 'HostSNI(`*`)',
  hosts: ['*'],
  status: 'disabled' as const,
  errors: ['entryPoint "db" doesn\'t exist'],
  attention: [{ kind: 'router-error' as const, message: 'entryPoint "db" doesn\'t exist' }],
};

describe('routes table', () => {
  it('aligns host, status, servers, provider, app/tag, age and router under a header on a terminal', () => {
    expect(renderRoutesTable([healthy, down, tcp], terminal, now)).toBe(
      [
        'HOST                       STATUS    SERVERS  PROVIDER  APP/TAG    AGE  ROUTER',
        'whoami-v2.dev.example.com  enabled       1/1  ecs       whoami/v2   3h  whoami-v2@ecs',
        'whoami-v3.dev.example.com  enabled       1/2  ecs       whoami/v3  45s  whoami-v3@ecs',
        '*                          disabled      1/1  file      -            -  tcp:db@file',
        '',
      ].join('\n'),
    );
  });

  it('prints tab-separated rows with ISO times on a pipe', () => {
    expect(renderRoutesTable([healthy, tcp], pipe, now)).toBe(
      'whoami-v2.dev.example.com\tenabled\t1/1\tecs\twhoami/v2\t2026-08-01T10:00:00.000Z\twhoami-v2@ecs\n' +
        '*\tdisabled\t1/1\tfile\t-\t-\ttcp:db@file\n',
    );
  });

  it("shows no server count for a router to Traefik's own API or metrics, which has none", () => {
    // given the API router of every traefikctl cluster, whose service is api@internal
    const api = ecsRoute('traefikctl-api', {
      rule: 'Host(`traefik.dev.example.com`)',
      hosts: ['traefik.dev.example.com'],
      service: 'api@internal',
      serviceType: undefined,
      servers: [],
      serversUp: 0,
      serversTotal: 0,
    });
    expect(renderRoutesTable([api], pipe, now)).toBe(
      'traefik.dev.example.com\tenabled\t-\tecs\t-\t-\ttraefikctl-api@ecs\n',
    );
    expect(formatRouteDetails(api, false, now)).toContain(
      '  Servers      none: Traefik answers api@internal itself\n',
    );
    // and one of a deployment with no server is still counted: 0/0 is a problem there
    expect(
      renderRoutesTable([ecsRoute('whoami-v4', { servers: [], serversUp: 0, serversTotal: 0 })], pipe, now),
    ).toContain('\t0/0\t');
  });

  it('hints at routes show for the first route that needs attention', () => {
    expect(attentionHint([healthy, tcp])).toBe(
      '1 route needs attention; see why with `traefikctl routes show tcp:db@file`.',
    );
    expect(attentionHint([healthy])).toBeUndefined();
  });
});

describe('routes show', () => {
  it('prints the rule, middlewares, service, each server with its status, and the deployment', () => {
    expect(formatRouteDetails({ ...down, middlewares: ['auth@file'] }, false, now)).toBe(
      [
        'whoami-v3@ecs  enabled',
        '  App          whoami  tag v3  (env dev, deployed 45s ago)',
        '  Protocol     http  provider ecs',
        '  Rule         Host(`whoami-v3.dev.example.com`)',
        '  Entry points web',
        '  Middlewares  auth@file',
        '  Service      whoami-v3@ecs (loadbalancer)',
        '  Servers      1/2 UP',
        '    DOWN    http://10.0.0.5:80',
        '    UP      http://10.0.0.6:80',
        '',
      ].join('\n'),
    );
  });

  it("shows Traefik's errors and why the route needs attention", () => {
    const text = formatRouteDetails(tcp, false, now);
    expect(text).toContain('  Errors\n    entryPoint "db" doesn\'t exist\n');
    expect(text).toContain('  Needs attention\n    ! entryPoint "db" doesn\'t exist\n');
  });
});

describe('routes --watch without a terminal', () => {
  const tick = (overrides: Partial<WatchTick>): WatchTick => ({
    snapshot: undefined,
    changes: NO_CHANGES,
    error: undefined,
    failures: 0,
    nextAt: 0,
    ...overrides,
  });
  const snapshot = (routes = [healthy, down]) => ({
    routes,
    version: '3.7.9',
    fetchedAt: now,
    durationMs: 12,
    deploymentsKnown: true,
  });

  it('lists every route once, then one line per change, and API trouble once on stderr', () => {
    const lines = new WatchLines({});
    const at = now;
    expect(lines.lines(tick({ snapshot: snapshot() }), at)).toEqual({
      stdout: [
        '2026-08-01T13:00:00.000Z = whoami-v2@ecs enabled 1/1 whoami/v2 whoami-v2.dev.example.com',
        '2026-08-01T13:00:00.000Z = whoami-v3@ecs enabled 1/2 whoami/v3 whoami-v3.dev.example.com',
      ],
      stderr: [],
    });
    // nothing changed: nothing printed
    expect(lines.lines(tick({ snapshot: snapshot() }), at)).toEqual({ stdout: [], stderr: [] });
    // the API fails twice with the same error: one line
    const failure = tick({
      snapshot: snapshot(),
      error: new Error("Can't reach Traefik's API (ECONNREFUSED)."),
    });
    expect(lines.lines(failure, at).stderr).toEqual([
      "2026-08-01T13:00:00.000Z ! Can't reach Traefik's API (ECONNREFUSED).",
    ]);
    expect(lines.lines(failure, at).stderr).toEqual([]);
    // it comes back with one route changed, one removed, one added
    const changed = { ...down, serversUp: 0 };
    const changes = {
      added: new Set(['tcp:db@file']),
      changed: new Map([['whoami-v3@ecs', ['servers 1/2 -> 0/2']]]),
      removed: [healthy],
    };
    expect(lines.lines(tick({ snapshot: snapshot([changed, tcp]), changes }), at)).toEqual({
      stdout: [
        '2026-08-01T13:00:00.000Z ~ whoami-v3@ecs enabled 0/2 whoami/v3 whoami-v3.dev.example.com (servers 1/2 -> 0/2)',
        '2026-08-01T13:00:00.000Z + tcp:db@file disabled 1/1 - * ! router-error',
        '2026-08-01T13:00:00.000Z - whoami-v2@ecs removed',
      ],
      stderr: ["2026-08-01T13:00:00.000Z Traefik's API answers again."],
    });
  });

  it('ends with a one-line summary', () => {
    expect(watchSummary(tick({ snapshot: snapshot([healthy, tcp]) }))).toBe(
      '2 routes: 1 enabled  0 warning  1 disabled; 1 need attention (Traefik 3.7.9).',
    );
  });
});
