/**
 * Route discovery against a local stand-in for Traefik's API (test/support/traefik-server.ts, on
 * 127.0.0.1) whose answers change between polls, as Traefik's do when its ECS provider refreshes.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { Poller } from '../../../../src/lib/app/deploy/poll.js';
import { waitForRoute } from '../../../../src/lib/app/deploy/track-route.js';
import { ExitCode, UserError } from '../../../../src/lib/errors.js';
import { TraefikClient } from '../../../../src/lib/traefik/client.js';
import {
  startTraefikServer,
  type TraefikApiData,
  type TraefikTestServer,
} from '../../../support/traefik-server.js';

const NAME = 'whoami-v2';
const HOST = 'whoami-v2.dev.example.com';

function router(status = 'enabled') {
  return {
    name: `${NAME}@ecs`,
    provider: 'ecs',
    status,
    rule: `Host(\`${HOST}\`)`,
    service: NAME,
    entryPoints: ['web'],
    ...(status === 'enabled' ? {} : { error: ['the service "whoami-v2@ecs" does not exist'] }),
  };
}

function ecsService(status: 'UP' | 'DOWN') {
  return {
    name: `${NAME}@ecs`,
    provider: 'ecs',
    status: 'enabled',
    type: 'loadbalancer',
    loadBalancer: { servers: [{ url: 'http://10.0.1.23:80' }] },
    serverStatus: { 'http://10.0.1.23:80': status },
  };
}

let server: TraefikTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('waitForRoute', () => {
  it('waits until Traefik has the router enabled with a server UP', async () => {
    // given a Traefik that first knows nothing, then has the router with a DOWN server, then UP
    const states: TraefikApiData[] = [
      { http: { routers: [], services: [] } },
      { http: { routers: [router()], services: [ecsService('DOWN')] } },
      { http: { routers: [router()], services: [ecsService('UP')] } },
    ];
    // (each poll reads the router first: the Nth router request sees the Nth state)
    const current = (): TraefikApiData => {
      const polls = server?.requests.filter((path) => path.startsWith('/api/http/routers/')).length ?? 1;
      return states[Math.min(polls - 1, states.length - 1)] ?? {};
    };
    server = await startTraefikServer({ data: current });
    const api = new TraefikClient({ apiUrl: server.url, retries: 0 });
    const details: string[] = [];

    // when waiting for the route
    const route = await waitForRoute({
      api,
      name: NAME,
      host: HOST,
      poller: new Poller({ intervalMs: 10 }),
      deadline: Date.now() + 10_000,
      timeoutText: '10s',
      setDetail: (detail) => details.push(detail),
    });

    // then it saw each state and ended on the UP server
    expect(route).toEqual({
      router: 'whoami-v2@ecs',
      rule: 'Host(`whoami-v2.dev.example.com`)',
      servers: [{ url: 'http://10.0.1.23:80', status: 'UP' }],
    });
    expect(details).toEqual([
      'waiting for Traefik to find the tasks (it looks at ECS every refresh interval, 15s by default)',
      'router whoami-v2@ecs has 1 server, none UP',
    ]);
    expect(server.requests).toContain('/api/http/routers/whoami-v2@ecs');
  });

  it("names the configured traefik.refreshInterval while Traefik hasn't found the tasks", async () => {
    server = await startTraefikServer({ data: { http: { routers: [], services: [] } } });
    const api = new TraefikClient({ apiUrl: server.url, retries: 0 });
    const details: string[] = [];

    await waitForRoute({
      api,
      name: NAME,
      host: HOST,
      poller: new Poller({ intervalMs: 10 }),
      deadline: Date.now() + 100,
      timeoutText: '0.1s',
      refreshInterval: '30s',
      setDetail: (detail) => details.push(detail),
    }).catch(() => undefined);

    expect(details[0]).toBe(
      'waiting for Traefik to find the tasks (it looks at ECS every 30s, traefik.refreshInterval)',
    );
  });

  it('gives up with exit 5, saying what Traefik showed last, when the route never works', async () => {
    // given a Traefik whose router for the deployment is disabled
    server = await startTraefikServer({ data: { http: { routers: [router('disabled')], services: [] } } });
    const api = new TraefikClient({ apiUrl: server.url, retries: 0 });

    // when waiting 1 s for it (room for a first answer on a loaded machine)
    const error = await waitForRoute({
      api,
      name: NAME,
      host: HOST,
      poller: new Poller({ intervalMs: 20 }),
      deadline: Date.now() + 1_000,
      timeoutText: '3m',
      hints: { routes: 'traefikctl routes --env dev', env: 'dev' },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );

    // then the error says what is wrong, with exit 5
    expect(error).toBeInstanceOf(UserError);
    const userError = error as UserError;
    expect(userError.exitCode).toBe(ExitCode.RouteNotDiscovered);
    expect(userError.message).toBe(
      `Traefik at ${server.url} doesn't route ${HOST} after 3m: router whoami-v2@ecs is disabled: the service "whoami-v2@ecs" does not exist.`,
    );
    expect(userError.suggestions).toContain('See what Traefik routes: `traefikctl routes --env dev`.');
    expect(userError.suggestions[0]).toContain('traefikctl.env=dev');
  });

  it('keeps looking while Traefik is briefly unreachable, and times out as 4 on the overall deadline', async () => {
    // given a Traefik API that is down
    server = await startTraefikServer({ data: {} });
    const url = server.url;
    await server.stop();
    server = undefined;
    const api = new TraefikClient({ apiUrl: url, retries: 0 });

    // when the overall --timeout is what ends the wait
    const error = await waitForRoute({
      api,
      name: NAME,
      host: HOST,
      poller: new Poller({ intervalMs: 20 }),
      deadline: Date.now() + 150,
      deadlineIsOverall: true,
      timeoutText: 'the --timeout of 10m',
    }).then(
      () => undefined,
      (e: unknown) => e as UserError,
    );

    expect(error?.exitCode).toBe(ExitCode.TimedOut);
    // and, as the API never answered, it says so rather than blaming labels or IAM
    expect(error?.message).toMatch(
      /^Traefik's API at http:\/\/127\.0\.0\.1:\d+ didn't answer in the --timeout of 10m, so whether it routes whoami-v2\.dev\.example\.com is unknown \(last error: Can't reach Traefik's API at .* \(ECONNREFUSED\)\.\)\.$/,
    );
    expect(error?.suggestions).toEqual([
      'See how Traefik runs: `traefikctl status --env <env>`; `traefikctl doctor --env <env>` checks its API and password.',
      'The ECS deployment itself succeeded and stays in place.',
    ]);
  });
});
