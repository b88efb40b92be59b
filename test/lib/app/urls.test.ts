import type { IncomingHttpHeaders } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { probeResolver, urlScheme } from '../../../src/lib/app/urls.js';
import { fixedAddress, probeUrl, probeUrls } from '../../../src/lib/app/urls-probe.js';
import { UserError } from '../../../src/lib/errors.js';
import { TRAEFIK_NOT_FOUND_BODY, urlAnswers } from '../../../src/lib/traefik/url-answer.js';
import { startLocalServer, type LocalServer } from '../../support/local-server.js';

describe('urlScheme', () => {
  it('follows the cluster: https when its URL pattern (or else its API) is https', () => {
    expect(urlScheme({ urlPattern: 'https://{app}-{tag}.dev.example.com' })).toBe('https');
    expect(urlScheme({ urlPattern: 'http://{app}-{tag}.dev.example.com', apiUrl: 'https://x' })).toBe('http');
    expect(urlScheme({ apiUrl: 'https://traefik.dev.example.com' })).toBe('https');
    expect(urlScheme({})).toBe('http');
  });
});

describe('probeUrl', () => {
  // A local stand-in for Traefik in front of two deployments; the probe reaches it through the
  // injected resolver, since tests may only talk to 127.0.0.1.
  let server: LocalServer;
  let port = 0;
  const seen: IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    server = await startLocalServer((request, response) => {
      seen.push(request.headers);
      if (request.headers.host === 'slow.dev.example.com') return; // never answers
      if (request.headers.host === 'app-404.dev.example.com') {
        // the app's own 404, with the headers an app sends
        response.writeHead(404, { 'content-type': 'text/html', 'x-powered-by': 'Express' });
        response.end('<h1>Not here</h1>'.repeat(1000));
        return;
      }
      if (request.headers.host !== 'whoami-v1.dev.example.com') {
        // Traefik's own 404 for a host no router matches, as Traefik writes it (Go's http.NotFound)
        response.writeHead(404, {
          'content-type': 'text/plain; charset=utf-8',
          'x-content-type-options': 'nosniff',
        });
        response.end(TRAEFIK_NOT_FOUND_BODY);
        return;
      }
      response.statusCode = 200;
      response.end('x'.repeat(100_000));
    });
    port = server.port;
  });
  afterAll(() => server.close());
  const resolve = () => ({ address: '127.0.0.1', port });

  it('sends the deployment Host header to the resolved address and reports the status', async () => {
    const result = await probeUrl('http://whoami-v1.dev.example.com/', { resolve, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: true, status: 200, address: '127.0.0.1' });
    expect(seen.at(-1)?.host).toBe('whoami-v1.dev.example.com');
  });

  it("counts Traefik's 404 (no router for the host) as not answering", async () => {
    const result = await probeUrl('http://gone.dev.example.com', { resolve, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, status: 404 });
  });

  it("counts the app's own 404 as an answer: the route works and the app is up", async () => {
    const result = await probeUrl('http://app-404.dev.example.com', { resolve, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: true, status: 404 });
  });

  it('gives up after the timeout and says so', async () => {
    const result = await probeUrl('http://slow.dev.example.com', { resolve, timeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, error: 'no answer within 200ms' });
    expect(result.elapsedMs).toBeLessThan(2000);
  });

  it('reports a host that does not resolve', async () => {
    const result = await probeUrl('http://nowhere.dev.example.com', {
      resolve: () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
    });
    expect(result).toMatchObject({ ok: false, error: "can't resolve nowhere.dev.example.com (ENOTFOUND)" });
  });

  it('reports a refused connection', async () => {
    const closed = await startLocalServer();
    const closedPort = closed.port;
    await closed.close();
    const result = await probeUrl('http://whoami-v1.dev.example.com', {
      resolve: () => ({ address: '127.0.0.1', port: closedPort }),
    });
    expect(result.ok).toBe(false);
    expect(result.error).toContain('ECONNREFUSED');
  });

  it('probes many URLs concurrently, results in input order', async () => {
    const urls = [
      'http://whoami-v1.dev.example.com',
      'http://gone.dev.example.com',
      'http://whoami-v1.dev.example.com',
    ];
    const results = await probeUrls(urls, { resolve, timeoutMs: 2000, concurrency: 2 });
    expect(results.map((r) => r.status)).toEqual([200, 404, 200]);
  });
});

describe('urlAnswers', () => {
  // Traefik's own 404 as the stack's real Traefik writes it (test/integration/traefik/url-answer.test.ts)
  const traefik404 = {
    status: 404,
    body: TRAEFIK_NOT_FOUND_BODY,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      date: 'x',
      'content-length': '19',
    },
  };
  const app = (status: number) => ({ status, body: 'hello', headers: { 'content-type': 'text/html' } });

  it("treats 2xx, 3xx, a login wall and the app's own 4xx as answering; Traefik's 404 and 5xx as not", () => {
    expect(
      [200, 204, 301, 302, 401, 403, 404, 410, 500, 502, 503].map((status) => urlAnswers(app(status))),
    ).toEqual([true, true, true, true, true, true, true, true, false, false, false]);
    expect(urlAnswers(traefik404)).toBe(false);
  });

  it("takes a 404 with Traefik's body but an app's header (a Go app's http.NotFound behind a Server header) as the app's", () => {
    expect(urlAnswers({ ...traefik404, headers: { ...traefik404.headers, server: 'my-app' } })).toBe(true);
    expect(urlAnswers({ ...traefik404, body: '404 page not found' })).toBe(true);
  });
});

describe('probeResolver', () => {
  it('takes --probe-address first, then TRAEFIKCTL_CONNECT_TO, else leaves the URL to DNS', async () => {
    const environment = { TRAEFIKCTL_CONNECT_TO: '127.0.0.1:8080' };
    expect(await probeResolver('127.0.0.2:81', environment)?.('x')).toEqual({
      address: '127.0.0.2',
      port: 81,
    });
    expect(await probeResolver(undefined, environment)?.('x')).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(probeResolver(undefined, {})).toBeUndefined();
    expect(probeResolver(undefined, { TRAEFIKCTL_CONNECT_TO: ' ' })).toBeUndefined();
  });

  it('refuses a bad TRAEFIKCTL_CONNECT_TO as a usage error naming the variable', () => {
    expect(() => probeResolver(undefined, { TRAEFIKCTL_CONNECT_TO: 'http://alb' })).toThrow(
      /^TRAEFIKCTL_CONNECT_TO "http:\/\/alb" is not a host or host:port\.$/,
    );
  });
});

describe('fixedAddress', () => {
  it('sends every host to host[:port]', async () => {
    expect(await fixedAddress('my-alb.elb.amazonaws.com')('whoami-v1.dev.example.com')).toEqual({
      address: 'my-alb.elb.amazonaws.com',
      port: undefined,
    });
    expect(await fixedAddress('127.0.0.1:8080')('x')).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(await fixedAddress('[::1]:8443')('x')).toEqual({ address: '::1', port: 8443 });
  });

  it('rejects anything else as a usage error naming the flag', () => {
    for (const bad of ['http://alb', 'alb:99999', 'a b']) {
      expect(() => fixedAddress(bad)).toThrow(UserError);
      expect(() => fixedAddress(bad)).toThrow(/^--probe-address /);
    }
  });
});
