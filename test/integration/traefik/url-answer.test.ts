/**
 * "The URL answers", against the stack's real Traefik: its own 404 for a host no router matches is
 * not an answer, an app's own 404 behind a router is. Both probes (`app deploy`'s and
 * `app urls --check`'s) decide it with src/lib/traefik/url-answer.ts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { probeOnce } from '../../../src/lib/app/deploy/track-probe.js';
import { probeUrl } from '../../../src/lib/app/urls-probe.js';
import {
  isTraefikNotFound,
  TRAEFIK_NOT_FOUND_BODY,
  urlAnswers,
} from '../../../src/lib/traefik/url-answer.js';
import { startLocalServer, type LocalServer } from '../../support/local-server.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { startLiveTraefik, type LiveTraefik } from '../../support/traefik-live.js';
import { answerFor } from './support.js';

describeWith(['traefik'], 'what counts as an answer, through a real Traefik', (stack) => {
  const name = uniqueName('answer');
  const host = `${name}.example.test`;
  const unrouted = `nothing-${name}.example.test`;
  let app: LocalServer;
  let live: LiveTraefik;
  let port: number;

  beforeAll(async () => {
    // given an app that answers 404 for every path, routed by Traefik for `host`
    app = await startLocalServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such page"}');
    });
    live = await startLiveTraefik(stack, {
      dynamic: {
        app: {
          http: {
            routers: { [name]: { rule: `Host(\`${host}\`)`, entryPoints: ['web'], service: name } },
            services: { [name]: { loadBalancer: { servers: [{ url: app.url }] } } },
          },
        },
      },
    });
    port = Number(new URL(live.apiUrl).port);
    // the router is in once the app's own 404 comes back through Traefik
    await answerFor(live.apiUrl, host, 404);
  }, 60_000);

  afterAll(async () => {
    await live?.stop();
    await app?.close();
  });

  it("reads Traefik's own 404 as exactly the answer url-answer.ts expects", async () => {
    const answer = await probeOnce(
      { url: `http://${unrouted}/`, path: '/', address: `127.0.0.1:${port}` },
      5000,
    );
    expect(answer.status).toBe(404);
    expect(answer.body).toBe(TRAEFIK_NOT_FOUND_BODY);
    expect(isTraefikNotFound(answer)).toBe(true);
    expect(urlAnswers(answer)).toBe(false);
  });

  it("app deploy's probe counts the app's own 404 as an answer", async () => {
    const answer = await probeOnce(
      { url: `http://${host}/`, path: '/missing', address: `127.0.0.1:${port}` },
      5000,
    );
    expect(answer.status).toBe(404);
    expect(isTraefikNotFound(answer)).toBe(false);
    expect(urlAnswers(answer)).toBe(true);
  });

  it('app urls --check decides the same for both', async () => {
    const resolve = () => ({ address: '127.0.0.1', port });
    expect(await probeUrl(`http://${unrouted}/`, { resolve, timeoutMs: 5000 })).toMatchObject({
      ok: false,
      status: 404,
    });
    expect(await probeUrl(`http://${host}/missing`, { resolve, timeoutMs: 5000 })).toMatchObject({
      ok: true,
      status: 404,
    });
  });
});
