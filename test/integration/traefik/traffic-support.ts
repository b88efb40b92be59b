/**
 * Real traffic through the stack's real Traefik for the traffic views' tests: two backends on
 * loopback (small node servers with known answers and delays: Traefik, not they, is under test),
 * routed by the file provider as `busy@file` and `quiet@file`, and a bounded request loop.
 */
import { createServer, request, type Server } from 'node:http';

import type { DynamicConfig } from '../../support/traefik-live.js';
import { getWithHost } from './support.js';

export const TRAFFIC_DOMAIN = 'traffic.example.com';
/** How long a backend takes before a 500: inside the (0.1, 0.3] bucket of cluster up's histogram. */
export const SLOW_FAIL_MS = 150;
/** A name the text format must escape (a quote, a backslash): Traefik writes it into the labels. */
export const ODD_NAME = 'odd"name\\x';

export interface Backend {
  url: string;
  close(): Promise<void>;
}

/** A backend answering `/` with 200 at once and `/fail` with 500 after SLOW_FAIL_MS. */
export async function startBackend(): Promise<Backend> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/fail') {
      setTimeout(() => response.writeHead(500).end('failed\n'), SLOW_FAIL_MS);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Routers `busy`, `quiet` and ODD_NAME, each to its own service; busy's to `busy`, the rest to `quiet`. */
export function trafficRoutes(busy: string, quiet: string): DynamicConfig {
  const router = (host: string, service: string) => ({
    rule: `Host(\`${host}.${TRAFFIC_DOMAIN}\`)`,
    entryPoints: ['web'],
    service,
  });
  return {
    http: {
      routers: {
        busy: router('busy', 'busy'),
        quiet: router('quiet', 'quiet'),
        [ODD_NAME]: router('odd', ODD_NAME),
      },
      services: {
        busy: { loadBalancer: { servers: [{ url: busy }] } },
        quiet: { loadBalancer: { servers: [{ url: quiet }] } },
        [ODD_NAME]: { loadBalancer: { servers: [{ url: quiet }] } },
      },
    },
  };
}

/**
 * The bounded loop: `count` requests to busy, one after another, every tenth to /fail (answered
 * 500 after SLOW_FAIL_MS); each answer's status is checked.
 */
export async function sendTraffic(web: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const failing = i % 10 === 0;
    const answer = await getWithHost(`${web}${failing ? '/fail' : '/'}`, `busy.${TRAFFIC_DOMAIN}`);
    if (answer.status !== (failing ? 500 : 200))
      throw new Error(`request ${i} to busy answered ${answer.status}, not ${failing ? 500 : 200}`);
  }
}

/** Forwards everything to `target` as it came; calls `onMetrics` when an answer to /metrics has gone back. */
export async function startProxy(
  target: string,
  onMetrics: () => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
        answer.on('end', () => {
          if (incoming.url === '/metrics' && answer.statusCode === 200) onMetrics();
        });
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
