/**
 * `routes --watch --traffic` as a user sees it on a terminal (the ink view at a fixed width), against
 * the stack's real Traefik serving real requests: the first refresh is measuring; after a burst of
 * 100 requests to one route (10 of them slow 500s) between two refreshes, that route shows 10% 5xx,
 * its rate, p50/p95 and a sparkline, the other route 0; `s` sorts by 5xx.
 */
import { stripVTControlCharacters } from 'node:util';

import { render } from 'ink-testing-library';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

import {
  createRoutesSource,
  type RoutesSnapshot,
  type RoutesSource,
} from '../../../src/lib/routes/source.js';
import { TraefikClient } from '../../../src/lib/traefik/client.js';
import { TrafficSampler } from '../../../src/lib/traefik/metrics.js';
import { routesWithTraffic } from '../../../src/lib/traffic/open.js';
import { WatchApp } from '../../../src/ui/routes/WatchApp.js';
import { describeWith } from '../../support/stack.js';
import { startLiveTraefik, type LiveTraefik } from '../../support/traefik-live.js';
import { getWithHost } from './support.js';
import { sendTraffic, startBackend, TRAFFIC_DOMAIN, trafficRoutes, type Backend } from './traffic-support.js';

/** Long enough that the burst (about 2 s) always falls between two refreshes. */
const INTERVAL_MS = 6_000;

describeWith(['traefik'], 'routes --watch --traffic on the real Traefik', (stack) => {
  const backends: Backend[] = [];
  let live: LiveTraefik;
  let unmount: (() => void) | undefined;

  beforeAll(async () => {
    backends.push(await startBackend(), await startBackend());
    const [busy, quiet] = backends;
    live = await startLiveTraefik(stack, {
      metrics: true,
      dynamic: { apps: trafficRoutes(busy?.url ?? '', quiet?.url ?? '') },
    });
    await getWithHost(`${live.apiUrl}/`, `quiet.${TRAFFIC_DOMAIN}`);
  });

  afterAll(async () => {
    unmount?.();
    await live?.stop();
    for (const backend of backends) await backend.close();
  });

  it('shows each route live with req/s, 4xx/5xx, p50/p95 and a sparkline, and sorts by 5xx', async () => {
    // given the watch view of the live Traefik with --traffic, its refreshes counted
    const client = (signal?: AbortSignal) =>
      new TraefikClient({ apiUrl: live.apiUrl, password: live.password, retries: 0, signal });
    const sampler = new TrafficSampler();
    const traffic = routesWithTraffic(
      createRoutesSource({ env: 'dev', client }),
      { read: (call) => sampler.read(client(), call) },
      { waitForWindow: false },
    );
    const refreshes: RoutesSnapshot[] = [];
    const source: RoutesSource = {
      ...traffic,
      snapshot: async (call) => {
        const snapshot = await traffic.snapshot(call);
        refreshes.push(snapshot);
        return snapshot;
      },
    };
    const view = render(
      <WatchApp
        source={source}
        intervalMs={INTERVAL_MS}
        filter={{}}
        width={170}
        height={16}
        color={false}
        onExit={() => undefined}
      />,
    );
    unmount = view.unmount;
    const frame = () => stripVTControlCharacters(view.lastFrame() ?? '');
    const refreshed = (count: number) =>
      vi.waitFor(
        () => {
          if (refreshes.length < count) throw new Error(`${refreshes.length} refreshes so far`);
        },
        { timeout: INTERVAL_MS * 2, interval: 20 },
      );

    // when the first refresh is in: no window yet
    await refreshed(1);
    await vi.waitFor(() => expect(frame()).toContain('traffic: measuring until the next refresh'));

    // and the busy route then gets 100 requests, 10 of them 500s after 150 ms, before the next refresh
    await sendTraffic(live.apiUrl, 100);
    await refreshed(2);

    // then the busy route shows the window's 10% 5xx, a rate, the buckets' estimates and a bar
    const second = await vi.waitFor(() => {
      const text = frame();
      expect(text).toMatch(/traffic over \d+\.\ds \(p50\/p95: estimates within their bucket\)/);
      return text;
    });
    expect(second).toMatch(/REQ\/S\s+4XX\s+5XX\s+P50\s+P95\s+TREND/);
    const busy = second.split('\n').find((line) => line.includes(`busy.${TRAFFIC_DOMAIN}`)) ?? '';
    // (a rate above zero is written with decimals; zero is `0`)
    expect(busy, second).toMatch(/\s\d+\.\d+\s+0%\s+10%\s+~\d+ms\s+~\d+ms\s+█/);
    // and the JSON-shaped numbers behind it are exact
    const route = refreshes[1]?.routes.find((r) => r.name === 'busy@file');
    expect(route?.traffic).toMatchObject({ requests: 100, share5xx: 0.1, share4xx: 0 });
    expect(route?.traffic?.p95?.bucket).toEqual([0.1, 0.3]);
    // and the quiet route had none
    expect(second.split('\n').find((line) => line.includes(`quiet.${TRAFFIC_DOMAIN}`))).toMatch(
      /\s0\s+-\s+-\s+-\s+-\s/,
    );

    // when s is pressed until the sort is by 5xx
    for (let i = 0; i < 6; i++) {
      view.stdin.write('s');
      await new Promise((resolve) => setTimeout(resolve, 30));
    }

    // then the failing route comes first
    const sorted = await vi.waitFor(() => {
      const text = frame();
      expect(text).toContain('s sort: 5xx');
      return text;
    });
    const rows = sorted.split('\n').filter((line) => line.includes(TRAFFIC_DOMAIN));
    expect(rows[0]).toContain(`busy.${TRAFFIC_DOMAIN}`);
  }, 60_000);
});
