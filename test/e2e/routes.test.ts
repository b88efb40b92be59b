/**
 * `traefikctl routes` and `routes show` as a user runs them: bin/run.js against a local Traefik
 * stand-in (127.0.0.1) with basic auth, ECS in moto. stdout and stderr are pipes, so the CLI
 * presents itself as in CI: tab-separated rows, plain lines, no colour.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { BIN, runCli } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import {
  generateEcsRoutes,
  startTraefikServer,
  type TraefikApiData,
  type TraefikTestServer,
} from '../support/traefik-server.js';

const auth = { username: 'admin', password: 'Trae-fik-pa55' };

describeWith(['moto'], 'traefikctl routes', () => {
  let cwd: string;
  let server: TraefikTestServer;
  let env: string;
  let data: TraefikApiData;

  beforeEach(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-routes-'));
    env = uniqueName('rt');
    // 250 routers: three pages at the CLI's default page size would be one; Traefik's default is 100.
    const many = generateEcsRoutes(250);
    data = {
      http: { routers: many.routers, services: many.services },
      tcp: {
        routers: [
          { name: 'db@file', provider: 'file', rule: 'HostSNI(`*`)', service: 'db', status: 'enabled' },
        ],
      },
    };
    server = await startTraefikServer({ data: () => data, auth });
  });

  afterEach(async () => {
    await server.stop();
    await rm(cwd, { recursive: true, force: true });
  });

  const routes = (args: string[], password = auth.password) =>
    runCli(['routes', ...args, '--api-url', server.url, '--env', env], {
      cwd,
      env: { TRAEFIKCTL_TRAEFIK_PASSWORD: password },
    });

  it('--json prints every router exactly once as a typed list', async () => {
    const { stdout, stderr, exitCode } = await routes(['--json']);
    expect(exitCode, stderr).toBe(0);
    const list = JSON.parse(stdout) as {
      name: string;
      protocol: string;
      status: string;
      serversUp: number;
    }[];
    expect(list).toHaveLength(251);
    expect(new Set(list.map((route) => `${route.protocol}:${route.name}`)).size).toBe(251);
    expect(list.find((route) => route.name === 'app0-v0@ecs')).toMatchObject({
      protocol: 'http',
      status: 'enabled',
      hosts: ['app0-v0.dev.example.com'],
      serversUp: 2,
      serversTotal: 2,
      provider: 'ecs',
    });
    expect(stderr).toBe('');
  });

  it('prints tab-separated rows on a pipe, filtered by status and search, with a hint on stderr', async () => {
    const { stdout, stderr, exitCode } = await routes(['--status', 'disabled', '--search', 'app1-']);
    expect(exitCode, stderr).toBe(0);
    expect(stdout).toBe('app1-v2.dev.example.com\tdisabled\t2/2\tecs\t-\t-\tapp1-v2@ecs\n');
    expect(stderr).toBe('1 route needs attention; see why with `traefikctl routes show app1-v2@ecs`.\n');
  });

  it('refuses a wrong password with exit 1 and says where the password came from, without showing it', async () => {
    const { stdout, stderr, exitCode } = await routes([], 'not-the-password');
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `Error: Traefik's API at ${server.url} refuses the password of user admin (401 Unauthorized).`,
    );
    expect(stderr).toContain('The password comes from TRAEFIKCTL_TRAEFIK_PASSWORD: check its value.');
    expect(stderr).not.toContain('not-the-password');
  });

  it('reports a Traefik that is down with exit 1 after retrying', async () => {
    await server.stop();
    const { stderr, exitCode } = await routes([]);
    expect(exitCode).toBe(1);
    expect(stderr).toContain(`Can't reach Traefik's API at ${server.url} (ECONNREFUSED) after 4 attempts.`);
    await server.start();
  });

  it('refuses --interval without --watch as a usage error', async () => {
    const { exitCode } = await routes(['--interval', '5s']);
    expect(exitCode).toBe(2);
  });

  it('routes show prints one router by host, and suggests names for an unknown one', async () => {
    const shown = await runCli(
      ['routes', 'show', 'app0-v6.dev.example.com', '--api-url', server.url, '--env', env],
      {
        cwd,
        env: { TRAEFIKCTL_TRAEFIK_PASSWORD: auth.password },
      },
    );
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('app0-v6@ecs  enabled\n');
    expect(shown.stdout).toContain('  Rule         Host(`app0-v6.dev.example.com`)\n');
    expect(shown.stdout).toMatch(/DOWN\s+http:\/\/10\.0\.0\.6:80\n/);
    expect(shown.stdout).toMatch(/UP\s+http:\/\/10\.1\.0\.6:80\n/);

    const unknown = await runCli(['routes', 'show', 'app0-v', '--api-url', server.url, '--env', env], {
      cwd,
      env: { TRAEFIKCTL_TRAEFIK_PASSWORD: auth.password },
    });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('Error: Traefik has no router "app0-v".');
    expect(unknown.stderr).toContain('Did you mean app0-v0@ecs, app0-v1@ecs');
  });

  it('--watch without a terminal prints the routes, then one line per change, until interrupted', async () => {
    // given a watch every 300ms
    const child = spawn(
      process.execPath,
      [
        BIN,
        'routes',
        '--watch',
        '--interval',
        '300ms',
        '--search',
        'app0-v1.',
        '--api-url',
        server.url,
        '--env',
        env,
      ],
      {
        cwd,
        env: {
          ...process.env,
          TRAEFIKCTL_TRAEFIK_PASSWORD: auth.password,
          TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true',
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(check(), `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(true);
    };

    // when the first refresh is in, then app0-v1's router disappears
    await waitFor(() => stdout.includes('= app0-v1@ecs enabled 1/1 - app0-v1.dev.example.com'));
    const http = data.http;
    data = {
      ...data,
      http: { ...http, routers: (http?.routers ?? []).filter((r) => r.name !== 'app0-v1@ecs') },
    };
    await waitFor(() => stdout.includes('- app0-v1@ecs removed'));
    child.kill('SIGINT');

    // then it stops with the interrupted exit code and a summary on stderr
    expect(await exited).toBe(130);
    expect(stdout.trim().split('\n')).toHaveLength(2);
    expect(stderr).toMatch(/\d+ routes: \d+ enabled/);
  });
});
