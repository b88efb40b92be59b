/**
 * The metrics reader on texts the real Traefik wrote (fixtures/metrics, captured while it served real
 * requests: see its README), plus small texts for what Traefik doesn't produce on demand: several
 * label sets in one histogram, escapes the parser must undo, answers that aren't Traefik's.
 */
import { readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { TraefikClient } from '../../../src/lib/traefik/client.js';
import { MetricsParseError, parseTraefikMetrics } from '../../../src/lib/traefik/metrics-parse.js';
import {
  estimateQuantile,
  trafficBetween,
  type MetricsScrape,
} from '../../../src/lib/traefik/metrics-rates.js';
import { scrapeMetrics, TrafficSampler } from '../../../src/lib/traefik/metrics.js';
import { startLocalServer, type LocalServer } from '../../support/local-server.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`fixtures/metrics/${name}`, import.meta.url), 'utf8');
const BEFORE = fixture('before.txt');
const AFTER = fixture('after-100-requests.txt');
const ESCAPED = fixture('escaped-names.txt');
const RESTARTED = fixture('after-restart.txt');

const scrape = (text: string, at: number): MetricsScrape => ({ at, metrics: parseTraefikMetrics(text) });
const LE = [0.1, 0.3, 1.2, 5, Number.POSITIVE_INFINITY];

describe('parseTraefikMetrics on real Traefik output', () => {
  it('reads the request counters and histograms per router and per service', () => {
    // given Traefik's answer after 100 requests to busy@file, 10 of them 500s
    const metrics = parseTraefikMetrics(AFTER);

    // then both the router and the service have one series per status code, with the requests
    expect(metrics.isTraefik).toBe(true);
    expect(metrics.startedAt).toBe(1_796_478_049.23);
    for (const set of [metrics.routers.get('busy@file'), metrics.services.get('busy@file')]) {
      const series = [...(set?.values() ?? [])].sort((a, b) => (a.code ?? 0) - (b.code ?? 0));
      expect(series.map((s) => [s.code, s.requests])).toEqual([
        [200, 90],
        [500, 10],
      ]);
      // and the cluster's buckets, cumulative, +Inf last
      expect(series[0]?.buckets.map((b) => b.le)).toEqual(LE);
      expect(series[1]?.buckets.map((b) => b.count)).toEqual([0, 10, 10, 10, 10]);
    }
    // and the router series don't repeat the service in their key
    expect([...(metrics.routers.get('busy@file')?.keys() ?? [])]).toContain(
      'code="500",method="GET",protocol="http"',
    );
  });

  it('undoes the escapes of label values: a quote and a backslash in a router name', () => {
    const metrics = parseTraefikMetrics(ESCAPED);
    expect(metrics.routers.get('odd"name\\x@file')?.size).toBe(1);
    expect(metrics.services.get('odd"name\\x@file')?.values().next().value?.requests).toBe(1);
  });

  it('knows a Traefik before any request: no series, but Traefik', () => {
    const metrics = parseTraefikMetrics(BEFORE);
    expect(metrics.isTraefik).toBe(true);
    expect(metrics.routers.has('busy@file')).toBe(false);
  });
});

describe('trafficBetween', () => {
  it('gives the window requests, rate, 4xx/5xx shares and latency buckets of the busy route', () => {
    // given two reads 10 s apart around the loop
    const report = trafficBetween(scrape(BEFORE, 1_000_000), scrape(AFTER, 1_010_000));

    // then
    expect(report.windowSeconds).toBe(10);
    const busy = report.routers.get('busy@file');
    expect(busy).toMatchObject({ requests: 100, requestsPerSecond: 10, share4xx: 0, share5xx: 0.1 });
    expect(busy?.counterReset).toBe(false);
    // the median within (0, 0.1], where 89 answers fell in this capture (one 200 took longer);
    // p95 within (0.1, 0.3], among the slow 500s
    expect(busy?.p50?.bucket).toEqual({ from: 0, to: 0.1 });
    expect(busy?.p50?.seconds).toBeCloseTo((0.1 * 50) / 89, 12);
    expect(busy?.p95?.bucket).toEqual({ from: 0.1, to: 0.3 });
    expect(busy?.p95?.seconds).toBeCloseTo(0.1 + 0.2 * ((95 - 89) / 11), 10);
    // and the quiet route got nothing in the window (its one request came before)
    expect(report.routers.get('quiet@file')).toMatchObject({
      requests: 0,
      requestsPerSecond: 0,
      share5xx: null,
    });
    expect(report.routers.get('quiet@file')?.p50).toBeNull();
  });

  it('counts from zero after a restart within the window: a reset, never a negative rate', () => {
    // given a read, then one of a Traefik started after it (fewer requests than before)
    const restarted = parseTraefikMetrics(RESTARTED);
    const started = (restarted.startedAt ?? 0) * 1000;
    const report = trafficBetween(scrape(AFTER, started - 500), { at: started + 4500, metrics: restarted });

    // then what the new process counted is the window's traffic
    expect(report.problem).toBeUndefined();
    expect(report.routers.get('busy@file')).toMatchObject({
      requests: 10,
      requestsPerSecond: 2,
      counterReset: true,
    });
    for (const traffic of report.routers.values())
      expect(traffic.requestsPerSecond).toBeGreaterThanOrEqual(0);
  });

  it('treats counters that went down as reset even without a start time', () => {
    // given the same texts without process_start_time_seconds
    const before = scrape(AFTER, 0);
    const after = scrape(RESTARTED, 5000);
    before.metrics.startedAt = undefined;
    after.metrics.startedAt = undefined;

    const busy = trafficBetween(before, after).services.get('busy@file');
    expect(busy?.requests).toBe(10);
    expect(busy?.counterReset).toBe(true);
    expect(busy?.p50?.bucket).toEqual({ from: 0, to: 0.1 });
  });

  it('gives no rates for reads of two different Traefik tasks', () => {
    // given a read of a task started later, then one of a task started earlier (behind one load balancer)
    const newer = scrape(RESTARTED, 2_000_000_000_000);
    const older = scrape(AFTER, 2_000_000_005_000);

    const report = trafficBetween(newer, older);
    expect(report.problem).toMatch(/different Traefik tasks/);
    expect(report.routers.size).toBe(0);
  });
});

describe('histograms and escapes the parser must get right', () => {
  // Two series of one histogram: the parser's own histogram grouping would merge them into one.
  const TWO_SERIES = [
    '# HELP traefik_service_request_duration_seconds How long requests took.',
    '# TYPE traefik_service_request_duration_seconds histogram',
    'traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="a@ecs",le="0.1"} 8',
    'traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="a@ecs",le="+Inf"} 10',
    'traefik_service_request_duration_seconds_sum{code="200",method="GET",protocol="http",service="a@ecs"} 1.5',
    'traefik_service_request_duration_seconds_count{code="200",method="GET",protocol="http",service="a@ecs"} 10',
    'traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="b\\\\c\\"d\\ne@file",le="0.1"} 0',
    'traefik_service_request_duration_seconds_bucket{code="200",method="GET",protocol="http",service="b\\\\c\\"d\\ne@file",le="+Inf"} 4',
    '# TYPE traefik_service_requests_total counter',
    'traefik_service_requests_total{code="200",method="GET",protocol="http",service="a@ecs"} 10',
    'traefik_service_requests_total{code="200",method="GET",protocol="http",service="b\\\\c\\"d\\ne@file"} 4',
  ].join('\n');

  it('keeps each series of a histogram with its own labels, and undoes \\\\, \\" and \\n', () => {
    const metrics = parseTraefikMetrics(TWO_SERIES);
    const a = [...(metrics.services.get('a@ecs')?.values() ?? [])];
    const odd = [...(metrics.services.get('b\\c"d\ne@file')?.values() ?? [])];
    expect(a.map((s) => s.buckets)).toEqual([
      [
        { le: 0.1, count: 8 },
        { le: Number.POSITIVE_INFINITY, count: 10 },
      ],
    ]);
    expect(odd.map((s) => [s.requests, s.buckets.map((b) => b.count)])).toEqual([[4, [0, 4]]]);
  });

  it('reports a p95 in the +Inf bucket as "more than the last bound"', () => {
    const metrics = parseTraefikMetrics(TWO_SERIES);
    const odd = metrics.services.get('b\\c"d\ne@file')?.values().next().value;
    expect(estimateQuantile(0.95, odd?.buckets ?? [])).toEqual({
      seconds: 0.1,
      bucket: { from: 0.1, to: null },
    });
    expect(estimateQuantile(0.5, [])).toBeNull();
    expect(estimateQuantile(0.5, [{ le: Number.POSITIVE_INFINITY, count: 0 }])).toBeNull();
  });

  it("refuses what isn't Prometheus' text format, and tells another server's metrics from Traefik's", () => {
    expect(() => parseTraefikMetrics('<!doctype html>\n<html><body>Login</body></html>\n')).toThrow(
      MetricsParseError,
    );
    expect(() => parseTraefikMetrics('traefik_service_requests_total{service="a@ecs" 1\n')).toThrow(
      MetricsParseError,
    );
    expect(parseTraefikMetrics('# TYPE up gauge\nup 1\n').isTraefik).toBe(false);
  });
});

describe('TrafficSampler through the API client', () => {
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const serve = async (handler: RequestListener) => {
    server = await startLocalServer(handler);
    return new TraefikClient({ apiUrl: server.url, password: 'secret', retries: 0 });
  };

  it('sends the API password to /metrics and reads twice a window apart', async () => {
    // given a stand-in for Traefik answering the captured texts in turn (checking the password)
    const texts = [BEFORE, AFTER];
    const seen: (string | undefined)[] = [];
    const client = await serve((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(texts.shift() ?? AFTER);
    });
    let clock = 0;
    const sampler = new TrafficSampler({
      windowMs: 4000,
      now: () => clock,
      wait: (ms) => {
        clock += ms;
        return Promise.resolve();
      },
    });

    const reading = await sampler.read(client, { waitForWindow: true });

    expect(reading.state).toBe('ready');
    if (reading.state !== 'ready') return;
    expect(reading.report.windowSeconds).toBe(4);
    expect(reading.report.routers.get('busy@file')).toMatchObject({ requests: 100, requestsPerSecond: 25 });
    expect(seen).toEqual([
      `Basic ${Buffer.from('admin:secret').toString('base64')}`,
      `Basic ${Buffer.from('admin:secret').toString('base64')}`,
    ]);
  });

  it('says once that an old cluster has no /metrics, then stops asking', async () => {
    // given a Traefik whose API answers, but nothing at /metrics (a cluster made before it)
    let asked = 0;
    const client = await serve((_request, response) => {
      asked++;
      response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
    });
    const sampler = new TrafficSampler();

    const first = await sampler.read(client, { waitForWindow: false });
    const second = await sampler.read(client, { waitForWindow: false });

    expect(first).toMatchObject({ state: 'unavailable', first: true, problem: { kind: 'not-exposed' } });
    expect(first.state === 'unavailable' && first.problem.suggestion).toMatch(/traefikctl cluster up/);
    expect(second).toMatchObject({ state: 'unavailable', first: false });
    expect(asked).toBe(1);
  });

  it('refuses a page that is not Traefik metrics, and a 401', async () => {
    const page = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>');
    });
    await expect(scrapeMetrics(page)).rejects.toMatchObject({ problem: { kind: 'not-traefik' } });
    await server?.close();

    const refused = await serve((_request, response) => {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="traefik"' }).end('401 Unauthorized\n');
    });
    await expect(scrapeMetrics(refused)).rejects.toMatchObject({ problem: { kind: 'unauthorized' } });
  });
});
