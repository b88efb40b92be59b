/**
 * The heart of the product, end to end: a deployment's task really runs (the stack's task runner in
 * front of moto's ECS), Traefik's ECS provider discovers it through its labels, and its URL answers
 * through Traefik's entry point. Every step is the CLI as a user runs it, with the env's Traefik
 * started the way `scripts/test-stack.sh traefik --env <env>` starts it for a person: the stack's
 * own arguments, its API router found on its own task definition's labels, reached through
 * TRAEFIKCTL_CONNECT_TO since no DNS record exists. Everything stays on 127.0.0.0/8.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { runCli, type CliResult } from '../support/cli.js';
import { actionsStep, readOutputs, workflowCommands } from '../support/github-actions.js';
import { startGitHubStandin } from '../support/github-standin.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { busyboxApp, startStackTraefik, stopStackTraefik } from '../support/stack-apps.js';
import { eventually, getWithHost } from '../integration/traefik/support.js';

/** busybox httpd FROM scratch, answering its APP_TAG on / and 200 on /health. */
const SERVE =
  'mkdir -p /www && echo "$APP_TAG" > /www/index.html && echo ok > /www/health && exec /bin/busybox httpd -f -p 80 -h /www';
/** A build that starts, says why it gives up, and exits 3. */
const CRASH = 'echo "config error: DATABASE_URL is not set" >&2; exit 3';

