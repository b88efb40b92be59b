/**
 * The Traefik client against APIs that misbehave on purpose (issue 14): redirects that would carry
 * the password elsewhere or never end, credentials written into the URL, lists that never end, and
 * answers too large to read. Each stand-in is a small server on 127.0.0.1.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import {
  MAX_PAGES,
  MAX_RESPONSE_BYTES,
  TraefikApiError,
  TraefikClient,
} from '../../../src/lib/traefik/client.js';
import { startLocalServer, type LocalServer } from '../../support/local-server.js';
import { generateEcsRoutes, startTraefikServer } from '../../support/traefik-server.js';

const auth = { username: 'admin', password: 'S3cret-pa55' };
const basic = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

interface Seen {
  url: string;
  authorization: string | undefined;
}

/** A server that records each request (path and Authorization) and answers with `answer`. */
async function serve(
  answer: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<LocalServer & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await startLocalServer((request, response) => {
    seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
    answer(request, response);
  });
  closers.push(server.close);
  return Object.assign(server, { seen });
}

function json(response: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(200, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

async function failure(promise: Promise<unknown>): Promise<TraefikApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TraefikApiError);
  return error as TraefikApiError;
}

describe('TraefikClient redirects and the password', () => {
  it('never sends the password to another port, and says where the API redirects', async () => {
    // given an API on one port that redirects to the same host on another port
    const other = await serve((_request, response) => json(response, { Version: '3.7.9' }));
    const api = await serve((request, response) => {
      response.writeHead(302, { location: `${other.url}${request.url ?? '/'}` });
      response.end();
    });
    // when the client reads it with a password
    const error = await failure(new TraefikClient({ apiUrl: api.url, ...auth, retries: 0 }).version());
    // then the other port never sees the password, and the error names the address to use instead
    expect(other.seen.filter((request) => request.authorization !== undefined)).toEqual([]);
    expect(api.seen[0]?.authorization).toBe(basic);
    expect(error.failure).toBe('redirect');
    expect(error.message).toBe(
      `Traefik's API at ${api.url} redirects to another address, ${other.url}/api/version: traefikctl sends the API password only to the address it was given.`,
    );
    expect(error.suggestions).toEqual([
      `If ${other.url} is where the API is, use it as --api-url (or traefik.apiUrl).`,
    ]);
  });

  it('keeps the password on a redirect within the same origin', async () => {
    // given an API that moves /api/version to /v/api/version on its own address
    const api = await serve((request, response) => {
      if (request.url === '/api/version') {
        response.writeHead(308, { location: '/v/api/version' });
        response.end();
      } else if (request.headers.authorization === basic) json(response, { Version: '3.7.9' });
      else {
        response.writeHead(401);
        response.end();
      }
    });
    // when the client reads the version with the password
    const version = await new TraefikClient({ apiUrl: api.url, ...auth, retries: 0 }).version();
    // then both requests carried it
    expect(version.Version).toBe('3.7.9');
    expect(api.seen.map((request) => [request.url, request.authorization])).toEqual([
      ['/api/version', basic],
      ['/v/api/version', basic],
    ]);
  });

  it('calls a redirect loop a loop, without suggesting the address it already uses', async () => {
    // given an API that redirects every request to itself
    const api = await serve((_request, response) => {
      response.writeHead(302, { location: '/api/version' });
      response.end();
    });
    // when the client reads it
    const error = await failure(new TraefikClient({ apiUrl: api.url, retries: 0 }).version());
    // then it stops after a few redirects and says what is wrong, and what to check
    expect(error.failure).toBe('redirect');
    expect(error.message).toBe(
      `Traefik's API at ${api.url} redirects more than 5 times in a row (the last time to ${api.url}/api/version): a redirect loop.`,
    );
    expect(error.suggestions.join('\n')).not.toContain(api.url);
    expect(api.seen).toHaveLength(6);
  });
});

