/**
 * A stand-in for Traefik's API on 127.0.0.1 (a random port), serving fixture-shaped data with
 * Traefik's own list semantics (shared/notes/traefik.md §2.4, pkg/api/criterion.go):
 * - `page` (default 1) and `per_page` (default 100); a non-integer or non-positive value answers
 *   400 `invalid request: per_page: 0`;
 * - `X-Next-Page`: the next page number, `1` on the last page;
 * - a page past the end answers 400 `{"message":"invalid request: page: P, per_page: N"}` as
 *   text/plain (except page 1 of an empty list: `200 []`);
 * - lists sorted by name, single items at `/api/<proto>/<kind>/<name>` (404 `router not found: X`).
 * Optional basic auth answers 401 like Traefik's basicAuth middleware. The data may be a function,
 * called on every request, so that answers change between refreshes; the server can be stopped
 * and started again on the same port to test a Traefik that goes away and comes back.
 *
 * Also here: where the real Traefik captures live (shared/fixtures/traefik-api, outside the repo) and
 * a generator of many routers in their shapes.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, it } from 'vitest';

import { startLocalServer } from './local-server.js';

type Item = Record<string, unknown> & { name?: string };

export interface TraefikApiData {
  http?: { routers?: Item[]; services?: Item[]; middlewares?: Item[] };
  tcp?: { routers?: Item[]; services?: Item[]; middlewares?: Item[] };
  udp?: { routers?: Item[]; services?: Item[] };
  entrypoints?: Item[];
  overview?: Record<string, unknown>;
  version?: Record<string, unknown>;
}

/** What the server does instead of answering normally (for failure tests). */
export type Misbehaviour =
  | { kind: 'status'; status: number; body?: string; contentType?: string; headers?: Record<string, string> }
  | { kind: 'html' }
  | { kind: 'hang' };

export interface TraefikServerOptions {
  data: TraefikApiData | (() => TraefikApiData);
  auth?: { username: string; password: string };
  /** Reuse a port (restart on the same address). */
  port?: number;
}

export interface TraefikTestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request path with its query, in order (e.g. `/api/http/routers?page=2&per_page=7`). */
  requests: string[];
  setData(data: TraefikApiData | (() => TraefikApiData)): void;
  /** Misbehave on every request until cleared with `undefined`; `times` limits it to the next N requests. */
  misbehave(misbehaviour: Misbehaviour | undefined, times?: number): void;
  /** Closes the listener and every open connection; requests then fail with ECONNREFUSED. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

const LISTS: Record<string, (d: TraefikApiData) => Item[] | undefined> = {
  '/api/http/routers': (d) => d.http?.routers,
  '/api/http/services': (d) => d.http?.services,
  '/api/http/middlewares': (d) => d.http?.middlewares,
  '/api/tcp/routers': (d) => d.tcp?.routers,
  '/api/tcp/services': (d) => d.tcp?.services,
  '/api/tcp/middlewares': (d) => d.tcp?.middlewares,
  '/api/udp/routers': (d) => d.udp?.routers,
  '/api/udp/services': (d) => d.udp?.services,
  '/api/entrypoints': (d) => d.entrypoints,
};

const SINGULAR: Record<string, string> = {
  routers: 'router',
  services: 'service',
  middlewares: 'middleware',
  entrypoints: 'entry point',
};

export async function startTraefikServer(options: TraefikServerOptions): Promise<TraefikTestServer> {
  let data = options.data;
  let misbehaviour: Misbehaviour | undefined;
  let remaining = Infinity;
  const requests: string[] = [];

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(`${url.pathname}${url.search}`);
    if (options.auth && !authorized(request, options.auth)) {
      response.writeHead(401, {
        'content-type': 'text/plain',
        'www-authenticate': 'Basic realm="traefik"',
      });
      response.end('401 Unauthorized\n');
      return;
    }
    if (misbehaviour !== undefined && remaining > 0) {
      remaining--;
      const current = misbehaviour;
      if (remaining === 0) misbehaviour = undefined;
      switch (current.kind) {
        case 'hang':
          // stop() ends the connection, and the request with it.
          return;
        case 'html':
          response.writeHead(200, { 'content-type': 'text/html' });
          response.end('<!doctype html><title>Sign in</title>');
          return;
        case 'status':
          response.writeHead(current.status, {
            'content-type': current.contentType ?? 'text/plain',
            ...current.headers,
          });
          response.end(current.body ?? `${current.status}\n`);
          return;
      }
    }
    const snapshot = typeof data === 'function' ? data() : data;
    answer(url, snapshot, response);
  };

  let local = await startLocalServer(handler, { port: options.port ?? 0 });
  const { url, port } = local;

  return {
    url,
    port,
    requests,
    setData(next) {
      data = next;
    },
    misbehave(next, times = Infinity) {
      misbehaviour = next;
      remaining = times;
    },
    stop() {
      return local.close();
    },
    async start() {
      local = await startLocalServer(handler, { port });
    },
  };
}

function authorized(request: IncomingMessage, auth: { username: string; password: string }): boolean {
  const header = request.headers.authorization ?? '';
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  return header === expected;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(`${JSON.stringify(body)}\n`);
}

/** Go's http.Error: a JSON body sent as text/plain (shared/notes/traefik.md §2.2). */
function sendError(response: ServerResponse, status: number, message: string) {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
  });
  response.end(`${JSON.stringify({ message })}\n`);
}

