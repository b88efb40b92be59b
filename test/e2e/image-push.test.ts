import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { BIN, runCli } from '../support/cli.js';
import { describeWith, uniqueName, type Stack } from '../support/stack.js';

/** A project directory as a user has it: a config naming the app and the test registry, and a Dockerfile. */
async function project(stack: Stack, root: string, app: string, dockerfile = true): Promise<string> {
  const dir = path.join(root, 'project');
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, 'traefikctl.config.yaml'),
    `registry: ${stack.registry}\napps:\n  ${app}:\n    port: 80\n`,
  );
  await copyFile(stack.busybox ?? '/bin/busybox', path.join(dir, 'busybox'));
  if (dockerfile) {
    await writeFile(
      path.join(dir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "httpd", "-f", "-p", "80"]\n',
    );
  }
  return dir;
}

async function registryTags(stack: Stack, repository: string): Promise<string[]> {
  const auth = Buffer.from(`${stack.registryAuth.username}:${stack.registryAuth.password}`).toString(
    'base64',
  );
  const response = await fetch(`http://${stack.registry}/v2/${repository}/tags/list`, {
    headers: { authorization: `Basic ${auth}` },
  });
  return [...((await response.json()) as { tags: string[] }).tags].sort();
}

describeWith(['docker', 'registry', 'moto'], 'traefikctl image push', (stack) => {
  let root: string;
  let home: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-push-'));
    home = path.join(root, 'home');
    await mkdir(home);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('--json prints one JSON object with the pushed image on stdout, and nothing else', async () => {
    // given a project with one app, and a home directory of its own
    const app = uniqueName('e2e');
    const cwd = await project(stack, root, app);

    // when it is pushed with two tags and --json
    const { stdout, stderr, exitCode } = await runCli(
      ['image', 'push', '--tag', 'v2', '--tag', 'latest', '--json'],
      {
        cwd,
        env: { HOME: home },
        unset: ['DOCKER_CONFIG'],
      },
    );

    // then stdout is exactly one JSON object with the result's keys, and it succeeded
    expect(exitCode, stderr).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(
      ['app', 'digest', 'imageUri', 'pushedAt', 'registry', 'repository', 'tags'].sort(),
    );
    expect(result).toMatchObject({ app, repository: app, registry: stack.registry, tags: ['v2', 'latest'] });
    expect(result.imageUri).toBe(`${stack.registry}/${app}@${String(result.digest)}`);
    expect(await registryTags(stack, app)).toEqual(['latest', 'v2']);
    // and the password is nowhere in the output, and nothing was written under the home directory
    expect(stdout + stderr).not.toContain(stack.registryAuth.password);
    expect(await readdir(home, { recursive: true })).toEqual([]);
  });

  it('prints the digest-pinned image on stdout and progress on stderr', async () => {
    const app = uniqueName('e2e');
    const cwd = await project(stack, root, app);

    const { stdout, stderr, exitCode } = await runCli(['image', 'push', app, '--tag', 'v1'], {
      cwd,
      env: { HOME: home },
    });

    expect(exitCode, stderr).toBe(0);
    expect(stdout).toMatch(new RegExp(`^${stack.registry}/${app}@sha256:[0-9a-f]{64}\\n$`));
    expect(stderr).toContain(`✓ ECR repository ${app}: created`);
    expect(stderr).toMatch(/✓ Push .*: v1 → sha256:/);
  });

  it('exits 2 naming the missing Dockerfile', async () => {
    const app = uniqueName('e2e');
    const cwd = await project(stack, root, app, false);

    const { stdout, stderr, exitCode } = await runCli(['image', 'push', '--tag', 'v1'], {
      cwd,
      env: { HOME: home },
    });

    expect(exitCode).toBe(2);
    expect(stderr).toContain(`Error: There is no Dockerfile at ${path.join(cwd, 'Dockerfile')}.`);
    expect(stdout).toBe('');
  });

  it('exits 2 without a --tag, before doing anything', async () => {
    const app = uniqueName('e2e');
    const cwd = await project(stack, root, app);

    const { stderr, exitCode } = await runCli(['image', 'push'], { cwd, env: { HOME: home } });

    expect(exitCode).toBe(2);
    expect(stderr).toContain('Missing required flag --tag.');
  });

  it('exits 1 with one line of cause and one of fix when the Docker daemon is down', async () => {
    const app = uniqueName('e2e');
    const cwd = await project(stack, root, app);
    const dead = `unix://${path.join(root, 'no-docker.sock')}`;

    const { stdout, stderr, exitCode } = await runCli(['image', 'push', '--tag', 'v1'], {
      cwd,
      env: { HOME: home, DOCKER_HOST: dead },
    });

    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    const errorLines = stderr.slice(stderr.indexOf('Error:')).trimEnd().split('\n');
    expect(errorLines).toEqual([
      `Error: Can't reach the Docker daemon at ${dead}.`,
      '  → Start Docker Desktop or `sudo systemctl start docker`, then retry.',
    ]);
  });

  it('removes the temporary Docker login when interrupted with Ctrl-C during the push', async () => {
    // given a push under way, with its temporary files in a directory of our own
    const app = uniqueName('e2e');
    const cwd = await project(stack, root, app);
    const tmp = path.join(root, 'tmp');
    await mkdir(tmp);
    const child = spawn(process.execPath, [BIN, 'image', 'push', '--tag', 'v1'], {
      cwd,
      env: { ...process.env, HOME: home, TMPDIR: tmp, TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );

    // when SIGINT arrives while the login directory exists
    const loginDir = async () => (await readdir(tmp)).find((name) => name.startsWith('traefikctl-docker-'));
    const deadline = Date.now() + 60_000;
    while ((await loginDir()) === undefined && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await loginDir(), stderr).toBeDefined();
    child.kill('SIGINT');
    const { code, signal } = await exited;

    // then the process ended as interrupted and the login directory is gone
    expect(signal === 'SIGINT' || code === 130, `code ${code}, signal ${signal}\n${stderr}`).toBe(true);
    expect(await loginDir()).toBeUndefined();
  });
});
