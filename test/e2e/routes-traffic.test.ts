/**
 * `traefikctl routes --traffic` as a user runs it (bin/run.js, pipes), against the stack's real
 * Traefik v3 with `/metrics` behind the API's basic auth, serving real requests: the acceptance of
 * issue 19. A pass-through proxy in front of Traefik (as a load balancer would be) tells the test
 * when the CLI has read /metrics the first time, so that the loop of 100 requests falls in its window.
 * Also: a Traefik without the metrics router (an old cluster) is said once, everything else shown.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { runCli } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { startLiveTraefik, type LiveTraefik } from '../support/traefik-live.js';
import { getWithHost } from '../integration/traefik/support.js';
import {
  sendTraffic,
  startBackend,
  startProxy,
  TRAFFIC_DOMAIN,
  trafficRoutes,
  type Backend,
} from '../integration/traefik/traffic-support.js';

interface JsonRoute {
  name: string;
  traffic?: {
    requests: number;
    requestsPerSecond: number;
    windowSeconds: number;
    share4xx: number | null;
    share5xx: number | null;
    p50: { seconds: number; bucket: [number, number | null]; estimate: string } | null;
    p95: { seconds: number; bucket: [number, number | null]; estimate: string } | null;
  };
}

describeWith(['traefik'], 'routes --traffic against a live Traefik serving real requests', (stack) => {
  const env = uniqueName('tf');
  const backends: Backend[] = [];
  let live: LiveTraefik;
  let old: LiveTraefik;
  let cwd: string;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-routes-traffic-'));
    backends.push(await startBackend(), await startBackend());
    const [busy, quiet] = backends;
    const dynamic = { apps: trafficRoutes(busy?.url ?? '', quiet?.url ?? '') };
    [live, old] = await Promise.all([
      startLiveTraefik(stack, { metrics: true, dynamic }),
      // A cluster made before /metrics was routed: the API answers, /metrics is a 404.
      startLiveTraefik(stack, { dynamic }),
    ]);
    await getWithHost(`${live.apiUrl}/`, `quiet.${TRAFFIC_DOMAIN}`);
  });

  afterAll(async () => {
    await live?.stop();
    await old?.stop();
    for (const backend of backends) await backend.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('routes --json --traffic reports the 10% 5xx share and the rate of the route that got 100 requests, zero for the other', async () => {
    // given a proxy in front of Traefik that tells when the CLI's first read of /metrics is done
    let firstRead: () => void = () => undefined;
    const readOnce = new Promise<void>((resolve) => (firstRead = resolve));
    const proxy = await startProxy(live.apiUrl, () => firstRead());
    try {
      // when routes --json --traffic runs with a 10s window, and 100 requests (10 answered 500) go to
      // the busy route inside that window
      const started = Date.now();
      const run = runCli(
        ['routes', '--json', '--traffic', '--window', '10s', '--api-url', proxy.url, '--env', env],
        {
          cwd,
          env: { TRAEFIKCTL_TRAEFIK_PASSWORD: live.password },
        },
      );
      await readOnce;
      await sendTraffic(live.apiUrl, 100);
      const { stdout, stderr, exitCode } = await run;
      const elapsed = (Date.now() - started) / 1000;

      // then it exits 0 with nothing on stderr, and the busy route carries exactly that traffic
      expect(exitCode, stderr).toBe(0);
      expect(stderr).toBe('');
      const routes = JSON.parse(stdout) as JsonRoute[];
      const busy = routes.find((route) => route.name === 'busy@file')?.traffic;
      expect(busy).toMatchObject({ requests: 100, share5xx: 0.1, share4xx: 0 });
      // at the rate of 100 requests over the window, which is about the 10s asked for
      expect(busy?.windowSeconds).toBeGreaterThanOrEqual(9.5);
      expect(busy?.windowSeconds).toBeLessThanOrEqual(Math.min(12, elapsed));
      expect(busy?.requestsPerSecond).toBeCloseTo(100 / (busy?.windowSeconds ?? 1), 6);
      // and latency estimates within their buckets: fast 200s, slow 500s
      expect(busy?.p50).toMatchObject({ bucket: [0, 0.1], estimate: 'within its bucket' });
      expect(busy?.p95).toMatchObject({ bucket: [0.1, 0.3], estimate: 'within its bucket' });
      // and the quiet route got none
      expect(routes.find((route) => route.name === 'quiet@file')?.traffic).toMatchObject({
        requests: 0,
        requestsPerSecond: 0,
        share5xx: null,
      });
    } finally {
      await proxy.close();
    }
  });

  it('routes --traffic in a pipe appends the traffic columns after the usual ones', async () => {
    const { stdout, stderr, exitCode } = await runCli(
      ['routes', '--traffic', '--window', '1s', '--api-url', live.apiUrl, '--env', env],
      { cwd, env: { TRAEFIKCTL_TRAEFIK_PASSWORD: live.password } },
    );
    expect(exitCode, stderr).toBe(0);
    // host, status, servers, provider, app/tag, age, router as before; then req/s, 4xx, 5xx, p50, p95
    expect(stdout).toContain(
      `quiet.${TRAFFIC_DOMAIN}\tenabled\t1/1\tfile\t-\t-\tquiet@file\t0\t-\t-\t-\t-\n`,
    );
  });

  it('says once that an old cluster serves no /metrics, and lists the routes as before', async () => {
    const { stdout, stderr, exitCode } = await runCli(
      ['routes', '--traffic', '--window', '1s', '--api-url', old.apiUrl, '--env', env],
      { cwd, env: { TRAEFIKCTL_TRAEFIK_PASSWORD: old.password } },
    );
    expect(exitCode, stderr).toBe(0);
    expect(stdout).toContain(`busy.${TRAFFIC_DOMAIN}\tenabled\t1/1\tfile\t-\t-\tbusy@file\n`);
    expect(stderr.match(/doesn't serve \/metrics/g)).toHaveLength(1);
    expect(stderr).toContain(
      'Run `traefikctl cluster up` to add the /metrics router behind the API password.',
    );
  });
});
