/**
 * Redeploying a live tag on ECS under a request loop: what an app must do so that no request is lost,
 * and proof that traefikctl's part (the app's `stopTimeout` on the task definition) gets it there.
 *
 * ECS starts the new task, and once it runs stops the old one (SIGTERM, then SIGKILL after the
 * container's stopTimeout). Traefik's ECS provider drops the old task at its next refresh (its desired
 * status is then STOPPED) and adds the new one at a refresh too, so Traefik's switch is atomic; but it
 * comes a refresh and Traefik's 2 s throttle after ECS's SIGTERM (2.8-4.1 s measured here with the
 * stack's 1 s refresh; about 17 s on AWS with 15 s). An app that closes at once on SIGTERM loses the
 * requests of that window (hundreds here: 502s, then 503s); one that also fails its health check at
 * SIGTERM (what the local target asks) loses thousands (503s: Traefik's check drops the old server while
 * the new one isn't routed yet). The app here keeps serving, health check included, for 8 s after
 * SIGTERM: with `stopTimeout: 12s` (the task runner honours it, as ECS does; without it the runner
 * kills after 2 s) it loses none, and each replaced task exits 0 at the end of its drain. The exit
 * codes are what tells a missing stopTimeout for sure: a kill after 2 s loses requests only when
 * Traefik's refresh comes later than that, which it does in some rounds and not in others.
 *
 * And when `app deploy` says live, the URL answers with the new build: the deploy's route step waits
 * until Traefik routes this deploy's task and no other (without that, it passed on the old task's
 * server and the first request after it got the old build).
 *
 * Everything runs as in chain.test.ts: the CLI, the task runner in front of moto, the stack's Traefik
 * with the cluster's own arguments; every request goes to 127.0.0.1 with the deployment's host name.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { runCli, type CliResult } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { busyboxApp, runnerEcs, startStackTraefik, stopStackTraefik } from '../support/stack-apps.js';
import { eventually, getWithHost } from '../integration/traefik/support.js';

/** busybox httpd answering `<tag> <round>`; on SIGTERM it keeps serving for 8 s, then exits. */
const SERVE = [
  'mkdir -p /www && echo "$APP_TAG $ROUND" > /www/index.html && echo ok > /www/health',
  '/bin/busybox httpd -f -p 80 -h /www & httpd=$!',
  "trap 'sleep 8; kill $httpd; exit 0' TERM",
  'wait $httpd',
].join('\n');

/** Requests in flight at once, each on its own connection. */
const CONCURRENCY = 4;

