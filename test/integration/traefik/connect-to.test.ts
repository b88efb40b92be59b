/**
 * TRAEFIKCTL_CONNECT_TO: before an env's DNS records exist (or against a Traefik on this machine),
 * traefikctl's requests to the API host and to deployment URLs go to the entry point's address and
 * keep their host names, so Traefik's Host rules still match. Tested against the real Traefik with
 * the API on a Host rule as `cluster up` writes it; no name is ever looked up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { TraefikApiError, TraefikClient } from '../../../src/lib/traefik/client.js';
import { connectToFromEnvironment } from '../../../src/lib/traefik/connect-to.js';
import { runCli } from '../../support/cli.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { freePort } from '../../support/traefik-process.js';
import { startLiveTraefik, type LiveTraefik } from '../../support/traefik-live.js';
import { eventually } from './support.js';

describeWith(['traefik'], 'TRAEFIKCTL_CONNECT_TO against the real Traefik', (stack) => {
  const env = uniqueName('cx');
  const apiHost = `traefik.${env}.example.com`;
  const appHost = `whoami-v1.${env}.example.com`;
  let live: LiveTraefik;
  let cwd: string;
  let entryPoint: string;
  let appPort: number;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-connect-to-'));
    appPort = await freePort();
    live = await startLiveTraefik(stack, {
      dynamic: {
        production: {
          http: {
            routers: {
              // The API router of cluster.yaml: by host name, behind the same basic auth.
              'api-by-host': {
                rule: `Host(\`${apiHost}\`) && PathPrefix(\`/api\`)`,
                entryPoints: ['web'],
                service: 'api@internal',
                middlewares: ['traefikctl-api-auth'],
              },
              'whoami-v1': {
                rule: `Host(\`${appHost}\`)`,
                entryPoints: ['web'],
                service: 'whoami-v1',
              },
            },
            services: {
              'whoami-v1': { loadBalancer: { servers: [{ url: `http://127.0.0.1:${appPort}` }] } },
            },
          },
        },
      },
    });
    entryPoint = new URL(live.apiUrl).host;
    // The file provider may apply the second file a moment after the API answers.
    await eventually('the Host-routed API router', async () => {
      const routers = await new TraefikClient({ apiUrl: live.apiUrl, password: live.password }).httpRouters();
      return routers.some((router) => router.name === 'api-by-host@file')
        ? { done: true, value: undefined }
        : { done: false, seen: routers.map((router) => router.name).join(', ') };
    });
  });

  afterAll(async () => {
    await live?.stop();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('reads the API by its host name through the entry point address', async () => {
    // given the API URL as cluster up reports it, and the entry point's address
    const client = new TraefikClient({
      apiUrl: `http://${apiHost}`,
      password: live.password,
      connectTo: connectToFromEnvironment({ TRAEFIKCTL_CONNECT_TO: entryPoint }),
    });

    // when the client reads the API
    const version = await client.version();
    const routers = await client.httpRouters();

    // then Traefik answered on the Host rule (the request kept its host name) and took the password
    expect(version.Version).toBe(stack.traefik.version);
    expect(routers.map((router) => router.name)).toContain('whoami-v1@file');
    expect(client.displayUrl).toBe(`http://${apiHost}`);
  });

  it('names the address it could not reach, and where it came from', async () => {
    // given an address where nothing listens
    const closed = await freePort();
    const client = new TraefikClient({
      apiUrl: `http://${apiHost}`,
      password: live.password,
      retries: 0,
      connectTo: { host: '127.0.0.1', port: closed },
    });

    // when the client reads the API, then the error says where it connected
    const error = await client.version().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TraefikApiError);
    expect((error as TraefikApiError).message).toBe(
      `Can't reach Traefik's API at http://${apiHost} through 127.0.0.1:${closed} (TRAEFIKCTL_CONNECT_TO) (ECONNREFUSED).`,
    );
    expect((error as TraefikApiError).suggestions[0]).toMatch(/^Check TRAEFIKCTL_CONNECT_TO/);
  });

  it('routes lists the live routers with only the API host name and TRAEFIKCTL_CONNECT_TO', async () => {
    // when a user who has no DNS record yet runs routes
    const { stdout, stderr, exitCode } = await runCli(
      ['routes', '--api-url', `http://${apiHost}`, '--env', env, '--json'],
      {
        cwd,
        env: { TRAEFIKCTL_TRAEFIK_PASSWORD: live.password, TRAEFIKCTL_CONNECT_TO: entryPoint },
      },
    );

    // then the routers of the live Traefik are listed
    expect(exitCode, stderr).toBe(0);
    const names = (JSON.parse(stdout) as { name: string }[]).map((route) => route.name);
    expect(names).toContain('whoami-v1@file');
  });

  it('refuses a TRAEFIKCTL_CONNECT_TO that is not host[:port] before anything is sent (exit 2)', async () => {
    // when the variable holds a URL instead of an address
    const { stdout, stderr, exitCode } = await runCli(
      ['routes', '--api-url', `http://${apiHost}`, '--env', env],
      { cwd, env: { TRAEFIKCTL_CONNECT_TO: 'http://127.0.0.1:8080' } },
    );

    // then it is a usage error that names the variable and the form it takes
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('TRAEFIKCTL_CONNECT_TO "http://127.0.0.1:8080" is not a host or host:port.');
  });
});
