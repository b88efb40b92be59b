import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { findOnPath } from '../integration/image/helpers.js';
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

/**
 * A `docker` for PATH that runs the real one, except that `docker push` first waits (60 s at most) for
 * the file `$PUSH_GATE/open`, having written its pid to `$PUSH_GATE/waiting`: a push held while its
 * login exists. Without PUSH_GATE it is the real docker.
 */
async function installGatedDocker(binDir: string): Promise<void> {
  const real = await findOnPath('docker');
  await mkdir(binDir, { recursive: true });
  const script = path.join(binDir, 'docker');
  await writeFile(
    script,
    `#!/bin/sh
if [ "$1" = push ] && [ -n "$PUSH_GATE" ]; then
  printf '%s' "$$" > "$PUSH_GATE/waiting.tmp" && mv "$PUSH_GATE/waiting.tmp" "$PUSH_GATE/waiting"
  i=0
  while [ ! -e "$PUSH_GATE/open" ] && [ "$i" -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
fi
exec '${real}' "$@"
`,
  );
  await chmod(script, 0o755);
}

/** Waits (bounded) until `file` exists, or the process ends. */
async function waitForFile(file: string, child: { exitCode: number | null }, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!existsSync(file) && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
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

  it('exits 1 with one line of cause and the fixes when the Docker daemon is down', async () => {
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
      `  → DOCKER_HOST is set (DOCKER_HOST=${dead}): check that it points at a running daemon, or unset it for the default one.`,
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

  it('removes the ECR login a SIGKILLed push left behind before logging in, and never a live push’s', async () => {
    // given pushes whose `docker push` is held while their login exists, temporary files in our own directory
    const app = uniqueName('e2e');
    const cwd = await project(stack, root, app);
    const tmp = path.join(root, 'tmp');
    const bin = path.join(root, 'bin');
    await mkdir(tmp);
    await installGatedDocker(bin);
    const logins = async () =>
      (await readdir(tmp)).filter((name) => name.startsWith('traefikctl-docker-')).sort();
    const heldPush = async (gate: string) => {
      await mkdir(gate);
      const before = await logins();
      const child = spawn(process.execPath, [BIN, 'image', 'push', '--tag', 'v1'], {
        cwd,
        env: {
          ...process.env,
          HOME: home,
          TMPDIR: tmp,
          PATH: `${bin}:${process.env.PATH ?? ''}`,
          PUSH_GATE: gate,
          TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stdout.resume();
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await waitForFile(path.join(gate, 'waiting'), child);
      const login = (await logins()).find((name) => !before.includes(name));
      expect(login, stderr).toBeDefined();
      return { child, exited, dir: path.join(tmp, login ?? ''), stderr: () => stderr };
    };

    // and a push killed with SIGKILL while it was logged in: its token is left on disk
    const killed = await heldPush(path.join(root, 'gate-killed'));
    killed.child.kill('SIGKILL');
    await killed.exited;
    process.kill(Number(await readFile(path.join(root, 'gate-killed', 'waiting'), 'utf8')), 'SIGKILL');
    const leftToken = JSON.parse(await readFile(path.join(killed.dir, 'config.json'), 'utf8')) as {
      auths: Record<string, { auth?: string }>;
    };
    expect(leftToken.auths[stack.registry]?.auth).toBeDefined();
    // and a push that is still under way
    const live = await heldPush(path.join(root, 'gate-live'));
    try {
      // when another push runs to the end
      const next = await runCli(['image', 'push', '--tag', 'v2'], {
        cwd,
        env: { HOME: home, TMPDIR: tmp },
      });

      // then it succeeded and removed the killed push's login, but not the live one's
      expect(next.exitCode, next.stderr).toBe(0);
      expect(existsSync(killed.dir)).toBe(false);
      expect(existsSync(path.join(live.dir, 'config.json'))).toBe(true);
    } finally {
      await writeFile(path.join(root, 'gate-live', 'open'), '');
    }
    // and the live push, let go, still finishes with its login, and removes it itself
    expect(await live.exited, live.stderr()).toBe(0);
    expect(await logins()).toEqual([]);
  });
});