function answer(url: URL, data: TraefikApiData, response: ServerResponse): void {
  const pathname = url.pathname;
  if (pathname === '/api/version') {
    sendJson(
      response,
      200,
      data.version ?? { Version: '3.7.9', Codename: 'test', startDate: '2026-07-24T00:00:00Z' },
    );
    return;
  }
  if (pathname === '/api/overview') {
    sendJson(response, 200, data.overview ?? overviewOf(data));
    return;
  }
  const list = LISTS[pathname];
  if (list !== undefined) {
    paginate(url, sortByName(list(data) ?? []), response);
    return;
  }
  const single =
    /^(\/api\/(?:http|tcp|udp)\/(routers|services|middlewares)|\/api\/(entrypoints))\/(.+)$/.exec(pathname);
  if (single) {
    const [, listPath = '', kind = '', entrypoints, rawName = ''] = single;
    const name = decodeURIComponent(rawName);
    const item = (LISTS[listPath]?.(data) ?? []).find((candidate) => candidate.name === name);
    if (item === undefined)
      sendError(response, 404, `${SINGULAR[kind || entrypoints || ''] ?? 'item'} not found: ${name}`);
    else sendJson(response, 200, item);
    return;
  }
  sendError(response, 404, '404 page not found');
}

function sortByName(items: Item[]): Item[] {
  // Go compares strings bytewise, not by locale.
  return [...items].sort((a, b) => {
    const x = String(a.name ?? '');
    const y = String(b.name ?? '');
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** pkg/api/criterion.go: pagination and the X-Next-Page header. */
function paginate(url: URL, items: Item[], response: ServerResponse): void {
  const page = integerParam(url, 'page', 1);
  const perPage = integerParam(url, 'per_page', 100);
  if (perPage === undefined || perPage <= 0) {
    sendError(response, 400, `invalid request: per_page: ${perPage ?? 0}`);
    return;
  }
  if (page === undefined || page <= 0) {
    sendError(response, 400, `invalid request: page: ${page ?? 0}`);
    return;
  }
  const start = (page - 1) * perPage;
  if (start >= items.length && !(page === 1 && items.length === 0)) {
    sendError(response, 400, `invalid request: page: ${page}, per_page: ${perPage}`);
    return;
  }
  const end = Math.min(start + perPage, items.length);
  const next = end >= items.length ? 1 : page + 1;
  sendJson(response, 200, items.slice(start, end), { 'x-next-page': String(next) });
}

function integerParam(url: URL, name: string, fallback: number): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null || text === '') return fallback;
  return /^-?\d+$/.test(text) ? Number(text) : undefined;
}

function countsOf(items: Item[] | undefined) {
  const list = items ?? [];
  return {
    total: list.length,
    warnings: list.filter((item) => item.status === 'warning').length,
    errors: list.filter((item) => item.status === 'disabled').length,
  };
}

function overviewOf(data: TraefikApiData) {
  return {
    http: {
      routers: countsOf(data.http?.routers),
      services: countsOf(data.http?.services),
      middlewares: countsOf(data.http?.middlewares),
    },
    tcp: {
      routers: countsOf(data.tcp?.routers),
      services: countsOf(data.tcp?.services),
      middlewares: countsOf(data.tcp?.middlewares),
    },
    udp: { routers: countsOf(data.udp?.routers), services: countsOf(data.udp?.services) },
    features: { tracing: '', metrics: 'Prometheus', accessLog: false },
    providers: ['Ecs'],
  };
}

// ---------------------------------------------------------------------------------------------
// The real captures in shared/fixtures/traefik-api

/** The repository root (two levels above test/support). */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Real Traefik responses: outside the repo, never copied in (see their README for provenance). */
export const TRAEFIK_FIXTURES_DIR = path.resolve(REPO_ROOT, '../shared/fixtures/traefik-api');

export function traefikFixturesAvailable(): boolean {
  return existsSync(path.join(TRAEFIK_FIXTURES_DIR, 'README.md'));
}

/** A fixture file, parsed (`routers.json` etc.). */
export function readTraefikFixture<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(path.join(TRAEFIK_FIXTURES_DIR, file), 'utf8')) as T;
}

