/**
 * `routes --watch` and `status --watch` on a terminal, as a user runs them: bin/run.js under
 * util-linux `script`, which gives it a pseudo-terminal for stdin, stdout and stderr, so the ink view
 * runs and reads the keys the test types. Traefik is a local stand-in (127.0.0.1), ECS is moto.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, expect, it, vi } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { seedClusterStack, seedDeployment } from '../integration/app/seed.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { hasScript, runOnTerminal } from '../support/terminal.js';
import { generateEcsRoutes, startTraefikServer, type TraefikTestServer } from '../support/traefik-server.js';

const auth = { username: 'admin', password: 'Trae-fik-pa55' };
const clients = new AwsClients();
afterAll(() => clients.destroy());

const onTerminal = (args: string[], cwd: string) =>
  runOnTerminal(args, { cwd, env: { TRAEFIKCTL_TRAEFIK_PASSWORD: auth.password } });

describeWith(['moto'], 'watching on a terminal', () => {
  let cwd: string | undefined;
  let server: TraefikTestServer | undefined;
  let running: ReturnType<typeof onTerminal> | undefined;
  afterEach(async () => {
    running?.kill();
    await server?.stop();
    if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
  });

  async function watch(args: string[]) {
    cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-watch-'));
    running = onTerminal(args, cwd);
    return running;
  }

  const until = (read: () => string, text: string) =>
    vi.waitFor(() => expect(read()).toContain(text), { timeout: 20_000, interval: 50 });

  it.skipIf(!hasScript)(
    'routes --watch draws the table, and q quits with exit 0 and the summary',
    async () => {
      // given a Traefik with three routes
      server = await startTraefikServer({ data: { http: generateEcsRoutes(3) }, auth });
      // when routes --watch runs on a terminal and the user presses q once the table is drawn
      const cli = await watch(['routes', '--watch', '--api-url', server.url, '--env', uniqueName('wt')]);
      await until(cli.screen, 'app0-v2.dev.example.com');
      expect(cli.screen()).toContain('q quit · / filter');
      cli.type('q');
      // then it exits 0 and leaves the one-line summary
      expect(await cli.exited).toBe(0);
      expect(cli.screen()).toContain('3 routes: 3 enabled');
    },
  );

  it.skipIf(!hasScript)(
    'status --watch draws the env, and Ctrl-C ends it with exit 130 and the summary',
    async () => {
      // given an env with one deployment, whose stack names a Traefik API
      server = await startTraefikServer({ data: { http: generateEcsRoutes(1) }, auth });
      const env = uniqueName('wt');
      const { cluster } = await seedClusterStack(clients, env, {
        ApiUrl: server.url,
        ApiUsername: auth.username,
      });
      await seedDeployment(clients, cluster, { env, app: 'whoami', tag: 'v1' });
      // when status --watch runs on a terminal and the user presses Ctrl-C once it has read the env
      const cli = await watch(['status', '--watch', '--env', env]);
      await until(cli.screen, 'whoami/v1');
      expect(cli.screen()).toMatch(/↻ \d\d:\d\d:\d\d · every 5s · q quit/);
      cli.type('\u0003');
      // then it exits 130 (interrupted) and leaves the one-line summary
      expect(await cli.exited).toBe(130);
      expect(cli.screen()).toContain(`env ${env}: 1 deployment,`);
    },
  );
});
