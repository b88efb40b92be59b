/**
 * traefikctl's Traefik API client, its route join and `app deploy`'s route wait, against the stack's
 * real Traefik v3 rather than captures: the API behind basic auth as `cluster up` serves it (a bcrypt
 * hash as src/lib/cluster/password.ts makes it), 250 routers from the file provider read a few at a time, and a
 * container labelled by src/lib/labels.ts that the Docker provider routes while waitForRoute waits.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

import { Poller } from '../../../src/lib/app/deploy/poll.js';
import { waitForRoute } from '../../../src/lib/app/deploy/track-route.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { defaultPasswordParameter } from '../../../src/lib/cluster/password.js';
import { traefikSchema } from '../../../src/lib/config/schema.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';
import { ENV_LABEL, traefikLabels } from '../../../src/lib/labels.js';
import { hostname, serviceName } from '../../../src/lib/naming.js';
import { joinRoutes } from '../../../src/lib/routes/join.js';
import { PASSWORD_VARIABLE, resolveTraefikAccess } from '../../../src/lib/traefik/access.js';
import { TraefikApiError, TraefikClient } from '../../../src/lib/traefik/client.js';
import { fetchTraefikState } from '../../../src/lib/traefik/state.js';
import { describeWith, uniqueName, useStack } from '../../support/stack.js';
import {
  fileRoutes,
  fileServers,
  startLiveTraefik,
  type DynamicConfig,
  type LiveTraefik,
} from '../../support/traefik-live.js';
import { DockerFixture, eventually, getWithHost, SERVE_APP_TAG } from './support.js';

const GENERATED = 250;
// The Docker part runs only where the engine answers; everything else needs Traefik alone.
const withDocker = useStack(['traefik', 'docker']);

/** 250 routers, plus a weighted service over two of them and a router whose service doesn't exist. */
function liveRoutes(): DynamicConfig {
  const generated = fileRoutes(GENERATED);
  return {
    http: {
      routers: {
        ...generated.http.routers,
        canary: { rule: 'Host(`canary.live.example.com`)', entryPoints: ['web'], service: 'canary' },
        broken: { rule: 'Host(`broken.live.example.com`)', entryPoints: ['web'], service: 'nowhere' },
      },
      services: {
        ...generated.http.services,
        canary: {
          weighted: {
            services: [
              { name: 'app001', weight: 9 },
              { name: 'app002', weight: 1 },
            ],
          },
        },
      },
    },
  };
}

/** The largest page size that splits `total` into two or more full pages, if there is one. */
function exactPageSize(total: number): number {
  for (let size = Math.floor(total / 2); size >= 2; size--) if (total % size === 0) return size;
  return total;
}

