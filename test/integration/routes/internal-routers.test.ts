/**
 * `routes --provider internal`: Traefik's own routers are left out of every list unless a user asks
 * for them by their provider; then they are listed. Against the stack's real Traefik (whose
 * `--ping` adds the router ping@internal), the command run in-process with buffers for its streams.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

import RoutesIndex from '../../../src/commands/routes/index.js';
import { ExitCode } from '../../../src/lib/errors.js';
import type { Route } from '../../../src/lib/routes/join.js';
import { runInProcess } from '../../support/io.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { fileRoutes, startLiveTraefik, type LiveTraefik } from '../../support/traefik-live.js';

describeWith(['traefik', 'moto'], 'routes --provider internal', (stack) => {
  let live: LiveTraefik;
  const env = uniqueName('int');

  beforeAll(async () => {
    live = await startLiveTraefik(stack, { dynamic: { apps: fileRoutes(3) } });
    vi.stubEnv('TRAEFIKCTL_TRAEFIK_PASSWORD', live.password);
  }, 60_000);

  afterAll(async () => {
    vi.unstubAllEnvs();
    await live?.stop();
  });

  const routes = (...args: string[]) =>
    runInProcess(RoutesIndex, [...args, '--api-url', live.apiUrl, '--env', env, '--json']);

  it("lists Traefik's own routers when asked for by provider", async () => {
    // when a user asks for the internal routers
    const { stdout, stderr, exitCode } = await routes('--provider', 'internal');
    // then they get them, and only them
    expect(exitCode, stderr).toBe(ExitCode.Ok);
    const listed = JSON.parse(stdout) as Route[];
    expect(listed.map((route) => route.name)).toContain('ping@internal');
    expect(listed.every((route) => route.provider === 'internal')).toBe(true);
  });

  it('leaves them out of the plain list', async () => {
    const { stdout, stderr, exitCode } = await routes();
    expect(exitCode, stderr).toBe(ExitCode.Ok);
    const names = (JSON.parse(stdout) as Route[]).map((route) => route.name);
    expect(names.filter((name) => name.endsWith('@internal'))).toEqual([]);
    expect(names).toContain(live.apiRouter);
  });
});
