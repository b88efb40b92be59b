/**
 * `traefikctl routes`, `routes show` and `status` as a user runs them (bin/run.js, stdout and stderr
 * pipes), against the stack's real Traefik v3 instead of captures: its API behind basic auth as in
 * production, routers from the file provider (many, a weighted one, one without its service, one
 * whose health check fails), ECS in moto. The ECS provider can't see moto's tasks yet, so no router
 * here is `@ecs`: deployments show as not routed, which is what a user would see too.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CreateServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { TraefikClient } from '../../src/lib/traefik/client.js';
import { registerRevision, seedClusterStack, seedDeployment } from '../integration/app/seed.js';
import { BIN, runCli } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { eventually } from '../integration/traefik/support.js';
import {
  fileRoutes,
  fileServers,
  startLiveTraefik,
  type DynamicConfig,
  type LiveTraefik,
} from '../support/traefik-live.js';
import { freePort } from '../support/traefik-process.js';

const GENERATED = 250;

function name(i: number): string {
  return `app${String(i).padStart(3, '0')}`;
}

/** 250 routers, a weighted one, one whose service is missing, one whose only server fails its check. */
function liveRoutes(closedPort: number): DynamicConfig {
  const generated = fileRoutes(GENERATED);
  const router = (host: string, service: string) => ({
    rule: `Host(\`${host}.live.example.com\`)`,
    entryPoints: ['web'],
    service,
  });
  return {
    http: {
      routers: {
        ...generated.http.routers,
        canary: router('canary', 'canary'),
        broken: router('broken', 'nowhere'),
        down: router('down', 'down'),
      },
      services: {
        ...generated.http.services,
        canary: {
          weighted: {
            services: [
              { name: 'app001', weight: 9 },
              { name: 'app002', weight: 1 },
            ],
          },
        },
        // Nothing listens there: Traefik's health check (to 127.0.0.1 only) marks the server DOWN.
        down: {
          loadBalancer: {
            servers: [{ url: `http://127.0.0.1:${closedPort}` }],
            healthCheck: { path: '/health', interval: '1s', timeout: '500ms' },
          },
        },
      },
    },
  };
}

