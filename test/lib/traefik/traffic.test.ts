/**
 * Traffic joined to what the views list, and `status --traffic`'s flags, on the reports the real
 * Traefik's captured texts give (fixtures/metrics).
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { parseTraefikMetrics } from '../../../src/lib/traefik/metrics-parse.js';
import { trafficBetween } from '../../../src/lib/traefik/metrics-rates.js';
import type { TrafficReading } from '../../../src/lib/traefik/metrics.js';
import { parseWindow, withDeploymentTraffic } from '../../../src/lib/traffic/open.js';
import {
  DEFAULT_THRESHOLDS,
  parseIdleAfter,
  parseMaxShare,
  trafficProblems,
} from '../../../src/lib/traffic/status.js';
import {
  attachDeploymentTraffic,
  attachTraffic,
  trafficStatus,
  type RowTraffic,
} from '../../../src/lib/traefik/traffic.js';

type RouteRow = { name: string; protocol: string; service: string; traffic?: RowTraffic | undefined };

const fixture = (name: string) =>
  parseTraefikMetrics(readFileSync(new URL(`fixtures/metrics/${name}`, import.meta.url), 'utf8'));
const ready: TrafficReading = {
  state: 'ready',
  report: trafficBetween(
    { at: 0, metrics: fixture('before.txt') },
    { at: 10_000, metrics: fixture('after-100-requests.txt') },
  ),
};

describe('attachTraffic', () => {
  it('gives HTTP routes their router traffic, routes without counters zero, TCP routes none', () => {
    const rows = attachTraffic<RouteRow>(
      [
        { name: 'busy@file', protocol: 'http', service: 'busy@file' },
        { name: 'never@file', protocol: 'http', service: 'never@file' },
        { name: 'db@file', protocol: 'tcp', service: 'db@file' },
      ],
      ready,
    );
    expect(rows[0]?.traffic).toMatchObject({
      requests: 100,
      requestsPerSecond: 10,
      share5xx: 0.1,
      p50: { bucket: [0, 0.1], estimate: 'within its bucket' },
      p95: { bucket: [0.1, 0.3], estimate: 'within its bucket' },
    });
    expect(rows[1]?.traffic).toMatchObject({ requests: 0, requestsPerSecond: 0, requestsSinceStart: 0 });
    expect(rows[2]?.traffic).toBeUndefined();
  });

  it('leaves rows as they are when traffic is unavailable or still measuring', () => {
    const row = { name: 'busy@file', protocol: 'http' };
    expect(attachTraffic([row], { state: 'measuring' })).toEqual([row]);
    const unavailable: TrafficReading = {
      state: 'unavailable',
      first: true,
      problem: { kind: 'not-exposed', message: 'no', suggestion: 'yes', permanent: true },
    };
    expect(attachTraffic([row], unavailable)).toEqual([row]);
    expect(trafficStatus(unavailable)).toEqual({
      state: 'unavailable',
      message: 'no',
      suggestion: 'yes',
      first: true,
    });
  });
});

describe('deployment traffic', () => {
  it('finds a deployment by its service name under any provider', () => {
    const [busy, quiet, gone] = attachDeploymentTraffic(
      [{ service: 'busy' }, { service: 'quiet' }, { service: 'gone' }],
      ready,
    );
    expect(busy?.traffic).toMatchObject({ requests: 100, share5xx: 0.1 });
    // quiet had its one request before the window
    expect(quiet?.traffic).toMatchObject({ requests: 0, requestsSinceStart: 1 });
    expect(gone?.traffic).toMatchObject({ requests: 0, requestsSinceStart: 0 });
  });

  it('adds the traffic status to a listing only when traffic was asked for', () => {
    const listing = { env: 'dev', deployments: [{ service: 'busy' }] };
    expect(withDeploymentTraffic(listing, undefined)).toEqual(listing);
    expect(withDeploymentTraffic(listing, ready).traffic).toMatchObject({
      state: 'ready',
      windowSeconds: 10,
    });
  });
});

describe('status --traffic problems', () => {
  const status = trafficStatus(ready);
  const startedAt = status.state === 'ready' ? (status.traefikStartedAt ?? 0) : 0;
  const [busy, quiet, never] = attachDeploymentTraffic(
    [{ service: 'busy' }, { service: 'quiet' }, { service: 'never' }],
    ready,
  );
  const deployed = { deployedAt: new Date(startedAt - 3_600_000).toISOString() };

  it('flags a 5xx share above the threshold, not one at or below it', () => {
    const now = startedAt + 60_000;
    expect(trafficProblems(deployed, busy?.traffic, status, DEFAULT_THRESHOLDS, now)).toEqual([
      '5xx on 10% of 100 requests in the last 10s (more than 5%)',
    ]);
    expect(
      trafficProblems(deployed, busy?.traffic, status, { ...DEFAULT_THRESHOLDS, maxShare5xx: 0.1 }, now),
    ).toEqual([]);
  });

  it('flags as idle only what had no request since a Traefik older than the idle time', () => {
    const day = DEFAULT_THRESHOLDS.idleAfterMs;
    const later = startedAt + day + 1;
    expect(trafficProblems(deployed, never?.traffic, status, DEFAULT_THRESHOLDS, later)).toEqual([
      'idle: no request since Traefik started 24h ago; `app prune` can remove it',
    ]);
    // a Traefik younger than a day knows too little; one request since it started is not idle
    expect(trafficProblems(deployed, never?.traffic, status, DEFAULT_THRESHOLDS, startedAt + 60_000)).toEqual(
      [],
    );
    expect(trafficProblems(deployed, quiet?.traffic, status, DEFAULT_THRESHOLDS, later)).toEqual([]);
    // nor a deployment younger than the idle time
    const fresh = { deployedAt: new Date(later - 60_000).toISOString() };
    expect(trafficProblems(fresh, never?.traffic, status, DEFAULT_THRESHOLDS, later)).toEqual([]);
  });
});

describe('flags', () => {
  it('reads --window, --max-5xx and --idle-after, and refuses bad values with exit 2', () => {
    expect(parseWindow('10s')).toBe(10_000);
    expect(parseMaxShare('2.5')).toBe(0.025);
    expect(parseMaxShare('5%')).toBe(0.05);
    expect(parseIdleAfter('3d')).toBe(259_200_000);
    for (const bad of [
      () => parseWindow('0.5s'),
      () => parseWindow('2h'),
      () => parseMaxShare('120'),
      () => parseIdleAfter('soon'),
    ])
      expect(bad).toThrow(expect.objectContaining({ exitCode: 2 }) as Error);
  });
});
