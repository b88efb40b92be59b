import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';

import { TraefikApiError, TraefikClient, uniqueByName } from '../../../src/lib/traefik/client.js';
import {
  describeWithTraefikFixtures,
  generateEcsRoutes,
  readTraefikFixture,
  startTraefikServer,
  type TraefikApiData,
  type TraefikTestServer,
} from '../../support/traefik-server.js';

const servers: TraefikTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function serve(
  data: TraefikApiData | (() => TraefikApiData),
  auth?: { username: string; password: string },
) {
  const server = await startTraefikServer({ data, ...(auth ? { auth } : {}) });
  servers.push(server);
  return server;
}

/** A client that fails fast: tests wait for retries and timeouts, so keep them short. */
function client(
  server: TraefikTestServer,
  options: Partial<ConstructorParameters<typeof TraefikClient>[0]> = {},
) {
  return new TraefikClient({ apiUrl: server.url, backoffMs: 5, timeoutMs: 2_000, ...options });
}

async function failure(promise: Promise<unknown>): Promise<TraefikApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TraefikApiError);
  return error as TraefikApiError;
}

describe('TraefikClient pagination', () => {
  it.each([1, 7, 100])('reads every router exactly once with pages of %i', async (perPage) => {
    // given 19 routers, as in Traefik's routers-many tests
    const { routers } = generateEcsRoutes(19);
    const server = await serve({ http: { routers } });
    // when the client reads the list
    const read = await client(server, { perPage }).httpRouters();
    // then every name is there once, and it stopped at the last page (X-Next-Page: 1)
    expect(read.map((r) => r.name).sort()).toEqual(routers.map((r) => r.name).sort());
    expect(server.requests).toHaveLength(Math.ceil(19 / perPage));
    expect(server.requests[0]).toBe(`/api/http/routers?page=1&per_page=${perPage}`);
  });

  it('reads page 1 of an empty list (200 []) as no routers', async () => {
    const server = await serve({});
    expect(await client(server).httpRouters()).toEqual([]);
  });

  it('stops at a 400 past the end when the list shrinks between two pages', async () => {
    // given 10 routers that drop to 3 after the first page was served
    const { routers } = generateEcsRoutes(10);
    let calls = 0;
    const server = await serve(() => ({ http: { routers: calls++ === 0 ? routers : routers.slice(0, 3) } }));
    // when the client reads pages of 5
    const read = await client(server, { perPage: 5 }).httpRouters();
    // then it keeps what it read and ends quietly
    expect(read).toHaveLength(5);
    expect(server.requests).toEqual([
      '/api/http/routers?page=1&per_page=5',
      '/api/http/routers?page=2&per_page=5',
    ]);
  });

  it('reports a page it cannot read, and drops the next page it already asked for', async () => {
    // given 10 routers whose first page of 5 comes back as an HTML login page announcing page 2
    const { routers } = generateEcsRoutes(10);
    const server = await serve({ http: { routers } });
    server.misbehave(
      {
        kind: 'status',
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html>',
        headers: { 'x-next-page': '2' },
      },
      1,
    );
    // when the client reads pages of 5 (asking for page 2 before it parses page 1)
    const error = await failure(client(server, { perPage: 5 }).httpRouters());
    // then page 1 is the error, and page 2, cancelled, fails nothing else (vitest reports a stray rejection)
    expect(error.failure).toBe('not-json');
    expect(server.requests[0]).toBe('/api/http/routers?page=1&per_page=5');
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('lists a router once when an insertion shifts it onto the next page', async () => {
    // given routers b..f, and `a` inserted (sorting first) after page 1 was read
    const names = ['b', 'c', 'd', 'e', 'f'].map((n) => ({ name: `${n}@ecs`, status: 'enabled' }));
    let calls = 0;
    const server = await serve(() => ({
      http: { routers: calls++ === 0 ? names : [{ name: 'a@ecs', status: 'enabled' }, ...names] },
    }));
    // when the client reads pages of 3
    const read = await client(server, { perPage: 3 }).httpRouters();
    // then `d` (last on page 1, first on page 2) appears once
    expect(read.map((r) => r.name)).toEqual(['b@ecs', 'c@ecs', 'd@ecs', 'e@ecs', 'f@ecs']);
  });
});

describe('uniqueByName (the pages of a list, each name once)', () => {
  // What the client did with a map of every name: the newest version of a name at its first place,
  // unnamed items last. Without one when names only increase (Traefik's sorted lists), so this
  // holds the shortcut to the map for any pages: sorted, shuffled, repeated, partly unnamed.
  function byMap<T extends { name?: string | undefined }>(pages: T[][]): T[] {
    const byName = new Map<string, T>();
    const unnamed: T[] = [];
    for (const item of pages.flat()) {
      if (item.name === undefined) unnamed.push(item);
      else byName.set(item.name, item);
    }
    return [...byName.values(), ...unnamed];
  }
  const item = fc.record(
    { name: fc.constantFrom('a@ecs', 'b@ecs', 'c@ecs', 'd@file', 'é@ecs', 'B@ecs'), version: fc.nat(9) },
    { requiredKeys: ['version'] },
  );
  type Item = { name?: string; version: number };
  const pages: fc.Arbitrary<Item[][]> = fc.oneof(
    fc.array(fc.array(item, { maxLength: 5 }), { maxLength: 4 }),
    // Sorted, as Traefik serves them: the shortcut's own case.
    fc
      .uniqueArray(fc.string(), { maxLength: 12 })
      .map((names) => [names.sort().map((name, version) => ({ name, version }))]),
  );

  it('answers what a map of every name answers', () => {
    fc.assert(
      fc.property(pages, (given) => {
        expect(uniqueByName(given)).toEqual(byMap(given));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the newest version of a name read twice, at its first place', () => {
    const read = uniqueByName([
      [
        { name: 'b', version: 1 },
        { name: 'c', version: 1 },
      ],
      [
        { name: 'c', version: 2 },
        { name: 'd', version: 2 },
      ],
    ]);
    expect(read).toEqual([
      { name: 'b', version: 1 },
      { name: 'c', version: 2 },
      { name: 'd', version: 2 },
    ]);
  });
});

describeWithTraefikFixtures('TraefikClient on the real captures', () => {
  it('reads HTTP, TCP and UDP routers and services as Traefik serves them', async () => {
    type Items = Record<string, unknown>[];
    const server = await serve({
      http: {
        routers: readTraefikFixture<Items>('routers.json'),
        services: readTraefikFixture<Items>('services.json'),
      },
      tcp: {
        routers: readTraefikFixture<Items>('tcprouters.json'),
        services: readTraefikFixture<Items>('tcpservices.json'),
      },
      udp: {
        routers: readTraefikFixture<Items>('udprouters.json'),
        services: readTraefikFixture<Items>('udpservices.json'),
      },
      overview: readTraefikFixture('overview-dynamic.json'),
    });
    const api = client(server, { perPage: 2 });
    const [routers, services, tcpRouters, tcpServices, udpRouters, udpServices, overview] = await Promise.all(
      [
        api.httpRouters(),
        api.httpServices(),
        api.tcpRouters(),
        api.tcpServices(),
        api.udpRouters(),
        api.udpServices(),
        api.overview(),
      ],
    );
    expect(routers.map((r) => r.name)).toEqual(['bar@myprovider', 'test@myprovider']);
    expect(services.map((s) => s.type)).toEqual(['loadbalancer', 'loadbalancer', 'weighted', 'mirroring']);
    expect(tcpRouters.find((r) => r.name === 'test@myprovider')?.tls?.passthrough).toBe(false);
    expect(tcpServices[0]?.serverStatus).toEqual({ '127.0.0.1:2345': 'UP' });
    expect(udpRouters.map((r) => r.status)).toEqual(['warning', 'disabled', 'enabled']);
    expect(udpServices[0]?.loadBalancer?.servers).toEqual([{ address: '127.0.0.1:2345' }]);
    expect(overview.http?.routers).toEqual({ errors: 1, total: 3, warnings: 1 });
  });

  it('fetches one router whose name has a slash and spaces, and answers undefined for an unknown one', async () => {
    const router = readTraefikFixture<Record<string, unknown>>('router-foo-slash-bar.json');
    const server = await serve({ http: { routers: [router] } });
    expect((await client(server).httpRouter('foo / bar@myprovider'))?.rule).toBe('Host(`foo.bar`)');
    expect(server.requests.at(-1)).toBe('/api/http/routers/foo%20%2F%20bar@myprovider');
    expect(await client(server).httpRouter('nope@ecs')).toBeUndefined();
  });
});

describe('TraefikClient authentication', () => {
  const auth = { username: 'admin', password: 's3cret-Pa55' };

  it('sends basic auth and reads the API', async () => {
    const server = await serve({ version: { Version: '3.7.9', Codename: 'x' } }, auth);
    const version = await client(server, { username: 'admin', password: 's3cret-Pa55' }).version();
    expect(version.Version).toBe('3.7.9');
  });

  it('explains a wrong password without repeating it, and does not retry', async () => {
    const server = await serve({}, auth);
    const error = await failure(
      client(server, {
        username: 'admin',
        password: 'wrong-one',
        credentialHints: ['Check TRAEFIKCTL_TRAEFIK_PASSWORD.'],
      }).httpRouters(),
    );
    expect(error.failure).toBe('unauthorized');
    expect(error.message).toBe(
      `Traefik's API at ${server.url} refuses the password of user admin (401 Unauthorized).`,
    );
    expect(error.suggestions).toContain('Check TRAEFIKCTL_TRAEFIK_PASSWORD.');
    expect(JSON.stringify([error.message, error.suggestions])).not.toContain('wrong-one');
    expect(server.requests).toHaveLength(1);
  });

  it('says so when the API needs a password and none was given', async () => {
    const server = await serve({}, auth);
    const error = await failure(client(server).overview());
    expect(error.message).toContain('asks for a password (401 Unauthorized), and none was given');
  });
});

describe('TraefikClient failures', () => {
  it('retries a 5xx with backoff, then succeeds', async () => {
    const server = await serve({ http: { routers: [{ name: 'a@ecs' }] } });
    server.misbehave({ kind: 'status', status: 503, body: 'no healthy upstream' }, 2);
    const read = await client(server).httpRouters();
    expect(read).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
  });

  it('gives up on a lasting 5xx after the configured retries', async () => {
    const server = await serve({});
    server.misbehave({ kind: 'status', status: 502 });
    const error = await failure(client(server, { retries: 2 }).httpRouters());
    expect(error.failure).toBe('server-error');
    expect(error.message).toBe(`Traefik's API at ${server.url} answers 502 Bad Gateway (after 3 attempts).`);
    expect(server.requests).toHaveLength(3);
  });

  it('retries a refused connection and reports it when the API stays down', async () => {
    const server = await serve({});
    await server.stop();
    const error = await failure(client(server, { retries: 1 }).httpRouters());
    expect(error.failure).toBe('unreachable');
    expect(error.message).toBe(`Can't reach Traefik's API at ${server.url} (ECONNREFUSED) after 2 attempts.`);
  });

  it('says why fetch refused to connect when there is no error code, not just "fetch failed"', async () => {
    // Port 1 is on fetch's list of blocked ports: undici fails with "bad port" before any connection.
    const error = await failure(
      new TraefikClient({ apiUrl: 'http://127.0.0.1:1', retries: 0 }).httpRouters(),
    );
    expect(error.failure).toBe('unreachable');
    expect(error.message).toBe("Can't reach Traefik's API at http://127.0.0.1:1 (bad port).");
  });

  it('reads the API again once it comes back on the same port', async () => {
    const server = await serve({ http: { routers: [{ name: 'a@ecs' }] } });
    await server.stop();
    await expect(client(server, { retries: 0 }).httpRouters()).rejects.toThrow(/ECONNREFUSED/);
    await server.start();
    expect(await client(server).httpRouters()).toHaveLength(1);
  });

  it('times out a request that never answers, without retrying it', async () => {
    const server = await serve({});
    server.misbehave({ kind: 'hang' });
    const error = await failure(client(server, { timeoutMs: 200 }).overview());
    expect(error.failure).toBe('timeout');
    expect(error.message).toBe(`Traefik's API at ${server.url} doesn't answer /api/overview within 200ms.`);
    expect(server.requests).toHaveLength(1);
  });

  it('names the content type when the answer is not JSON', async () => {
    const server = await serve({});
    server.misbehave({ kind: 'html' });
    const error = await failure(client(server).httpRouters());
    expect(error.failure).toBe('not-json');
    expect(error.message).toContain('answered /api/http/routers with text/html, not JSON');
  });

  it('says where the data is unreadable when the shape is wrong', async () => {
    const server = await serve({});
    server.misbehave({
      kind: 'status',
      status: 200,
      contentType: 'application/json',
      body: '{"routers": []}',
    });
    const error = await failure(client(server).httpRouters());
    expect(error.failure).toBe('unreadable');
    expect(error.message).toMatch(/answered \/api\/http\/routers with data traefikctl can't read: .*array/);
  });

  it('explains 403 and 404 with their own next steps', async () => {
    const server = await serve({});
    server.misbehave({ kind: 'status', status: 403 }, 1);
    expect((await failure(client(server).overview())).failure).toBe('forbidden');
    server.misbehave({ kind: 'status', status: 404, body: '404 page not found\n' }, 1);
    const notFound = await failure(client(server).httpRouters());
    expect(notFound.message).toBe(`Traefik's API at ${server.url} has nothing at /api/http/routers (404).`);
    expect(notFound.suggestions.join(' ')).toContain('the address the dashboard is served on');
  });

  it('does not follow a redirect to another host with the credentials', async () => {
    const server = await serve({});
    server.misbehave({
      kind: 'status',
      status: 302,
      headers: { location: 'http://127.0.0.2:1/api/overview' },
    });
    const error = await failure(client(server, { password: 'x' }).overview());
    expect(error.failure).toBe('redirect');
    expect(error.message).toBe(
      `Traefik's API at ${server.url} redirects to another address, http://127.0.0.2:1/api/overview: traefikctl sends the API password only to the address it was given.`,
    );
  });

  it('follows a redirect on the same host', async () => {
    const server = await serve({ version: { Version: '3.7.9' } });
    server.misbehave({ kind: 'status', status: 308, headers: { location: '/api/version' } }, 1);
    expect((await client(server).version()).Version).toBe('3.7.9');
  });

  it('stops at once when the caller aborts', async () => {
    const server = await serve({});
    server.misbehave({ kind: 'hang' });
    const controller = new AbortController();
    const pending = client(server, { signal: controller.signal }).overview();
    setTimeout(() => controller.abort(new Error('quit')), 50);
    await expect(pending).rejects.toThrow('quit');
  });

  it('reads an API URL that ends in /api or has a base path', async () => {
    const server = await serve({ version: { Version: '3.7.9' } });
    expect(new TraefikClient({ apiUrl: `${server.url}/api/` }).displayUrl).toBe(server.url);
    expect(new TraefikClient({ apiUrl: `${server.url}/traefik/` }).displayUrl).toBe(`${server.url}/traefik`);
    expect(() => new TraefikClient({ apiUrl: 'traefik.dev.example.com' })).toThrow(/is not a URL/);
    expect(() => new TraefikClient({ apiUrl: 'ftp://traefik.dev.example.com' })).toThrow(
      expect.objectContaining({ failure: 'bad-url', exitCode: 2 }),
    );
  });
});
