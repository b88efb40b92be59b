import { stripVTControlCharacters } from 'node:util';

import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { DeploymentRecord } from '../../../src/lib/model.js';
import { createRoutesSource } from '../../../src/lib/routes/source.js';
import { TraefikClient } from '../../../src/lib/traefik/client.js';
import { WatchApp, type WatchExit } from '../../../src/ui/routes/WatchApp.js';
import {
  generateEcsRoutes,
  startTraefikServer,
  type TraefikApiData,
  type TraefikTestServer,
} from '../../support/traefik-server.js';
import { deploymentOf } from '../../lib/routes/route-factory.js';

const KEYS = { down: '\u001B[B', enter: '\r', escape: '\u001B' };

let server: TraefikTestServer | undefined;
let unmount: (() => void) | undefined;
afterEach(async () => {
  unmount?.();
  await server?.stop();
});

/** Polls the last frame until `check` passes (the view refreshes on its own timer). */
async function frameWhere(
  lastFrame: () => string | undefined,
  check: (frame: string) => boolean,
): Promise<string> {
  let frame = '';
  await vi.waitFor(
    () => {
      frame = stripVTControlCharacters(lastFrame() ?? '');
      if (!check(frame)) throw new Error(`frame did not match yet:\n${frame}`);
    },
    { timeout: 8_000, interval: 20 },
  );
  return frame;
}

/** Five deployments of app0 in Traefik's shapes; `mutate` edits what the next request sees. */
async function watchedTraefik(width: number, height = 20) {
  const { routers, services } = generateEcsRoutes(5);
  let data: TraefikApiData = { http: { routers, services } };
  server = await startTraefikServer({ data: () => data });
  const url = server.url;
  const deployments: DeploymentRecord[] = ['app0-v0', 'app0-v1', 'app0-v2', 'app0-v3', 'app0-v4'].map(
    (name) => deploymentOf(name),
  );
  const source = createRoutesSource({
    env: 'dev',
    client: (signal) => new TraefikClient({ apiUrl: url, retries: 0, timeoutMs: 1_000, signal }),
    deployments: () => Promise.resolve(deployments),
  });
  const exits: WatchExit[] = [];
  const view = render(
    <WatchApp
      source={source}
      intervalMs={250}
      filter={{}}
      width={width}
      height={height}
      color={false}
      onExit={(exit) => exits.push(exit)}
    />,
  );
  unmount = view.unmount;
  return {
    view,
    exits,
    setData: (next: TraefikApiData) => {
      data = next;
    },
    routers,
    services,
  };
}