describeWith(
  ['docker', 'registry', 'moto', 'traefik', 'runner'],
  'the deploy chain through a real Traefik and tasks that run',
  (stack) => {
    const env = uniqueName('ch');
    const whoami = uniqueName('whoami');
    const crash = uniqueName('crash');
    let cwd: string;
    let cliEnv: NodeJS.ProcessEnv;
    let web: string;

    const cli = (args: readonly string[], timeoutMs = 120_000): Promise<CliResult> =>
      runCli(args, { cwd, env: cliEnv, timeoutMs });

    /** Traefik's API as the CLI reads it: through the entry point, by the API's host name. */
    async function routers(): Promise<{ name: string }[]> {
      const { stdout } = await cli(['routes', '--json']);
      return JSON.parse(stdout) as { name: string }[];
    }

    beforeAll(async () => {
      cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-chain-'));
      await busyboxApp(stack, path.join(cwd, 'whoami'), SERVE);
      await busyboxApp(stack, path.join(cwd, 'crash'), CRASH);
      await writeFile(
        path.join(cwd, 'traefikctl.config.yaml'),
        [
          'region: us-east-1',
          'domain: example.com',
          `environment: ${env}`,
          `registry: ${stack.registry}`,
          'apps:',
          '  whoami:',
          `    repository: ${whoami}`,
          '    context: whoami',
          '    port: 80',
          '    healthCheck:',
          '      path: /health',
          '      interval: 1s',
          '      timeout: 1s',
          '  crash:',
          `    repository: ${crash}`,
          '    context: crash',
          '    port: 80',
          '',
        ].join('\n'),
      );
      // The runner is opted into here only: ECS calls of this test's CLI see running tasks.
      cliEnv = { AWS_ENDPOINT_URL_ECS: stack.runnerUrl };
      const up = await cli(['cluster', 'up', '--yes']);
      expect(up.exitCode, up.stderr).toBe(0);
      web = await startStackTraefik(env);
      cliEnv = { ...cliEnv, TRAEFIKCTL_CONNECT_TO: web };
    });

    afterAll(async () => {
      for (const [app, tag] of [
        ['whoami', 'v2'],
        ['whoami', 'v3'],
        ['crash', 'v1'],
      ] as const) {
        await cli(['app', 'destroy', app, '--tag', tag, '--yes']).catch(() => undefined);
      }
      await stopStackTraefik(env);
      await cli(['cluster', 'down', '--yes', '--force']).catch(() => undefined);
      await rm(cwd, { recursive: true, force: true });
    });

    it('app deploy reaches live: rollout, route found by Traefik, URL answered through the entry point', async () => {
      // given the image pushed
      const push = await cli(['image', 'push', 'whoami', '--tag', 'v2']);
      expect(push.exitCode, push.stderr).toBe(0);

      // when the tag is deployed and followed to the end
      const deploy = await cli(['app', 'deploy', 'whoami', '--tag', 'v2']);

      // then it ends live, with the URL on stdout, the route and the probe's answer on stderr
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      expect(deploy.stdout).toBe(`http://whoami-v2.${env}.example.com\n`);
      expect(deploy.stderr).toMatch(/✓ Route whoami-v2@ecs in Traefik: 1\/1 server UP/);
      expect(deploy.stderr).toMatch(/✓ Probe http:\/\/whoami-v2\.\S+\/health: HTTP 200/);
      // and a request for the host through Traefik's entry point gets the app's own answer
      const answer = await getWithHost(`http://${web}/`, `whoami-v2.${env}.example.com`);
      expect(answer).toMatchObject({ status: 200, body: 'v2\n' });
      // For the CI log: the deploy reaching live through which Traefik, with the probe's status.
      const live = deploy.stderr
        .split('\n')
        .filter((line) => /^✓ (Roll out|Route|Probe)/.test(line))
        .join(' · ');
      console.log(
        `chain: app deploy whoami --tag v2 is live through Traefik ${stack.traefik.version}: ${live}`,
      );
    });

    it('app urls --check, routes and status show it healthy with its task address', async () => {
      const urls = await cli(['app', 'urls', '--check', '--json']);
      expect(urls.exitCode, urls.stderr).toBe(0);
      const listed = JSON.parse(urls.stdout) as {
        deployments: { tag: string; check?: { status?: number; ok?: boolean; address?: string } }[];
      };
      // The probe went to Traefik's entry point (TRAEFIKCTL_CONNECT_TO), not to a DNS answer.
      expect(listed.deployments.find((row) => row.tag === 'v2')?.check).toMatchObject({
        ok: true,
        status: 200,
        address: '127.0.0.1',
      });

      const routes = await cli(['routes', 'show', 'whoami-v2@ecs', '--json']);
      expect(routes.exitCode, routes.stderr).toBe(0);
      expect(routes.stdout).toMatch(/"address":"http:\/\/127\.0\.10\.\d+:80"/);
      expect(routes.stdout).toMatch(/"status":"UP"/);

      const status = await cli(['status', '--json']);
      expect(status.exitCode, status.stderr).toBe(0);
      expect(status.stdout).not.toMatch(/10\.\d+\.\d+\.\d+/);
    });

    it('a second tag routes to its own task', async () => {
      const push = await cli(['image', 'push', 'whoami', '--tag', 'v3']);
      expect(push.exitCode, push.stderr).toBe(0);
      const deploy = await cli(['app', 'deploy', 'whoami', '--tag', 'v3']);
      expect(deploy.exitCode, deploy.stderr).toBe(0);

      expect(await getWithHost(`http://${web}/`, `whoami-v3.${env}.example.com`)).toMatchObject({
        body: 'v3\n',
      });
      expect(await getWithHost(`http://${web}/`, `whoami-v2.${env}.example.com`)).toMatchObject({
        body: 'v2\n',
      });
    });

    it('a container that exits at once fails the deploy with its exit code and its last log lines', async () => {
      const push = await cli(['image', 'push', 'crash', '--tag', 'v1']);
      expect(push.exitCode, push.stderr).toBe(0);

      const deploy = await cli(['app', 'deploy', 'crash', '--tag', 'v1', '--timeout', '90s']);

      expect(deploy.exitCode, deploy.stderr).toBe(3);
      expect(deploy.stderr).toMatch(
        /Task \S+ of crash-v1 stopped: Essential container in task exited; container crash\S* exited 3/,
      );
      expect(deploy.stderr).toContain('config error: DATABASE_URL is not set');
    });

    it('app destroy stops the task and the route leaves Traefik', async () => {
      const destroy = await cli(['app', 'destroy', 'whoami', '--tag', 'v2', '--yes']);
      expect(destroy.exitCode, destroy.stderr).toBe(0);

      await eventually('whoami-v2@ecs gone from Traefik', async () => {
        const names = (await routers()).map((router) => router.name);
        return names.includes('whoami-v2@ecs')
          ? { done: false, seen: names.join(', ') }
          : { done: true, value: undefined };
      });
      const gone = await getWithHost(`http://${web}/`, `whoami-v2.${env}.example.com`);
      expect(gone.status).toBe(404);
      expect(await getWithHost(`http://${web}/`, `whoami-v3.${env}.example.com`)).toMatchObject({
        body: 'v3\n',
      });
    });

    it('in GitHub Actions, a live deploy and a crash report themselves: outputs, summary, deployment statuses', async () => {
      // given a pull_request step with a token and the GitHub API stand-in (src/lib/ci)
      const standin = await startGitHubStandin();
      try {
        const step = await actionsStep({
          apiUrl: standin.apiUrl,
          pullRequest: 3,
          token: 'ghs_chainStandinToken',
        });
        const inActions = (args: readonly string[]) =>
          runCli(args, { cwd, env: { ...cliEnv, ...step.env }, timeoutMs: 120_000 });

        // when the live tag is deployed again, then it is live in the outputs, the summary and GitHub
        const live = await inActions(['app', 'deploy', 'whoami', '--tag', 'v3']);
        expect(live.exitCode, live.stderr).toBe(0);
        expect(await readOutputs(step.outputFile)).toMatchObject({
          url: `http://whoami-v3.${env}.example.com`,
          status: 'live',
        });
        expect(await readFile(step.summaryFile, 'utf8')).toMatch(
          /<td>Probe http:\/\/whoami-v3\S*<\/td><td>✅ done/,
        );
        expect(standin.deployments[0]?.statuses.map((s) => [s.state, s.environment_url])).toEqual([
          ['in_progress', ''],
          ['success', `http://whoami-v3.${env}.example.com`],
        ]);

        // when a build that crashes is deployed, then the failure, its exit code and its log lines are in the summary
        const crashed = await inActions(['app', 'deploy', 'crash', '--tag', 'v1', '--timeout', '90s']);
        expect(crashed.exitCode, crashed.stderr).toBe(3);
        const summary = await readFile(step.summaryFile, 'utf8');
        expect(summary).toContain('Deploy of crash v1 on');
        expect(summary).toContain('config error: DATABASE&#95;URL is not set');
        expect(workflowCommands(crashed.stderr, 'error')).toHaveLength(1);
        expect(standin.deployments[1]?.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
        expect(standin.comments.get(3)).toHaveLength(1);
        expect(standin.violations).toEqual([]);
      } finally {
        await standin.close();
      }
    });
  },
);