/** The raw text of a fixture file, for parsers that must see the source (large priorities). */
export function readTraefikFixtureText(file: string): string {
  return readFileSync(path.join(TRAEFIK_FIXTURES_DIR, file), 'utf8');
}

const isCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * A `describe` for tests that read the real captures. Without them it is skipped with the reason in
 * its name; under CI their absence fails the run instead, so a green build always read them.
 */
export function describeWithTraefikFixtures(name: string, body: () => void): void {
  if (traefikFixturesAvailable()) {
    describe(name, body);
    return;
  }
  const reason = `needs the Traefik captures in ${TRAEFIK_FIXTURES_DIR}`;
  if (isCi) {
    describe(name, () => {
      it(reason, () => {
        throw new Error(`${TRAEFIK_FIXTURES_DIR} is missing; CI requires the Traefik API captures.`);
      });
    });
  } else {
    // The body is not run: it may read the captures while tests are being collected.
    describe.skip(`${name} (${reason})`, () => {
      it('reads the Traefik captures', () => undefined);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Many routers in the fixture shapes

export interface GeneratedEnv {
  routers: Item[];
  services: Item[];
}

/**
 * `count` deployments as Traefik's ECS provider shows them: router and service `<app>-<tag>@ecs`
 * (the shape of routers.json / services.json items), one or two servers each. Every seventh
 * service has a server DOWN, every thirteenth router is disabled with an error.
 */
export function generateEcsRoutes(
  count: number,
  options: { domain?: string; env?: string } = {},
): GeneratedEnv {
  const env = options.env ?? 'dev';
  const domain = options.domain ?? 'example.com';
  const routers: Item[] = [];
  const services: Item[] = [];
  for (let i = 0; i < count; i++) {
    const name = generatedName(i);
    const host = `${name}.${env}.${domain}`;
    const disabled = i % 13 === 12;
    routers.push({
      entryPoints: ['web'],
      service: name,
      rule: `Host(\`${host}\`)`,
      ...(disabled ? { error: [`the service "${name}@ecs" does not exist`] } : {}),
      status: disabled ? 'disabled' : 'enabled',
      using: ['web'],
      name: `${name}@ecs`,
      provider: 'ecs',
      priorityStr: '0',
    });
    const servers = [`http://10.0.${Math.floor(i / 250)}.${i % 250}:80`];
    if (i % 2 === 0) servers.push(`http://10.1.${Math.floor(i / 250)}.${i % 250}:80`);
    services.push({
      loadBalancer: { servers: servers.map((url) => ({ url })), strategy: 'wrr', passHostHeader: true },
      status: 'enabled',
      usedBy: [`${name}@ecs`],
      serverStatus: Object.fromEntries(
        servers.map((url, s) => [url, i % 7 === 6 && s === 0 ? 'DOWN' : 'UP']),
      ),
      name: `${name}@ecs`,
      provider: 'ecs',
      type: 'loadbalancer',
    });
  }
  return { routers, services };
}

/** `app<N>-v<M>`: app and tag of the N-th generated deployment. */
export function generatedName(index: number): string {
  return `app${Math.floor(index / 10)}-v${index % 10}`;
}