describeWith(['traefik', 'moto'], 'routes and status against a live Traefik', (stack) => {
  const env = uniqueName('lv');
  const clients = new AwsClients();
  let live: LiveTraefik;
  let cwd: string;
  let closedPort: number;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-routes-live-'));
    closedPort = await freePort();
    live = await startLiveTraefik(stack, { dynamic: { apps: liveRoutes(closedPort) } });
  });

  // Traefik reports a health-checked server UP from each configuration change (any file, any
  // provider) until its next check: after the watch test's changes, down@file is UP for a moment.
  beforeEach(async () => {
    const client = new TraefikClient({ apiUrl: live.apiUrl, password: live.password });
    await eventually(
      "Traefik's routers as configured, down@file's server DOWN by its health check",
      async () => {
        const [overview, down] = await Promise.all([client.overview(), client.httpService('down@file')]);
        const routers = overview.http?.routers?.total;
        const server = down?.serverStatus?.[`http://127.0.0.1:${closedPort}`];
        return routers === GENERATED + 5 && server === 'DOWN'
          ? { done: true, value: undefined }
          : { done: false, seen: `${routers} routers, down@file's server ${server}` };
      },
    );
  });

  afterAll(async () => {
    await live?.stop();
    await clients.destroy();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  // An env without a cluster: routes come without app and tag.
  const routes = (args: readonly string[], password = live.password) =>
    runCli(['routes', ...args, '--api-url', live.apiUrl, '--env', env], {
      cwd,
      env: { TRAEFIKCTL_TRAEFIK_PASSWORD: password },
    });

  it('routes prints every router of the live Traefik, one tab-separated row each, sorted by name', async () => {
    // given the live Traefik; when routes runs in a pipe
    const { stdout, stderr, exitCode } = await routes([]);

    // then every router is a row with its host, status, servers UP of total and provider
    expect(exitCode, stderr).toBe(0);
    const generated = Array.from({ length: GENERATED }, (_, i) => {
      const servers = fileServers(i).length;
      return `${name(i)}.live.example.com\tenabled\t${servers}/${servers}\tfile\t-\t-\t${name(i)}@file`;
    });
    expect(stdout.split('\n')).toEqual([
      ...generated,
      'broken.live.example.com\tdisabled\t0/0\tfile\t-\t-\tbroken@file',
      'canary.live.example.com\tenabled\t2/2\tfile\t-\t-\tcanary@file',
      'down.live.example.com\tenabled\t0/1\tfile\t-\t-\tdown@file',
      // The API's own router (to api@internal: Traefik answers, no servers to count); Traefik's
      // @internal ones are left out.
      '127.0.0.1\tenabled\t-\tfile\t-\t-\ttraefikctl-api@file',
      '',
    ]);
    // and the two that need a look are named on stderr
    expect(stderr).toBe('2 routes need attention; see why with `traefikctl routes show broken@file`.\n');
  });

  it('routes --json prints each router once, joined with its service and servers', async () => {
    // when routes runs with --json
    const { stdout, stderr, exitCode } = await routes(['--json']);

    // then it is the list of routes, each once
    expect(exitCode, stderr).toBe(0);
    expect(stderr).toBe('');
    const list = JSON.parse(stdout) as { name: string; [key: string]: unknown }[];
    expect(list).toHaveLength(GENERATED + 4);
    expect(new Set(list.map((route) => route.name)).size).toBe(list.length);
    const byName = new Map(list.map((route) => [route.name, route]));
    for (let i = 0; i < GENERATED; i++) {
      const servers = fileServers(i).map(({ url }) => ({
        address: url,
        status: 'UP',
        service: `${name(i)}@file`,
      }));
      expect(byName.get(`${name(i)}@file`), name(i)).toMatchObject({
        protocol: 'http',
        provider: 'file',
        status: 'enabled',
        rule: `Host(\`${name(i)}.live.example.com\`)`,
        service: `${name(i)}@file`,
        servers,
        serversUp: servers.length,
        serversTotal: servers.length,
        attention: [],
      });
    }
    expect(byName.get('down@file')).toMatchObject({
      servers: [{ address: `http://127.0.0.1:${closedPort}`, status: 'DOWN', service: 'down@file' }],
      serversUp: 0,
      attention: [{ kind: 'no-server-up', message: 'no server of down@file is UP (1 DOWN).' }],
    });
  });

  it('routes show prints one router by name, with the servers of the services it weighs', async () => {
    // when a router is named without its provider
    const { stdout, stderr, exitCode } = await routes(['show', 'canary']);

    // then its details list each server and the service it comes through
    expect(exitCode, stderr).toBe(0);
    expect(stdout).toBe(
      [
        'canary@file  enabled',
        '  Protocol     http  provider file',
        '  Rule         Host(`canary.live.example.com`)',
        '  Entry points web',
        '  Middlewares  -',
        // Traefik's default priority: the length of the rule.
        '  Priority     31',
        '  Service      canary@file (weighted)',
        '  Servers      2/2 UP',
        '    UP      http://127.0.0.1:20001  via app001@file',
        '    UP      http://127.0.0.1:20002  via app002@file',
        '',
      ].join('\n'),
    );
  });

  it('routes show explains a router by host: Traefik disabled it, or its server is DOWN', async () => {
    // when the two routers that need attention are shown
    const broken = await routes(['show', 'broken.live.example.com']);
    const down = await routes(['show', 'down.live.example.com']);

    // then each says why, in Traefik's words where Traefik has them
    expect(broken.exitCode, broken.stderr).toBe(0);
    expect(broken.stdout).toContain('broken@file  disabled\n');
    expect(broken.stdout).toContain('  Errors\n    the service "nowhere@file" does not exist\n');
    expect(broken.stdout).toContain('  Needs attention\n    ! the service "nowhere@file" does not exist\n');
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toContain('  Servers      0/1 UP\n');
    expect(down.stdout).toContain(`    DOWN    http://127.0.0.1:${closedPort}\n`);
    expect(down.stdout).toContain('  Needs attention\n    ! no server of down@file is UP (1 DOWN).\n');
  });

  it('routes is refused by the live basic auth with a wrong password: exit 1, the password never shown', async () => {
    // when the password is wrong
    const wrong = `not-${live.password}`;
    const { stdout, stderr, exitCode } = await routes([], wrong);

    // then Traefik's 401 is explained and points at the variable
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `Error: Traefik's API at ${live.apiUrl} refuses the password of user admin (401 Unauthorized).`,
    );
    expect(stderr).toContain('The password comes from TRAEFIKCTL_TRAEFIK_PASSWORD: check its value.');
    expect(stderr).not.toContain(wrong);
  });

  it('routes --watch prints a router Traefik picks up from a new file, then its removal', async () => {
    // given a watch of the routers matching "canary"
    const child = spawn(
      process.execPath,
      [
        BIN,
        'routes',
        '--watch',
        '--interval',
        '300ms',
        '--search',
        'canary',
        '--api-url',
        live.apiUrl,
        '--env',
        env,
      ],
      {
        cwd,
        env: {
          ...process.env,
          TRAEFIKCTL_TRAEFIK_PASSWORD: live.password,
          TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true',
        },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const printed = (text: string) =>
        eventually(JSON.stringify(text), () =>
          Promise.resolve(
            stdout.includes(text)
              ? { done: true, value: undefined }
              : { done: false, seen: `stdout:\n${stdout}\nstderr:\n${stderr}` },
          ),
        );
      await printed(' = canary@file enabled 2/2 - canary.live.example.com\n');

      // when a file adds a router, and then no longer has it
      await live.writeDynamic('late', {
        http: {
          routers: {
            'canary-late': {
              rule: 'Host(`canary-late.live.example.com`)',
              entryPoints: ['web'],
              service: 'app003',
            },
          },
        },
      });
      await printed(' + canary-late@file enabled 1/1 - canary-late.live.example.com\n');
      await live.removeDynamic('late');
      await printed(' - canary-late@file removed\n');
    } finally {
      child.kill('SIGINT');
      await live.removeDynamic('late');
    }

    // then the watch printed exactly those three lines, and stops as interrupted
    expect(await exited).toBe(130);
    expect(stdout.trim().split('\n')).toHaveLength(3);
    // (the summary counts every route of Traefik, not only those matching --search)
    expect(stderr).toMatch(/^\d+ routes: \d+ enabled .*\.\n$/);
    expect(stderr).toContain(`(Traefik ${stack.traefik.version}).`);
  });

  it('status shows the live Traefik, its routes by status, deployments it does not route and its strays', async () => {
    // given an env in moto with Traefik's ECS service and two deployments, and the live Traefik as
    // traefik.apiUrl in the project's configuration
    const statusEnv = uniqueName('lv');
    const { cluster } = await seedClusterStack(clients, statusEnv);
    const traefikFamily = await registerRevision(clients, uniqueName('traefik'), []);
    await (
      await clients.ecs()
    ).send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'traefik',
        taskDefinition: traefikFamily,
        desiredCount: 1,
      }),
    );
    for (const [tag, deployedAt] of [
      ['v1', '2026-08-01T10:00:00.000Z'],
      ['v2', '2026-08-02T10:00:00.000Z'],
    ] as const) {
      await seedDeployment(clients, cluster, { env: statusEnv, app: 'whoami', tag, deployedAt });
    }
    const project = await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-status-live-'));
    await writeFile(
      path.join(project, 'traefikctl.config.yaml'),
      `domain: example.com\ntraefik:\n  apiUrl: ${live.apiUrl}\n`,
    );
    const status = (password: string, args: readonly string[] = []) =>
      runCli(['status', '--env', statusEnv, ...args], {
        cwd: project,
        env: { TRAEFIKCTL_TRAEFIK_PASSWORD: password },
      });

    try {
      // when status runs in a pipe
      const piped = await status(live.password);

      // then stdout has one row per deployment, newest first: ECS runs them, Traefik has no @ecs router
      expect(piped.exitCode, piped.stderr).toBe(0);
      const rows = piped.stdout.trimEnd().split('\n');
      // Whatever moto reports as the rollout state: not what this test is about.
      const rollout: unknown = expect.stringMatching(/^[A-Z_]+$/);
      expect(rows.map((row) => row.split('\t'))).toEqual(
        ['v2', 'v1'].map((tag) => [
          `whoami/${tag}`,
          `http://whoami-${tag}.${statusEnv}.example.com`,
          rollout,
          '1/1',
          'missing',
          '0/0',
          '-',
          'Traefik has no router for it',
        ]),
      );
      // and stderr has the live Traefik's version and URL, its routes by status, and the strays
      expect(piped.stderr).toBe(
        [
          `env ${statusEnv}  ·  stack traefikctl-${statusEnv} CREATE_COMPLETE  ·  Traefik ${stack.traefik.version}, 1/1 tasks  ·  ${live.apiUrl}`,
          `2 deployments  ·  ${GENERATED + 6} routes (${GENERATED + 3} enabled, 0 warning, 1 disabled, 2 missing)  ·  4 problems`,
          // moto has no Price List API: the cost is said to be unknown, never guessed (issue 18)
          'Fargate cost: unknown (the AWS Price List or a task size could not be read)',
          '! broken@file: the service "nowhere@file" does not exist',
          '! down@file: no server of down@file is UP (1 DOWN).',
          '',
        ].join('\n'),
      );

      // when the password is wrong
      const refused = await status(`not-${live.password}`, ['--json']);

      // then status still answers (exit 0), with the route status unknown and Traefik's refusal as a problem
      expect(refused.exitCode, refused.stderr).toBe(0);
      const json = JSON.parse(refused.stdout) as {
        traefik: { apiUrl: string; routes?: unknown; problems: string[] };
        deployments: { route?: unknown }[];
      };
      expect(json.traefik).toEqual({
        apiUrl: live.apiUrl,
        problems: [`Traefik's API at ${live.apiUrl} refuses the password of user admin (401 Unauthorized).`],
      });
      expect(json.deployments.map((row) => row.route)).toEqual([undefined, undefined]);
      expect(refused.stdout).not.toContain(`not-${live.password}`);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
