import { afterEach, describe, expect, it, vi } from 'vitest';

import { createRoutesSource } from '../../../src/lib/routes/source.js';
import { TraefikClient } from '../../../src/lib/traefik/client.js';
import type { Presentation } from '../../../src/ui/mode.js';
import { runRoutesWatch } from '../../../src/ui/routes/run-watch.js';
import {
  generateEcsRoutes,
  startTraefikServer,
  type TraefikApiData,
  type TraefikTestServer,
} from '../../support/traefik-server.js';

const PIPE: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };

let server: TraefikTestServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.stop();
});

/** The captured lines without their ISO 8601 time. */
const timeless = (chunks: string[]) =>
  chunks
    .join('')
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(/^\S+Z /, '<t> '));

describe('routes --watch without a terminal', () => {
  it('lists the routes, prints each change and API failure, and ends with the summary on Ctrl-C', async () => {
    // given a Traefik with two routes, watched every 20ms
    const { routers, services } = generateEcsRoutes(2);
    let data: TraefikApiData = { http: { routers, services } };
    server = await startTraefikServer({ data: () => data });
    const url = server.url;
    const source = createRoutesSource({
      env: 'dev',
      client: (signal) => new TraefikClient({ apiUrl: url, retries: 0, timeoutMs: 1_000, signal }),
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    // The view writes to the process's own streams; capture them to read what the user would.
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
    const result = runRoutesWatch(source, { filter: {}, intervalMs: 20, presentation: PIPE });
    await vi.waitFor(() => expect(stdout.join('')).toContain('app0-v1'), { timeout: 5_000, interval: 10 });

    // when app0-v1's only server goes DOWN, then the API goes away and comes back
    data = {
      http: {
        routers,
        services: services.map((s) =>
          s.name === 'app0-v1@ecs' ? { ...s, serverStatus: { 'http://10.0.0.1:80': 'DOWN' } } : s,
        ),
      },
    };
    await vi.waitFor(() => expect(stdout.join('')).toContain('~ app0-v1'), { timeout: 5_000, interval: 10 });
    await server.stop();
    await vi.waitFor(() => expect(stderr.join('')).toContain(' ! '), { timeout: 5_000, interval: 10 });
    await server.start();
    await vi.waitFor(() => expect(stderr.join('')).toContain('answers again'), {
      timeout: 5_000,
      interval: 10,
    });
    // and the user presses Ctrl-C
    process.emit('SIGINT');

    // then it ends as interrupted, summing up the last good refresh
    await expect(result).resolves.toEqual({
      interrupted: true,
      line: '2 routes: 2 enabled  0 warning  0 disabled; 1 need attention (Traefik 3.7.9).',
    });
    vi.restoreAllMocks();
    // stdout lists the routes once, then the change
    expect(timeless(stdout)).toEqual([
      '<t> = app0-v0@ecs enabled 2/2 - app0-v0.dev.example.com',
      '<t> = app0-v1@ecs enabled 1/1 - app0-v1.dev.example.com',
      '<t> ~ app0-v1@ecs enabled 0/1 - app0-v1.dev.example.com ! no-server-up (servers 1/1 -> 0/1, attention: no-server-up)',
    ]);
    // stderr has the failure once, and the recovery
    expect(timeless(stderr)).toEqual([
      `<t> ! Can't reach Traefik's API at ${url} (ECONNREFUSED).`,
      "<t> Traefik's API answers again.",
    ]);
  });
});
