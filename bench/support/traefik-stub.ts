/**
 * A Traefik API on 127.0.0.1 serving N routers and services for the scale bench, with Traefik's
 * list semantics (pkg/api/criterion.go, as test/support/traefik-server.ts does for the tests): `page`
 * (default 1) and `per_page` (default 100), `X-Next-Page` (`1` on the last page), 400 past the end,
 * lists sorted by name. Items are generated from the real captures in
 * ../shared/fixtures/traefik-api (routers.json, services.json) when they are there: each generated
 * item is the captured one with its names, rule and servers replaced.
 *
 * Unlike the test server it is built for volume: every page body is serialised once and cached, so
 * that the server's own cost stays out of what the bench measures. `churn()` changes a few servers'
 * status, as a live cluster does between two refreshes of `routes --watch`.
 *
 * It also answers the ECS calls `routes` makes (POST / with `x-amz-target`) with
 * ClusterNotFoundException, so that `routes` runs without AWS: point AWS_ENDPOINT_URL here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Item = Record<string, unknown> & { name: string };

export const FIXTURES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../shared/fixtures/traefik-api',
);

// Our own stand-ins with the same shape, for machines without the captures.
const ROUTER_SHAPE: Item = {
  entryPoints: ['web'],
  middlewares: ['auth'],
  name: 'x@ecs',
  provider: 'ecs',
  priorityStr: '0',
  rule: 'Host(`x`)',
  service: 'x',
  status: 'enabled',
  using: ['web'],
};
const SERVICE_SHAPE: Item = {
  loadBalancer: { passHostHeader: true, servers: [{ url: 'http://127.0.0.1' }] },
  name: 'x@ecs',
  provider: 'ecs',
  serverStatus: { 'http://127.0.0.1': 'UP' },
  status: 'enabled',
  type: 'loadbalancer',
  usedBy: ['x@ecs'],
};

function templates(): { router: Item; service: Item; source: string } {
  const routers = path.join(FIXTURES_DIR, 'routers.json');
  const services = path.join(FIXTURES_DIR, 'services.json');
  if (existsSync(routers) && existsSync(services)) {
    const [router] = JSON.parse(readFileSync(routers, 'utf8')) as Item[];
    const [service] = JSON.parse(readFileSync(services, 'utf8')) as Item[];
    if (router !== undefined && service !== undefined) return { router, service, source: FIXTURES_DIR };
  }
  return { router: ROUTER_SHAPE, service: SERVICE_SHAPE, source: 'built-in shapes (no captures found)' };
}

/** `app<i/10>-v<i%10>`: the ECS service, Traefik router and service name of the i-th deployment. */
export function deploymentName(index: number): string {
  return `app${Math.floor(index / 10)}-v${index % 10}`;
}

export function hostOf(index: number): string {
  return `${deploymentName(index)}.bench.example.com`;
}

function serverUrls(index: number): string[] {
  // Never contacted: only their text matters.
  const urls = [`http://10.0.${Math.floor(index / 250) % 250}.${index % 250}:80`];
  if (index % 2 === 0) urls.push(`http://10.1.${Math.floor(index / 250) % 250}.${index % 250}:80`);
  return urls;
}

export interface TraefikStub {
  url: string;
  count: number;
  /** Where the item shapes came from. */
  shapes: string;
  /** Requests per path (query excluded), since start or the last `resetCounts()`. */
  counts: Map<string, number>;
  resetCounts(): void;
  /** Flips the first server of `changes` services between UP and DOWN. */
  churn(changes: number): void;
  /** Churns this many services before every first page of the services list (a refresh). */
  churnPerRefresh: number;
  close(): Promise<void>;
}