describeWith(
  ['docker', 'registry', 'moto', 'traefik', 'runner'],
  'redeploying a live tag on ECS under load',
  (stack) => {
    const env = uniqueName('rl');
    const repository = uniqueName('whoami');
    let cwd: string;
    let cliEnv: NodeJS.ProcessEnv;
    let web: string;

    const cli = (args: readonly string[], timeoutMs = 120_000): Promise<CliResult> =>
      runCli(args, { cwd, env: cliEnv, timeoutMs });
    // The runner's view of ECS: how the replaced tasks stopped.
    const ecs = runnerEcs(stack);

    /** The stopped tasks of the tag's service: how each stopped and its container's exit code. */
    async function stoppedTasks(): Promise<{ reason: string; exitCode: number | undefined }[]> {
      const cluster = `traefikctl-${env}`;
      const { taskArns = [] } = await ecs.send(
        new ListTasksCommand({ cluster, desiredStatus: 'STOPPED', maxResults: 100 }),
      );
      if (taskArns.length === 0) return [];
      const { tasks = [] } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
      return tasks
        .filter((task) => task.group === 'service:whoami-v1' && task.lastStatus === 'STOPPED')
        .map((task) => ({ reason: task.stoppedReason ?? '', exitCode: task.containers?.[0]?.exitCode }));
    }

    /** The configuration with the variable ROUND: a new value is a new task definition. */
    async function configure(round: number): Promise<void> {
      await writeFile(
        path.join(cwd, 'traefikctl.config.yaml'),
        [
          'region: us-east-1',
          'domain: example.com',
          `environment: ${env}`,
          `registry: ${stack.registry}`,
          'apps:',
          '  whoami:',
          `    repository: ${repository}`,
          '    context: whoami',
          '    port: 80',
          '    stopTimeout: 12s',
          '    environment:',
          `      ROUND: "${round}"`,
          '    healthCheck:',
          '      path: /health',
          '      interval: 1s',
          '      timeout: 1s',
          '',
        ].join('\n'),
      );
    }

    beforeAll(async () => {
      cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-redeploy-'));
      await busyboxApp(stack, path.join(cwd, 'whoami'), SERVE);
      await configure(0);
      // The runner is opted into here only: ECS calls of this test's CLI see running tasks.
      cliEnv = { AWS_ENDPOINT_URL_ECS: stack.runnerUrl };
      const up = await cli(['cluster', 'up', '--yes']);
      expect(up.exitCode, up.stderr).toBe(0);
      web = await startStackTraefik(env);
      cliEnv = { ...cliEnv, TRAEFIKCTL_CONNECT_TO: web };
    });

    afterAll(async () => {
      await cli(['app', 'destroy', 'whoami', '--tag', 'v1', '--yes']).catch(() => undefined);
      await stopStackTraefik(env);
      await cli(['cluster', 'down', '--yes', '--force']).catch(() => undefined);
      await rm(cwd, { recursive: true, force: true });
      ecs.destroy();
    });

    it('loses no request when the app keeps serving after SIGTERM within its stopTimeout', async () => {
      // given v1 live, its task definition carrying the app's stopTimeout
      const push = await cli(['image', 'push', 'whoami', '--tag', 'v1']);
      expect(push.exitCode, push.stderr).toBe(0);
      const first = await cli(['app', 'deploy', 'whoami', '--tag', 'v1']);
      expect(first.exitCode, first.stderr).toBe(0);
      const host = `whoami-v1.${env}.example.com`;

      for (const round of [1, 2]) {
        // when the tag is redeployed with a new variable while requests keep coming
        await configure(round);
        const answers = new Map<string, number>();
        let stop = false;
        const loop = async (): Promise<void> => {
          const deadline = Date.now() + 90_000;
          while (!stop && Date.now() < deadline) {
            const answer = await getWithHost(`http://${web}/`, host, {}, 5_000).then(
              ({ status, body }) => (status === 200 ? body.trim() : `${status} ${body.trim().slice(0, 60)}`),
              (error: unknown) => `error ${String(error).slice(0, 80)}`,
            );
            answers.set(answer, (answers.get(answer) ?? 0) + 1);
          }
        };
        const loops = Array.from({ length: CONCURRENCY }, loop);
        const deploy = await cli(['app', 'deploy', 'whoami', '--tag', 'v1']);
        // Once the deploy says live, Traefik routes the new build alone: the URL answers with it.
        const right = await getWithHost(`http://${web}/`, host, {}, 5_000);
        // The old task serves 8 s after its SIGTERM, then exits: keep asking until it is surely gone.
        await new Promise((resolve) => setTimeout(resolve, 11_000));
        stop = true;
        await Promise.all(loops);

        // then the deploy succeeds, both builds answered, and every request got the app's answer
        expect(deploy.exitCode, deploy.stderr).toBe(0);
        expect(right).toMatchObject({ status: 200, body: `v1 ${round}\n` });
        const seen = Object.fromEntries(answers);
        console.log(`redeploy under load, round ${round}: ${JSON.stringify(seen)}`);
        expect(seen[`v1 ${round - 1}`], JSON.stringify(seen)).toBeGreaterThan(0);
        expect(seen[`v1 ${round}`], JSON.stringify(seen)).toBeGreaterThan(100);
        expect(Object.keys(seen).sort()).toEqual([`v1 ${round - 1}`, `v1 ${round}`].sort());
      }

      // and each replaced task finished its drain and exited by itself (0), not killed by SIGKILL
      // (137) at the runner's default 2 s: the task definition carried the app's stopTimeout. Whether
      // a kill loses requests depends on how soon Traefik's refresh comes; this does not.
      const stopped = await eventually('both replaced tasks stopped', async () => {
        const tasks = await stoppedTasks();
        return tasks.length >= 2
          ? { done: true, value: tasks }
          : { done: false, seen: JSON.stringify(tasks) };
      });
      expect(stopped.map((task) => task.exitCode)).toEqual([0, 0]);
      for (const { reason } of stopped)
        expect(reason).toMatch(/^Scaling activity initiated by \(deployment /);
    }, 300_000);
  },
);
