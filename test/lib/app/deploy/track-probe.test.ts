/**
 * The URL probe against a real HTTP server on 127.0.0.1, reached through `address` the way
 * `--probe-address` sends it: the URL's own host (a made-up example.com name) is never resolved.
 */
import type { RequestListener } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { Poller } from '../../../../src/lib/app/deploy/poll.js';
import { parseProbeAddress, probeUrl } from '../../../../src/lib/app/deploy/track-probe.js';
import { ExitCode, UserError } from '../../../../src/lib/errors.js';
import { startLocalServer, type LocalServer } from '../../../support/local-server.js';

const URL = 'http://whoami-v2.dev.example.com';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Starts `handler` and returns its address as `--probe-address` takes it (`127.0.0.1:<port>`). */
async function serve(handler: RequestListener): Promise<string> {
  server = await startLocalServer(handler);
  return `127.0.0.1:${server.port}`;
}

describe('probeUrl', () => {
  it("retries through a 502 and Traefik's own 404 until the app answers, sending the deployment Host", async () => {
    // given a load balancer that has no route at first, then a starting backend, then the app
    const answers: [number, string][] = [
      [404, '404 page not found\n'],
      [502, 'Bad Gateway'],
      [200, 'Hostname: whoami-v2'],
    ];
    const seen: { host: string | undefined; path: string | undefined }[] = [];
    const address = await serve((request, response) => {
      seen.push({ host: request.headers.host, path: request.url });
      const [status, body] = answers[Math.min(seen.length - 1, answers.length - 1)] ?? [500, ''];
      response.writeHead(status).end(body);
    });
    const details: string[] = [];

    // when probing the health path through that address
    const answer = await probeUrl({
      url: URL,
      path: '/health',
      address,
      poller: new Poller({ intervalMs: 10 }),
      deadline: Date.now() + 5_000,
      timeoutText: '2m',
      setDetail: (detail) => details.push(detail),
    });

    // then it got the app's answer, having asked for the deployment's host every time
    expect(answer.status).toBe(200);
    expect(seen).toEqual(
      Array.from({ length: 3 }, () => ({ host: 'whoami-v2.dev.example.com', path: '/health' })),
    );
    expect(details).toEqual([
      'Traefik answered 404: no route for the host (attempt 1)',
      'it answered 502 (attempt 2)',
    ]);
  });

  it("counts an app's own 404 or 401 as an answer: the URL is served", async () => {
    const address = await serve((_request, response) => response.writeHead(401).end('login first'));
    const answer = await probeUrl({
      url: URL,
      path: '/',
      address,
      poller: new Poller({ intervalMs: 10 }),
      deadline: Date.now() + 5_000,
      timeoutText: '2m',
    });
    expect(answer.status).toBe(401);
  });

  it('fails with exit 6 when the URL keeps failing, and says what it saw last', async () => {
    // given a backend that only ever answers 503
    const address = await serve((_request, response) => response.writeHead(503).end('no'));

    // when probing it for 1 s
    const error = await probeUrl({
      url: URL,
      path: '/',
      address,
      poller: new Poller({ intervalMs: 20 }),
      deadline: Date.now() + 1_000,
      timeoutText: '2m',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );

    // then
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.ProbeFailed);
    expect((error as UserError).message).toBe(
      `http://whoami-v2.dev.example.com/ via ${address} doesn't answer after 2m: it answered 503.`,
    );
    expect((error as UserError).suggestions).toContain(
      'The ECS deployment itself succeeded and stays in place; skip this check with --skip-probe.',
    );
  });

  it('says what the URL last answered, not the timeout of the request the deadline cut short', async () => {
    // given a backend that answers 503 once, then never again (a request hangs until the deadline)
    let requests = 0;
    const address = await serve((_request, response) => {
      requests++;
      if (requests === 1) response.writeHead(503).end('no');
    });

    // and a clock that reads 100 ms later each time: the probe, reading it after the poller armed its
    // own deadline, gives the hanging request less time than the poller has, so the request's timeout
    // (not the poller) ends it, as happens when both fire together at the deadline
    let readings = 0;
    const now = () => Date.now() + 100 * readings++;
    const error = (await probeUrl({
      url: URL,
      path: '/',
      address,
      poller: new Poller({ intervalMs: 20, now }),
      deadline: now() + 1_500,
      timeoutText: '2m',
    }).then(
      () => undefined,
      (e: unknown) => e,
    )) as UserError;

    expect(requests).toBeGreaterThanOrEqual(2);
    expect(error.message).toBe(
      `http://whoami-v2.dev.example.com/ via ${address} doesn't answer after 2m: it answered 503.`,
    );
  });

  it('reports a refused connection, and exit 4 when the overall timeout ended it', async () => {
    const address = await serve(() => undefined);
    await server?.close();

    const error = (await probeUrl({
      url: URL,
      path: '/',
      address,
      poller: new Poller({ intervalMs: 20 }),
      deadline: Date.now() + 100,
      deadlineIsOverall: true,
      timeoutText: 'the --timeout of 10m',
    }).then(
      () => undefined,
      (e: unknown) => e,
    )) as UserError;

    expect(error.exitCode).toBe(ExitCode.TimedOut);
    expect(error.message).toMatch(/after the --timeout of 10m: the request failed \(ECONNREFUSED\)\.$/);
  });
});

describe('probeUrl against a deadline', () => {
  it('gives up at the deadline even while a request waits for its answer, and closes it', async () => {
    // given a URL that accepts connections and never answers (a request may wait 10 s on its own)
    let closed = 0;
    const address = await serve((request) => request.socket.on('close', () => closed++));

    // when probing it with 300 ms left
    const started = performance.now();
    const error = (await probeUrl({
      url: URL,
      path: '/',
      address,
      poller: new Poller({ intervalMs: 20 }),
      deadline: Date.now() + 300,
      deadlineIsOverall: true,
      timeoutText: 'the --timeout of 15s',
    }).then(
      () => undefined,
      (e: unknown) => e,
    )) as UserError;
    const elapsed = performance.now() - started;

    // then it timed out at the deadline, not at the request's own 10 s, and left no request open
    expect(error).toBeInstanceOf(UserError);
    expect(error.exitCode).toBe(ExitCode.TimedOut);
    expect(error.message).toMatch(/doesn't answer after the --timeout of 15s/);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1_500);
    await expect.poll(() => closed, { timeout: 2_000 }).toBe(1);
  });
});

describe('parseProbeAddress', () => {
  it('takes host, host:port and [ipv6]:port, and refuses URLs with a usage error', () => {
    expect(parseProbeAddress('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseProbeAddress('my-alb-1.eu-west-1.elb.amazonaws.com')).toEqual({
      host: 'my-alb-1.eu-west-1.elb.amazonaws.com',
      port: undefined,
    });
    expect(parseProbeAddress('[::1]:80')).toEqual({ host: '::1', port: 80 });
    for (const bad of ['http://127.0.0.1', '127.0.0.1:0', '127.0.0.1:99999', 'a b']) {
      expect(() => parseProbeAddress(bad)).toThrow(UserError);
    }
  });
});
