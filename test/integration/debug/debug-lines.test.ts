/**
 * DEBUG=traefikctl* shows what the error text promises: the AWS calls, Traefik API requests and
 * docker commands, with their timing, and never a secret: not the Traefik password (nor its basic
 * auth header), not a build argument's value, not a secret handed to docker.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

import RoutesIndex from '../../../src/commands/routes/index.js';
import { setDebugWriter } from '../../../src/lib/debug.js';
import { runDocker } from '../../../src/lib/docker/exec.js';
import { ExitCode } from '../../../src/lib/errors.js';
import { runInProcess } from '../../support/io.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { fileRoutes, startLiveTraefik, type LiveTraefik } from '../../support/traefik-live.js';

describeWith(['traefik', 'moto', 'docker'], 'DEBUG=traefikctl*', (stack) => {
  let live: LiveTraefik;
  const lines: string[] = [];
  let previous: ((line: string) => void) | undefined;

  beforeAll(async () => {
    live = await startLiveTraefik(stack, { dynamic: { apps: fileRoutes(2) } });
    previous = setDebugWriter((line) => lines.push(line));
  }, 60_000);

  afterAll(async () => {
    if (previous !== undefined) setDebugWriter(previous);
    vi.unstubAllEnvs();
    await live?.stop();
  });

  it('routes: a line per AWS call and per Traefik request, never the password', async () => {
    // given the API password in the environment and DEBUG on
    vi.stubEnv('TRAEFIKCTL_TRAEFIK_PASSWORD', live.password);
    vi.stubEnv('DEBUG', 'traefikctl*');
    lines.length = 0;
    // when routes runs
    const { stdout, stderr, exitCode } = await runInProcess(RoutesIndex, [
      '--api-url',
      live.apiUrl,
      '--env',
      uniqueName('dbg'),
      '--json',
    ]);
    expect(exitCode, stderr).toBe(ExitCode.Ok);
    // then the AWS calls (ECS, in moto) and Traefik's API requests each have their line with a time
    expect(
      lines.some((line) => /^traefikctl:aws ECS \w+ .*in \d+ms/.test(line)),
      lines.join(''),
    ).toBe(true);
    expect(
      lines.some((line) => line.startsWith(`traefikctl:traefik GET ${live.apiUrl}/api/http/routers`)),
      lines.join(''),
    ).toBe(true);
    expect(lines.every((line) => / in \d+ms/.test(line))).toBe(true);
    // and the password shows nowhere, in the clear or as its basic auth header
    const basic = Buffer.from(`admin:${live.password}`).toString('base64');
    for (const text of [lines.join(''), stdout, stderr]) {
      expect(text).not.toContain(live.password);
      expect(text).not.toContain(basic);
    }
  });

  it('docker: the argv with build-arg values and known secrets hidden', async () => {
    vi.stubEnv('DEBUG', 'traefikctl:docker');
    lines.length = 0;
    const secret = `s3cret-${uniqueName('x')}`;
    // when docker runs with a secret in a build argument, and a known secret in its argv
    await runDocker(['image', 'inspect', '--format', '{{.Id}}', `no-such-image-${secret}`], {
      secrets: [secret],
    });
    await runDocker(['build', '--build-arg', `TOKEN=${secret}`, '--no-such-flag', '.']);
    // then each command has its lines, and the secret is in none of them
    const text = lines.join('');
    expect(text).toContain('traefikctl:docker docker image inspect --format {{.Id}} no-such-image-***');
    expect(text).toContain('traefikctl:docker docker build --build-arg TOKEN=*** --no-such-flag .');
    expect(text).toMatch(/exit \d+ in \d+ms/);
    expect(text).not.toContain(secret);
  });
});
