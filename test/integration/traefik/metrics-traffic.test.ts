/**
 * The metrics reader against the stack's real Traefik v3 serving real requests: `/metrics` behind the
 * API's basic auth (as `cluster up` serves it), two backends on loopback (small node servers with
 * known answers and delays: Traefik, not they, is under test), a bounded loop of requests, then
 * rates, shares and latency buckets as the views show them. A Traefik restart between two reads
 * (its counters start again at zero) gives no negative rate.
 *
 * TRAEFIKCTL_CAPTURE_METRICS=<dir> also writes the texts read here into <dir> (how the unit suite's
 * fixtures in test/lib/traefik/fixtures/ were captured).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { TraefikClient } from '../../../src/lib/traefik/client.js';
import { parseTraefikMetrics } from '../../../src/lib/traefik/metrics-parse.js';
import { trafficBetween, type MetricsScrape } from '../../../src/lib/traefik/metrics-rates.js';
import { scrapeMetrics, TrafficSampler } from '../../../src/lib/traefik/metrics.js';
import { describeWith } from '../../support/stack.js';
import { startLiveTraefik, type LiveTraefik } from '../../support/traefik-live.js';
import { getWithHost } from './support.js';
import {
  ODD_NAME as ODD,
  sendTraffic,
  startBackend,
  TRAFFIC_DOMAIN as DOMAIN,
  trafficRoutes as routes,
  type Backend,
} from './traffic-support.js';

const REQUESTS = 100;
const FAILING = 10;
const capture = process.env.TRAEFIKCTL_CAPTURE_METRICS;

async function keep(name: string, text: string): Promise<void> {
  if (capture !== undefined && capture !== '') await writeFile(path.join(capture, name), text);
}

describeWith(['traefik'], "the metrics reader on the real Traefik's /metrics", (stack) => {
  const backends: Backend[] = [];
  let live: LiveTraefik | undefined;
  let client: TraefikClient;

  const start = async (): Promise<LiveTraefik> => {
    const [busy, quiet] = backends;
    live = await startLiveTraefik(stack, {
      metrics: true,
      dynamic: { apps: routes(busy?.url ?? '', quiet?.url ?? '') },
    });
    client = new TraefikClient({ apiUrl: live.apiUrl, password: live.password });
    // Routed once the router answers (the file provider's first configuration is in).
    await getWithHost(`${live.apiUrl}/`, `quiet.${DOMAIN}`);
    return live;
  };

  beforeAll(async () => {
    backends.push(await startBackend(), await startBackend());
    await start();
  });

  afterAll(async () => {
    await live?.stop();
    for (const backend of backends) await backend.close();
  });

  it('reports the 5xx share, the request rate and the latency buckets of the busy route, zero for the quiet one', async () => {
    // given a first read of /metrics
    const before = await scrapeMetrics(client);
    await keep('before.txt', await client.metricsText());

    // when the busy route gets 100 requests, 10 of them answered 500 after 150 ms
    await sendTraffic(live?.apiUrl ?? '', REQUESTS);
    const text = await client.metricsText();
    const after: MetricsScrape = { at: Date.now(), metrics: parseTraefikMetrics(text) };
    await keep('after-100-requests.txt', text);
    const report = trafficBetween(before, after);

    // then the busy router and its service each counted exactly the loop's requests in the window
    for (const traffic of [report.routers.get('busy@file'), report.services.get('busy@file')]) {
      expect(traffic).toBeDefined();
      expect(traffic?.requests).toBe(REQUESTS);
      expect(traffic?.share5xx).toBeCloseTo(FAILING / REQUESTS, 10);
      expect(traffic?.share4xx).toBe(0);
      // and the rate is those requests over the time between the two reads
      expect(traffic?.requestsPerSecond).toBeCloseTo(REQUESTS / report.windowSeconds, 6);
      expect(traffic?.counterReset).toBe(false);
      // and the median is a fast answer, the 95th percentile one of the slow 500s: estimates within their bucket
      expect(traffic?.p50?.bucket).toEqual({ from: 0, to: 0.1 });
      expect(traffic?.p95?.bucket).toEqual({ from: 0.1, to: 0.3 });
    }
    // and a name with a quote and a backslash comes back as it was configured
    await getWithHost(`${live?.apiUrl ?? ''}/`, `odd.${DOMAIN}`);
    const odd = parseTraefikMetrics(await client.metricsText());
    await keep('escaped-names.txt', await client.metricsText());
    expect(odd.routers.get(`${ODD}@file`)?.size).toBe(1);
    // and the quiet route had none: Traefik has no counter for it at all
    expect(report.routers.get('quiet@file')?.requests ?? 0).toBeLessThanOrEqual(1);
    expect(report.routers.get('quiet@file')?.share5xx ?? 0).toBe(0);
  });

  it('gives no negative rate across a Traefik restart: the counters start again at zero', async () => {
    // given a read after traffic, and the sampler of a watch holding it
    await sendTraffic(live?.apiUrl ?? '', 20);
    const sampler = new TrafficSampler();
    expect((await sampler.read(client, { waitForWindow: false })).state).toBe('measuring');

    // when Traefik restarts (a new process: its counters are back at zero) and serves fewer requests
    await live?.stop();
    await start();
    await sendTraffic(live?.apiUrl ?? '', 10);
    const reading = await sampler.read(client, { waitForWindow: false });
    await keep('after-restart.txt', await client.metricsText());

    // then the busy route shows what the new process counted, marked as a reset, never below zero
    expect(reading.state).toBe('ready');
    if (reading.state !== 'ready') return;
    const busy = reading.report.routers.get('busy@file');
    expect(busy?.requests).toBe(10);
    expect(busy?.requestsPerSecond).toBeGreaterThan(0);
    expect(busy?.counterReset).toBe(true);
    for (const traffic of [...reading.report.routers.values(), ...reading.report.services.values()])
      expect(traffic.requestsPerSecond).toBeGreaterThanOrEqual(0);
  });
});
