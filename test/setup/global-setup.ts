/**
 * Global setup of the `integration` project (test/integration, test/e2e): finds out which parts of
 * the real test stack answer and provides the result to the tests (see test/support/stack.ts).
 *
 * It only probes; it never starts anything. Starting root daemons from a test run would leave
 * processes behind after it and race with other runs on the same machine; `scripts/test-stack.sh up`
 * starts the stack once (.ci/run does), and every later run finds it in well under a second.
 *
 * - A developer without the stack: the tests that need a missing component are skipped, and one
 *   line on stderr says what is missing and how to start it.
 * - CI (`CI=true`): a missing component fails the run, so that a broken stack can't turn into a
 *   green build that tested nothing.
 *
 * It never resets moto either: other test runs may be using the same server right now.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { STACK_COMPONENTS, stackAddresses } from './stack-context.js';
import type { StackComponent, TestStackInfo } from './stack-context.js';

const run = promisify(execFile);
const PROBE_TIMEOUT_MS = 4_000;

async function probeDocker(dockerHost: string): Promise<string | undefined> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], {
      env: { ...process.env, DOCKER_HOST: dockerHost },
      timeout: PROBE_TIMEOUT_MS,
    });
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'the docker client is not installed';
    return `no Docker engine answers on ${dockerHost}`;
  }
}

/** The ECR bridge marks its own refusals; a plain registry on the port would answer 401 instead. */
async function probeRegistry(
  registry: string,
  auth: TestStackInfo['registryAuth'],
): Promise<string | undefined> {
  const url = `http://${registry}/v2/`;
  try {
    const anonymous = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (anonymous.status !== 401)
      return `${url} answers ${anonymous.status}, not 401: it is not an htpasswd registry`;
    const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    const unknown = await fetch(`http://${registry}/v2/traefikctl-probe-no-such-repository/tags/list`, {
      headers: { authorization: `Basic ${basic}` },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const body = await unknown.text();
    if (unknown.status !== 404 || !body.includes('does not exist in the registry with id'))
      return `${url} is a registry but not the ECR bridge (restart the stack: scripts/test-stack.sh down && up)`;
    const loggedIn = await fetch(url, {
      headers: { authorization: `Basic ${basic}` },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    if (loggedIn.status !== 200) return `${url} refuses moto's ECR credentials (${loggedIn.status})`;
    return undefined;
  } catch {
    return `nothing answers on ${url}`;
  }
}

/**
 * Probes moto with the one call every run needs anyway: tasks must stay RUNNING instead of stepping
 * towards STOPPED on each DescribeTasks (shared/notes/moto.md §1.5). Idempotent, and safe while other
 * runs use the server.
 */
async function probeMoto(motoUrl: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${motoUrl}/moto-api/state-manager/set-transition`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model_name: 'ecs::task',
        transition: { progression: 'manual', times: 1_000_000 },
      }),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return response.ok ? undefined : `${motoUrl} answers ${response.status}: is it moto_server?`;
  } catch {
    return `nothing answers on ${motoUrl}`;
  }
}

/** The task runner's health answer names it; anything else on the port is not the runner. */
async function probeRunner(runnerUrl: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${runnerUrl}/_runner/health`, {
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    const body = (await response.json().catch(() => ({}))) as { component?: string };
    return response.ok && body.component === 'task-runner'
      ? undefined
      : `${runnerUrl}/_runner/health answers ${response.status}, not the task runner`;
  } catch {
    return `nothing answers on ${runnerUrl}`;
  }
}

/**
 * The Traefik binary of the stack: `TRAEFIKCTL_TEST_TRAEFIK` and `TRAEFIKCTL_TEST_TRAEFIK_IMAGE` as
 * `scripts/test-stack.sh env` prints them (asked here when the shell has not exported them), and the
 * version the binary reports.
 */
async function probeTraefik(): Promise<{ info: TestStackInfo['traefik']; missing?: string }> {
  let binary = process.env.TRAEFIKCTL_TEST_TRAEFIK;
  let image = process.env.TRAEFIKCTL_TEST_TRAEFIK_IMAGE;
  if (binary === undefined || image === undefined) {
    const script = fileURLToPath(new URL('../../scripts/test-stack.sh', import.meta.url));
    const { stdout } = await run('bash', [script, 'env'], { timeout: PROBE_TIMEOUT_MS });
    const exported = (name: string) => new RegExp(`^export ${name}=(.*)$`, 'm').exec(stdout)?.[1];
    binary ??= exported('TRAEFIKCTL_TEST_TRAEFIK') ?? '';
    image ??= exported('TRAEFIKCTL_TEST_TRAEFIK_IMAGE') ?? '';
  }
  const info = { binary, image, version: '' };
  try {
    const { stdout } = await run(binary, ['version'], { timeout: PROBE_TIMEOUT_MS });
    info.version = /^Version:\s+(\S+)/m.exec(stdout)?.[1] ?? '';
  } catch {
    return { info, missing: `no Traefik binary at ${binary} (scripts/test-stack.sh up builds it)` };
  }
  if (!info.version.startsWith('v3.'))
    return { info, missing: `${binary} reports version ${info.version || '(none)'}, not v3` };
  return { info };
}

async function findStaticBusybox(): Promise<string | null> {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat('/bin', '/usr/bin');
  for (const dir of dirs) {
    const candidate = join(dir, 'busybox');
    try {
      await access(candidate, constants.X_OK);
    } catch {
      continue;
    }
    // ldd exits 1 on a static binary; what it prints is the answer.
    const output = await run('ldd', [candidate], { timeout: PROBE_TIMEOUT_MS }).then(
      (result) => result.stdout + result.stderr,
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    if (output.includes('not a dynamic executable')) return candidate;
  }
  return null;
}

export function describeMissing(missing: Partial<Record<StackComponent, string>>): string {
  const names = STACK_COMPONENTS.filter((name) => missing[name] !== undefined);
  return `${names.join(', ')} not running`;
}

export default async function setup(project: TestProject): Promise<void> {
  const addresses = stackAddresses();
  const [docker, registry, moto, busybox, traefik, runner] = await Promise.all([
    probeDocker(addresses.dockerHost),
    probeRegistry(addresses.registry, addresses.registryAuth),
    probeMoto(addresses.motoUrl),
    findStaticBusybox(),
    probeTraefik(),
    probeRunner(addresses.runnerUrl),
  ]);
  const missing: TestStackInfo['missing'] = {};
  if (docker) missing.docker = docker;
  else if (!busybox)
    missing.docker = 'no static busybox for FROM-scratch test images (apt-get install busybox-static)';
  if (registry) missing.registry = registry;
  if (moto) missing.moto = moto;
  if (traefik.missing) missing.traefik = traefik.missing;
  if (runner) missing.runner = runner;

  project.provide('testStack', { ...addresses, busybox, traefik: traefik.info, missing });

  if (Object.keys(missing).length === 0) return;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    const details = Object.entries(missing)
      .map(([name, reason]) => `  ${name}: ${reason}`)
      .join('\n');
    throw new Error(
      `The test stack is incomplete (${describeMissing(missing)}), and under CI that fails the run:\n${details}\n` +
        'Start it with `scripts/test-stack.sh up` (as root); its logs are in .test-stack/.',
    );
  }
  // One line, however many tests it skips; each skipped suite's name says what it needs.
  process.stderr.write(
    `integration tests skipped: ${describeMissing(missing)} — run scripts/test-stack.sh up\n`,
  );
}