export async function startTraefikStub(count: number): Promise<TraefikStub> {
  const shapes = templates();
  const routers: Item[] = [];
  const services: Item[] = [];
  for (let i = 0; i < count; i++) {
    const name = deploymentName(i);
    const disabled = i % 13 === 12;
    routers.push({
      ...shapes.router,
      name: `${name}@ecs`,
      provider: 'ecs',
      rule: `Host(\`${hostOf(i)}\`)`,
      service: name,
      status: disabled ? 'disabled' : 'enabled',
      ...(disabled ? { error: [`the service "${name}@ecs" does not exist`] } : {}),
    });
    const urls = serverUrls(i);
    services.push({
      ...shapes.service,
      loadBalancer: { ...(shapes.service.loadBalancer as object), servers: urls.map((url) => ({ url })) },
      name: `${name}@ecs`,
      provider: 'ecs',
      serverStatus: Object.fromEntries(urls.map((url, s) => [url, i % 7 === 6 && s === 0 ? 'DOWN' : 'UP'])),
      usedBy: [`${name}@ecs`],
    });
  }
  const byName = (a: Item, b: Item) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  routers.sort(byName);
  services.sort(byName);
  const lists: Record<string, Item[]> = {
    '/api/http/routers': routers,
    '/api/http/services': services,
    '/api/http/middlewares': [],
    '/api/tcp/routers': [],
    '/api/tcp/services': [],
    '/api/udp/routers': [],
    '/api/udp/services': [],
    '/api/entrypoints': [{ address: ':80', name: 'web' }],
  };
  const pages = new Map<string, { body: Buffer; next: number } | { status: 400; body: Buffer }>();
  const counts = new Map<string, number>();
  let churned = 0;

  const page = (listPath: string, pageNumber: number, perPage: number) => {
    const key = `${listPath}|${pageNumber}|${perPage}`;
    let cached = pages.get(key);
    if (cached === undefined) {
      const items = lists[listPath] ?? [];
      const start = (pageNumber - 1) * perPage;
      if (start >= items.length && !(pageNumber === 1 && items.length === 0)) {
        const message = `invalid request: page: ${pageNumber}, per_page: ${perPage}`;
        cached = { status: 400, body: Buffer.from(`${JSON.stringify({ message })}\n`) };
      } else {
        const end = Math.min(start + perPage, items.length);
        // Live Traefik bodies are compact, one line, ending with a newline.
        cached = {
          body: Buffer.from(`${JSON.stringify(items.slice(start, end))}\n`),
          next: end >= items.length ? 1 : pageNumber + 1,
        };
      }
      pages.set(key, cached);
    }
    return cached;
  };

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
    if (request.method === 'POST') {
      // The AWS SDK (JSON 1.1 protocol): routes reads the API password from SSM and the services of
      // the cluster from ECS; here there is neither.
      const target = String(request.headers['x-amz-target'] ?? '');
      const type = target.startsWith('AmazonSSM.') ? 'ParameterNotFound' : 'ClusterNotFoundException';
      counts.set(target, (counts.get(target) ?? 0) + 1);
      request.resume();
      request.on('end', () => {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
        response.end(JSON.stringify({ __type: type, message: `${type} (traefikctl bench stub)` }));
      });
      return;
    }
    if (url.pathname === '/api/version') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"Version":"3.7.9","Codename":"bench","startDate":"2026-07-24T00:00:00Z"}\n');
      return;
    }
    if (lists[url.pathname] !== undefined) {
      const pageNumber = Number(url.searchParams.get('page') ?? '1');
      const perPage = Number(url.searchParams.get('per_page') ?? '100');
      if (!Number.isInteger(pageNumber) || pageNumber <= 0 || !Number.isInteger(perPage) || perPage <= 0) {
        response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('{"message":"invalid request"}\n');
        return;
      }
      if (url.pathname === '/api/http/services' && pageNumber === 1 && stub.churnPerRefresh > 0) {
        stub.churn(stub.churnPerRefresh);
      }
      const answer = page(url.pathname, pageNumber, perPage);
      if ('status' in answer) {
        response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(answer.body);
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': answer.body.length,
        'x-next-page': String(answer.next),
      });
      response.end(answer.body);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('{"message":"404 page not found"}\n');
  };

  const server = createServer({ keepAlive: true }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const stub: TraefikStub = {
    url: `http://127.0.0.1:${port}`,
    count,
    shapes: shapes.source,
    counts,
    resetCounts: () => counts.clear(),
    churnPerRefresh: 0,
    churn(changes) {
      for (let k = 0; k < changes && services.length > 0; k++) {
        const service = services[(churned++ * 7919) % services.length] as Item;
        const status = service.serverStatus as Record<string, string>;
        const [first] = Object.keys(status);
        if (first !== undefined) status[first] = status[first] === 'UP' ? 'DOWN' : 'UP';
      }
      for (const key of pages.keys()) if (key.startsWith('/api/http/services|')) pages.delete(key);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return stub;
}
