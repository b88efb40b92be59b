/**
 * What the end-to-end tests that run tasks share: an app image built FROM scratch around the stack's
 * busybox (no base image can be pulled here), the env's Traefik started the way
 * `scripts/test-stack.sh traefik --env <env>` starts it for a person, and an ECS client that sees the
 * task runner's tasks. Everything stays on 127.0.0.0/8, with fake credentials.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

import { ECSClient } from '@aws-sdk/client-ecs';

import { REPO_ROOT } from './cli.js';
import type { Stack } from './stack.js';

const run = promisify(execFile);
const STACK_SCRIPT = path.join(REPO_ROOT, 'scripts/test-stack.sh');

/**
 * A build context in `dir` whose image runs `command` with busybox's `sh -c` (busybox httpd serves
 * what the command writes), FROM scratch.
 */
export async function busyboxApp(stack: Pick<Stack, 'busybox'>, dir: string, command: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await copyFile(stack.busybox ?? '/bin/busybox', path.join(dir, 'busybox'));
  await writeFile(
    path.join(dir, 'Dockerfile'),
    `FROM scratch\nCOPY busybox /bin/busybox\nEXPOSE 80\nCMD ["/bin/busybox", "sh", "-c", ${JSON.stringify(command)}]\n`,
  );
}

/**
 * Starts the Traefik of `env` (after its `cluster up`) with the stack's arguments and its API router
 * found on its own task definition's labels; returns its web entry point, `127.0.0.1:<port>`.
 */
export async function startStackTraefik(env: string): Promise<string> {
  const started = await run('bash', [STACK_SCRIPT, 'traefik', '--env', env], { timeout: 60_000 });
  const web = /^export TRAEFIKCTL_TEST_TRAEFIK_WEB=(\S+)$/m.exec(started.stdout)?.[1] ?? '';
  if (!/^127\.0\.0\.1:\d+$/.test(web))
    throw new Error(`scripts/test-stack.sh traefik --env ${env} gave no web entry point:\n${started.stdout}`);
  return web;
}

/** Stops the Traefik of `env`; nothing to stop is no error (for afterAll). */
export async function stopStackTraefik(env: string): Promise<void> {
  await run('bash', [STACK_SCRIPT, 'traefik', '--env', env, '--stop']).catch(() => undefined);
}

/** An ECS client of the task runner: the tasks it runs, how they stopped. `destroy()` it afterwards. */
export function runnerEcs(stack: Pick<Stack, 'runnerUrl'>): ECSClient {
  return new ECSClient({
    endpoint: stack.runnerUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
}