describeWith(['traefik'], 'the Traefik API client against a live Traefik', (stack) => {
  const env = uniqueName('live');
  const docker = new DockerFixture(stack, uniqueName('traefikctl-live'));
  const clients = new AwsClients();
  let live: LiveTraefik;
  let total: number;

  /** A client the way commands build one: URL and password through resolveTraefikAccess. */
  const accessWith = (password: string) =>
    resolveTraefikAccess(clients, {
      env,
      traefik: traefikSchema.parse({}),
      apiUrl: live.apiUrl,
      environment: { [PASSWORD_VARIABLE]: password },
      defaultPasswordParameter: defaultPasswordParameter(env),
    });

  beforeAll(async () => {
    const dockerArgs: string[] = [];
    if (withDocker.ready) {
      await docker.setUp();
      dockerArgs.push(
        '--providers.docker=true',
        `--providers.docker.network=${docker.network}`,
        // As on ECS: only what is labelled for this env, so other test files' containers never show.
        '--providers.docker.exposedByDefault=false',
        `--providers.docker.constraints=Label(\`${ENV_LABEL}\`,\`${env}\`)`,
      );
    }
    live = await startLiveTraefik(stack, { args: dockerArgs, dynamic: { apps: liveRoutes() } });
    const client = new TraefikClient({ apiUrl: live.apiUrl, password: live.password });
    total = await eventually(`Traefik to load ${GENERATED} routers from the file provider`, async () => {
      const count = (await client.overview()).http?.routers?.total ?? 0;
      return count > GENERATED + 2 ? { done: true, value: count } : { done: false, seen: `${count} routers` };
    });
  });

  afterAll(async () => {
    await live?.stop();
    await docker.cleanUp();
    await clients.destroy();
  });

  it.each([
    { pages: 'many small pages', perPage: () => 7 },
    { pages: 'pages that divide the list exactly', perPage: exactPageSize },
    { pages: 'one page holding the whole list', perPage: (all: number) => all },
  ])('reads every router exactly once from $pages', async ({ perPage }) => {
    // given the live Traefik's own count of its routers, and a page size
    const size = perPage(total);
    const access = await accessWith(live.password);
    const client = new TraefikClient({ ...access, perPage: size });
    const fetched = vi.spyOn(globalThis, 'fetch');

    // when the client reads the routers
    let routers: Awaited<ReturnType<TraefikClient['httpRouters']>>;
    let asked: URL[];
    try {
      routers = await client.httpRouters();
    } finally {
      asked = fetched.mock.calls.map(([input]) =>
        input instanceof Request ? new URL(input.url) : new URL(input),
      );
      fetched.mockRestore();
    }

    // then each router arrives once, and the count is Traefik's
    const names = routers.map((router) => router.name ?? '(unnamed)');
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(total);
    for (let i = 0; i < GENERATED; i++) expect(names).toContain(`app${String(i).padStart(3, '0')}@file`);
    expect(names).toEqual(expect.arrayContaining(['canary@file', 'broken@file', live.apiRouter]));
    // and it asked for pages 1, 2, ... of that size until Traefik said the last one was reached
    const pageCount = Math.ceil(total / size);
    expect(asked.map((url) => url.pathname)).toEqual(Array(pageCount).fill('/api/http/routers'));
    expect(asked.map((url) => url.searchParams.get('per_page'))).toEqual(Array(pageCount).fill(String(size)));
    expect(asked.map((url) => Number(url.searchParams.get('page')))).toEqual(
      Array.from({ length: pageCount }, (_, index) => index + 1),
    );
  });

  it('joins every router, read page by page, with its service and that service’s servers', async () => {
    // given a client reading 7 items per page of each list
    const client = new TraefikClient({ ...(await accessWith(live.password)), perPage: 7 });

    // when the routes are read and joined as `routes` does
    const routes = joinRoutes(await fetchTraefikState(client));

    // then every generated router has its own service with its servers, all UP
    const byName = new Map(routes.map((route) => [route.name, route]));
    for (let i = 0; i < GENERATED; i++) {
      const name = `app${String(i).padStart(3, '0')}`;
      const servers = fileServers(i).map(({ url }) => ({
        address: url,
        status: 'UP',
        service: `${name}@file`,
      }));
      expect(byName.get(`${name}@file`), name).toMatchObject({
        protocol: 'http',
        provider: 'file',
        status: 'enabled',
        hosts: [`${name}.live.example.com`],
        entryPoints: ['web'],
        service: `${name}@file`,
        serviceType: 'loadbalancer',
        servers,
        serversUp: servers.length,
        serversTotal: servers.length,
        attention: [],
      });
    }
    // and the weighted service is resolved to the servers of the services it weighs
    expect(byName.get('canary@file')).toMatchObject({
      serviceType: 'weighted',
      servers: [
        { address: 'http://127.0.0.1:20001', status: 'UP', service: 'app001@file' },
        { address: 'http://127.0.0.1:20002', status: 'UP', service: 'app002@file' },
      ],
      attention: [],
    });
    // and the router whose service is missing carries Traefik's own words for it
    expect(byName.get('broken@file')).toMatchObject({
      status: 'disabled',
      errors: ['the service "nowhere@file" does not exist'],
      attention: [{ kind: 'router-error', message: 'the service "nowhere@file" does not exist' }],
    });
    // and Traefik's internal routers (ping) are left out, while the API's own router is listed
    expect([...byName.keys()].filter((name) => name.endsWith('@internal'))).toEqual([]);
    expect(byName.get(live.apiRouter)).toMatchObject({ status: 'enabled', service: 'api@internal' });
    expect(routes).toHaveLength(total - 1);
  });

  it('logs in with the password from TRAEFIKCTL_TRAEFIK_PASSWORD', async () => {
    // given the password in the environment, as a user or CI step passes it
    const access = await accessWith(live.password);

    // when the client reads the version
    const version = await new TraefikClient(access).version();

    // then the live Traefik answers as itself
    expect(version.Version).toBe(stack.traefik.version);
  });

  it('is refused without a password, and the error says none was sent', async () => {
    // given no password at all; and the API is not served where api.insecure would serve it
    const insecure = await fetch(`${live.process.url('traefik')}/api/version`);
    expect(insecure.status).toBe(404);

    // when the client reads the routers
    const failure = new TraefikClient({ apiUrl: live.apiUrl }).httpRouters();

    // then it fails with the 401 explained
    await expect(failure).rejects.toThrow(TraefikApiError);
    await expect(failure).rejects.toMatchObject({
      failure: 'unauthorized',
      status: 401,
      message: `Traefik's API at ${live.apiUrl} asks for a password (401 Unauthorized), and none was given.`,
    });
  });

  it('is refused with a wrong password, and says where the password came from without showing it', async () => {
    // given a wrong password in TRAEFIKCTL_TRAEFIK_PASSWORD
    const wrong = `wrong-${live.password}`;
    const access = await accessWith(wrong);

    // when the client reads the routers
    const error = await new TraefikClient(access).httpRouters().catch((caught: unknown) => caught);

    // then Traefik's 401 becomes a UserError pointing at the variable
    expect(error).toBeInstanceOf(TraefikApiError);
    const refused = error as TraefikApiError;
    expect(refused.message).toBe(
      `Traefik's API at ${live.apiUrl} refuses the password of user admin (401 Unauthorized).`,
    );
    expect(refused.suggestions).toContain(`The password comes from ${PASSWORD_VARIABLE}: check its value.`);
    expect(JSON.stringify({ message: refused.message, suggestions: refused.suggestions })).not.toContain(
      wrong,
    );
  });

  it.skipIf(!withDocker.ready)(
    'waitForRoute sees the Docker provider route a container labelled for the deployment while it waits',
    async () => {
      // given a deployment's names and labels, exactly as app deploy makes them
      const name = serviceName('whoami', 'v2');
      const host = hostname({ app: 'whoami', tag: 'v2', env, domain: 'example.com' });
      const labels = traefikLabels({ name, host, port: 80, entryPoints: ['web'], env });
      const client = new TraefikClient(await accessWith(live.password));
      const details: string[] = [];
      let polledOnce: () => void = () => undefined;
      const firstPoll = new Promise<void>((resolve) => (polledOnce = resolve));

      // when waitForRoute starts before the container exists, and the container starts meanwhile
      const waiting = waitForRoute({
        api: client,
        name,
        host,
        provider: 'docker',
        poller: new Poller({ intervalMs: 250 }),
        // The Docker provider sees a container within a second or two (it watches Docker's events).
        deadline: Date.now() + 20_000,
        timeoutText: '20s',
        setDetail: (detail) => {
          details.push(detail);
          polledOnce();
        },
      });
      // Its failure is asserted below; until then, it must not count as unhandled.
      waiting.catch(() => undefined);
      await Promise.race([firstPoll, waiting]);
      const ip = await docker.run({
        name: uniqueName('whoami'),
        labels,
        env: { APP_TAG: 'v2' },
        shell: SERVE_APP_TAG,
      });
      const route = await waiting;

      // then it had found nothing first, and now returns the router with the container UP
      expect(details[0]).toMatch(/^waiting for Traefik to find/);
      expect(route).toEqual({
        router: `${name}@docker`,
        rule: `Host(\`${host}\`)`,
        servers: [{ url: `http://${ip}:80`, status: 'UP' }],
      });
      // and the route carries traffic: the deployment's host reaches the container through Traefik
      expect(await getWithHost(`${live.apiUrl}/`, host)).toMatchObject({ status: 200, body: 'v2\n' });

      // and without a provider it still waits for `<name>@ecs`, which the Docker provider never makes
      const ecsDefault = waitForRoute({
        api: client,
        name,
        host,
        poller: new Poller({ intervalMs: 250 }),
        deadline: Date.now() + 1_000,
        timeoutText: '1s',
      });
      await expect(ecsDefault).rejects.toThrow(UserError);
      await expect(ecsDefault).rejects.toMatchObject({
        exitCode: ExitCode.RouteNotDiscovered,
        message: `Traefik at ${live.apiUrl} doesn't route ${host} after 1s: Traefik has no router ${name}@ecs yet.`,
      });
    },
  );
});
