/**
 * Issue 19's acceptance as a new user tries it, on the local target: two deployments behind the local
 * Traefik, a bounded loop of 100 requests (10 of them answered 500 by the app's own CGI script) to
 * one of them inside the CLI's read window, then `routes --json --traffic` reports that route's 5xx
 * share and rate, and zero for the other. Traffic goes only to 127.0.0.1 (the local Traefik's port).
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { runCli, type CliResult } from '../../support/cli.js';
import { describeWith } from '../../support/stack.js';
import { answerFor, getWithHost } from '../traefik/support.js';
import { localProject, type LocalProject } from './support.js';

interface JsonRoute {
  name: string;
  deployment?: { app: string; tag: string };
  traffic?: { requests: number; share5xx: number | null; requestsPerSecond: number; windowSeconds: number };
}

describeWith(['docker', 'traefik'], 'traffic per deployment on the local target', (stack) => {
  let project: LocalProject;
  const cli = (args: readonly string[], timeoutMs = 120_000): Promise<CliResult> =>
    runCli([...args, '--env', project.env], {
      cwd: project.dir,
      env: { XDG_CONFIG_HOME: project.configHome, DOCKER_HOST: stack.dockerHost },
      timeoutMs,
    });
  const web = () => `http://127.0.0.1:${project.port}`;
  const host = (tag: string) => `whoami-${tag}.${project.env}.localhost`;
  beforeAll(async () => {
    project = await localProject(stack, 'lt');
    // The app answers 500 on /cgi-bin/fail (busybox httpd runs it as CGI), 200 elsewhere.
    const context = path.join(project.dir, 'whoami');
    const script = path.join(context, 'fail');
    await writeFile(
      script,
      '#!/bin/busybox sh\necho "Status: 500 Internal Server Error"\necho\necho failed\n',
    );
    await chmod(script, 0o755);
    const dockerfile = path.join(context, 'Dockerfile');
    await writeFile(dockerfile, `${await readFile(dockerfile, 'utf8')}COPY fail /www/cgi-bin/fail\n`);
    for (const args of [
      ['cluster', 'up'],
      ['image', 'push', 'whoami', '--tag', 'busy', '--tag', 'quiet'],
      ['app', 'deploy', 'whoami', '--tag', 'busy'],
      ['app', 'deploy', 'whoami', '--tag', 'quiet'],
    ]) {
      const result = await cli(args);
      expect(result.exitCode, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    await answerFor(web(), host('busy'), 200);
    await answerFor(web(), host('quiet'), 200);
  }, 300_000);

  afterAll(async () => {
    await project?.cleanUp();
  }, 60_000);

  it('routes --json --traffic shows the 10% 5xx share and the rate of the busy deployment, zero for the other', async () => {
    // given the CLI reading traffic over a 25s window. Its first read of /metrics comes within a
    // second or two of its start (a local file for the password, then the read); Traefik logs no
    // request to its internal services, so the test can't see it: it waits 8s, well past it, and
    // the 100 requests then take about a second, well before the second read.
    const started = Date.now();
    const routes = cli(['routes', '--json', '--traffic', '--window', '25s']);
    await sleep(8_000);

    // when 100 requests go to the busy deployment, 10 of them to the path that answers 500
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const answer = await getWithHost(`${web()}${i % 10 === 0 ? '/cgi-bin/fail' : '/'}`, host('busy'));
      statuses.push(answer.status);
    }
    expect(statuses.filter((status) => status === 500)).toHaveLength(10);
    const { stdout, stderr, exitCode } = await routes;
    const elapsed = (Date.now() - started) / 1000;

    // then the busy deployment's route carries exactly that traffic, at about 100 per window
    expect(exitCode, stderr).toBe(0);
    const listed = JSON.parse(stdout) as JsonRoute[];
    const busy = listed.find((route) => route.name === 'whoami-busy@docker');
    const quiet = listed.find((route) => route.name === 'whoami-quiet@docker');
    console.log(`busy: ${JSON.stringify(busy?.traffic)}; quiet: ${JSON.stringify(quiet?.traffic)}`);
    expect(busy?.deployment).toMatchObject({ app: 'whoami', tag: 'busy' });
    expect(busy?.traffic).toMatchObject({ requests: 100, share5xx: 0.1 });
    expect(busy?.traffic?.windowSeconds).toBeGreaterThanOrEqual(24.5);
    expect(busy?.traffic?.windowSeconds).toBeLessThanOrEqual(elapsed);
    expect(busy?.traffic?.requestsPerSecond).toBeCloseTo(100 / (busy?.traffic?.windowSeconds ?? 1), 6);
    // and the quiet one got none
    expect(quiet?.traffic).toMatchObject({ requests: 0, requestsPerSecond: 0, share5xx: null });
  }, 150_000);

  it('serves /metrics only with the API password', async () => {
    const api = `traefik.${project.env}.localhost`;
    expect((await getWithHost(`${web()}/metrics`, api)).status).toBe(401);
  });
});