describe('TraefikClient and credentials written into the URL', () => {
  it('refuses them with exit 2, never repeats them, and names the supported ways', async () => {
    // given an API that would accept the password
    const server = await startTraefikServer({ data: {}, auth });
    closers.push(() => server.stop());
    const withCredentials = server.url.replace('http://', `http://admin:${auth.password}@`);
    // when a client is made with the password in the URL
    const error = (() => {
      try {
        new TraefikClient({ apiUrl: withCredentials });
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    // then it is refused as bad input, before any request, without the password in what is shown
    expect(error).toBeInstanceOf(TraefikApiError);
    const refused = error as TraefikApiError;
    expect(refused).toMatchObject({ failure: 'url-credentials', exitCode: 2 });
    expect(refused.message).toContain(`The Traefik API URL ${server.url.replace('http://', 'http://***@')}`);
    expect(refused.suggestions.join('\n')).toMatch(/TRAEFIKCTL_TRAEFIK_PASSWORD.*traefik\.passwordParameter/);
    expect(JSON.stringify([refused.message, refused.suggestions])).not.toContain(auth.password);
    expect(server.requests).toEqual([]);
  });

  it('does not repeat them when the URL is not a URL at all', () => {
    expect(() => new TraefikClient({ apiUrl: 'http://admin:S3cret@127.0.0.1:99999' })).toThrow(
      'The Traefik API URL "http://***@127.0.0.1:99999" is not a URL.',
    );
  });
});

describe('TraefikClient on a 401', () => {
  it('only blames the user name when a password was sent', async () => {
    const server = await startTraefikServer({ data: {}, auth });
    closers.push(() => server.stop());
    const none = await failure(
      new TraefikClient({
        apiUrl: server.url,
        credentialHints: ['No password was sent: the SSM parameter /x does not exist.'],
      }).overview(),
    );
    expect(none.message).toContain('asks for a password (401 Unauthorized), and none was given.');
    expect(none.suggestions).toEqual(['No password was sent: the SSM parameter /x does not exist.']);
    const wrong = await failure(
      new TraefikClient({
        apiUrl: server.url,
        password: 'wrong',
        credentialHints: ['The password comes from TRAEFIKCTL_TRAEFIK_PASSWORD: check its value.'],
      }).overview(),
    );
    expect(wrong.message).toContain('refuses the password of user admin (401 Unauthorized).');
    expect(wrong.suggestions).toContain(
      "Check traefik.username in the configuration: it is the API's basic auth user.",
    );
  });
});

/** An API whose lists never end: every page has one router and announces the next. */
async function endlessPages() {
  return serve((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const page = Number(url.searchParams.get('page') ?? '1');
    if (url.pathname === '/api/version') {
      json(response, { Version: '3.7.9' });
      return;
    }
    json(response, url.pathname.endsWith('/routers') ? [{ name: `r${page}@file`, status: 'enabled' }] : [], {
      'x-next-page': String(page + 1),
    });
  });
}

describe('TraefikClient limits', () => {
  it('stops a list that announces a next page forever, and says so', async () => {
    // given an API whose router list never ends
    const api = await endlessPages();
    // when the client reads the routers with a limit of 20 pages
    const error = await failure(
      new TraefikClient({ apiUrl: api.url, retries: 0, perPage: 1, maxPages: 20 }).httpRouters(),
    );
    // then it read exactly 20 pages and explains why it stopped
    expect(error.failure).toBe('too-many-pages');
    expect(error.message).toBe(
      `Traefik's API at ${api.url} still announces another page of /api/http/routers (X-Next-Page: 21) after 20 pages of up to 1 items: traefikctl reads at most 20 pages per list.`,
    );
    expect(api.seen).toHaveLength(20);
  });

  it('stops at its default page limit', { timeout: 60_000 }, async () => {
    const api = await endlessPages();
    const error = await failure(new TraefikClient({ apiUrl: api.url, retries: 0 }).httpRouters());
    expect(error.failure).toBe('too-many-pages');
    expect(api.seen).toHaveLength(MAX_PAGES);
  });

  it('stops a list whose pages add up to more than its byte budget', async () => {
    // given an API whose pages are 10 KiB each, forever
    const filler = 'x'.repeat(10 * 1024);
    const api = await serve((request, response) => {
      const page = Number(new URL(request.url ?? '/', 'http://127.0.0.1').searchParams.get('page'));
      json(response, [{ name: `r${page}@file`, status: 'enabled', rule: filler }], {
        'x-next-page': String(page + 1),
      });
    });
    // when the client reads it with a budget of 100 KiB
    const error = await failure(
      new TraefikClient({ apiUrl: api.url, retries: 0, maxListBytes: 100 * 1024 }).httpRouters(),
    );
    // then it stops after the page that went over
    expect(error.failure).toBe('too-large');
    expect(error.message).toBe(
      `Traefik's API at ${api.url} answers /api/http/routers with more than 100 KiB in 10 pages: traefikctl reads at most 100 KiB per list.`,
    );
    expect(api.seen).toHaveLength(10);
  });

  it('refuses an answer announced as too large without reading it', async () => {
    // given an API that announces 400 MB and then sends nothing more than its headers
    const api = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(400e6) });
      response.write('[');
    });
    // when the client reads it
    const error = await failure(new TraefikClient({ apiUrl: api.url, retries: 0 }).httpRouters());
    // then the answer is refused at once
    expect(error.failure).toBe('too-large');
    expect(error.message).toBe(
      `Traefik's API at ${api.url} answers /api/http/routers with more than 64 MiB: traefikctl reads at most 64 MiB per answer.`,
    );
  });

  it('stops reading an answer that grows past the limit', async () => {
    // given an API that streams an endless answer without a length
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const api = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('[');
      const pump = () => {
        while (!response.destroyed && sent < 10 * MAX_RESPONSE_BYTES) {
          sent += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    // when the client reads it with a limit of 1 MiB
    const error = await failure(
      new TraefikClient({ apiUrl: api.url, retries: 0, maxResponseBytes: 1024 * 1024 }).httpRouters(),
    );
    // then it stops soon after the limit, with the limit in the error
    expect(error.failure).toBe('too-large');
    expect(error.message).toContain('with more than 1 MiB: traefikctl reads at most 1 MiB per answer.');
    expect(sent).toBeLessThan(32 * 1024 * 1024);
  });

  it('reads 10,000 routers and services well within the default limits', async () => {
    // given Traefik with 10,000 deployments (README "Performance"), at Traefik's default page size
    const { routers, services } = generateEcsRoutes(10_000);
    const server = await startTraefikServer({ data: { http: { routers, services } } });
    closers.push(() => server.stop());
    // when the client reads both lists at pages of 100 and of 1,000
    const small = new TraefikClient({ apiUrl: server.url, perPage: 100 });
    const [fewer, more] = await Promise.all([
      small.httpRouters(),
      new TraefikClient({ apiUrl: server.url }).httpServices(),
    ]);
    // then every item is there
    expect(fewer).toHaveLength(10_000);
    expect(more).toHaveLength(10_000);
  });
});