describe('routes --watch view', () => {
  it('shows the change, survives the API going down and coming back, and quits on q', async () => {
    // given a Traefik with five routes, watched every 250ms
    const { view, exits, setData, routers, services } = await watchedTraefik(100);
    const first = await frameWhere(view.lastFrame, (f) => f.includes('app0-v4.dev.example.com'));
    expect(first).toContain('Traefik 3.7.9');
    expect(first).toContain('5 enabled  0 warning  0 disabled');
    expect(first).toMatch(/↻ refreshed \d\d:\d\d:\d\d in \d+m?s · every 250ms/);
    expect(first).toContain('HOST');
    expect(first).toMatch(/app0-v1\.dev\.example\.com\s+enabled\s+1\/1\s+ecs\s+app0\/v1/);

    // when app0-v1's only server goes DOWN
    setData({
      http: {
        routers,
        services: services.map((s) =>
          s.name === 'app0-v1@ecs' ? { ...s, serverStatus: { 'http://10.0.0.1:80': 'DOWN' } } : s,
        ),
      },
    });
    // then its row is marked changed and the header counts it
    const changed = await frameWhere(view.lastFrame, (f) =>
      /~ app0-v1\.dev\.example\.com\s+enabled\s+0\/1/.test(f),
    );
    expect(changed).toContain('1 need attention');

    // when the API goes away, the failure shows in the header and the rows stay
    await server?.stop();
    const down = await frameWhere(view.lastFrame, (f) => f.includes("✗ Can't reach Traefik's API"));
    expect(down).toContain('ECONNREFUSED');
    expect(down).toContain('app0-v4.dev.example.com');

    // when it comes back without app0-v4's router, the header recovers and the row shows the
    // deployment as missing, marked changed for one refresh
    setData({ http: { routers: routers.slice(0, 4), services } });
    await server?.start();
    const back = await frameWhere(view.lastFrame, (f) =>
      /~ app0-v4\.dev\.example\.com\s+missing\s+0\/0/.test(f),
    );
    expect(back).toContain('↻ refreshed');
    expect(back).not.toContain('✗');
    expect(back).toContain('4 enabled  0 warning  0 disabled  1 missing');

    // when q is pressed, the view exits and stops refreshing
    view.stdin.write('q');
    await vi.waitFor(() => expect(exits).toHaveLength(1));
    expect(exits[0]?.interrupted).toBe(false);
    const requests = server?.requests.length ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(server?.requests.length).toBe(requests);
  });

  it('filters with /, opens details with arrows and Enter, and sorts with s', async () => {
    const { view } = await watchedTraefik(100);
    await frameWhere(view.lastFrame, (f) => f.includes('app0-v4.dev.example.com'));

    // / then text filters the rows as it is typed
    view.stdin.write('/');
    view.stdin.write('v3');
    const filtered = await frameWhere(view.lastFrame, (f) => f.includes('showing 1 of 5'));
    expect(filtered).toContain('app0-v3.dev.example.com');
    expect(filtered).not.toContain('app0-v2.dev.example.com');
    expect(filtered).toContain('/v3');
    view.stdin.write(KEYS.enter);
    await frameWhere(view.lastFrame, (f) => f.includes('filter "v3" (Esc clears)'));
    view.stdin.write(KEYS.escape);
    await frameWhere(view.lastFrame, (f) => f.includes('app0-v2.dev.example.com'));

    // ↓ then Enter opens the second route's details
    view.stdin.write(KEYS.down);
    await new Promise((resolve) => setTimeout(resolve, 50));
    view.stdin.write(KEYS.enter);
    const details = await frameWhere(view.lastFrame, (f) => f.includes('Esc back'));
    expect(details).toContain('app0-v1@ecs  enabled');
    expect(details).toContain('Rule         Host(`app0-v1.dev.example.com`)');
    expect(details).toMatch(/UP\s+http:\/\/10\.0\.0\.1:80/);
    view.stdin.write(KEYS.escape);
    await frameWhere(view.lastFrame, (f) => f.includes('s sort: name'));

    // s cycles the sort order
    view.stdin.write('s');
    await frameWhere(view.lastFrame, (f) => f.includes('s sort: status'));
  });

  it('says "No routes match." only once Traefik answered, not while reading or failing', async () => {
    // given a Traefik whose first answer hangs
    server = await startTraefikServer({ data: { http: { routers: [], services: [] } } });
    server.misbehave({ kind: 'hang' });
    const url = server.url;
    const source = createRoutesSource({
      env: 'dev',
      client: (signal) => new TraefikClient({ apiUrl: url, retries: 0, timeoutMs: 300, signal }),
      deployments: () => Promise.resolve([]),
    });
    const view = render(
      <WatchApp
        source={source}
        intervalMs={250}
        filter={{}}
        width={100}
        height={20}
        color={false}
        onExit={() => {}}
      />,
    );
    unmount = view.unmount;
    // then, while it reads, the header says so and the table claims nothing
    const reading = await frameWhere(view.lastFrame, (f) => f.includes('Reading'));
    expect(reading).not.toContain('No routes match.');
    // and when the API fails before its first answer, the table still claims nothing
    await server.stop();
    const failing = await frameWhere(view.lastFrame, (f) => f.includes('✗'));
    expect(failing).not.toContain('No routes match.');
    // when it answers with no routers, the table says there are none
    server.misbehave(undefined);
    await server.start();
    const empty = await frameWhere(view.lastFrame, (f) => f.includes('↻ refreshed'));
    expect(empty).toContain('No routes match.');
  });

  it.each([80, 200])('never draws a line wider than %i columns', async (width) => {
    const { view } = await watchedTraefik(width);
    const frame = await frameWhere(view.lastFrame, (f) => f.includes('app0-v4'));
    for (const line of frame.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
    expect(frame.split('\n').length).toBeLessThan(20);
  });
});
