import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { BIN, REPO_ROOT, runCli } from '../support/cli.js';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('the traefikctl binary', () => {
  it('prints its version', async () => {
    const { stdout, exitCode } = await runCli(['--version']);
    expect(exitCode).toBe(0);
    // bin/run.js prints this without loading oclif: it must stay oclif's exact user-agent line.
    expect(stdout).toBe(
      `traefikctl/${pkg.version} ${process.platform}-${process.arch} node-${process.version}\n`,
    );
  });

  it('ends quietly with exit 0 when the reader closes stdout early (`traefikctl --help | head -1`)', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], {
      env: { ...process.env, TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
  });

  it('lists the topics and commands in --help', async () => {
    const { stdout, exitCode } = await runCli(['--help']);
    expect(exitCode).toBe(0);
    for (const topic of ['app', 'cluster', 'image', 'routes', 'doctor', 'init']) {
      expect(stdout).toMatch(new RegExp(`^\\s+${topic}\\s`, 'm'));
    }
  });

  it('suggests the nearest command for a typo and exits non-zero', async () => {
    const { stderr, exitCode } = await runCli(['docter'], { env: { CI: 'true' } });
    expect(exitCode).not.toBe(0);
    expect(stderr).toContain('doctor');
  });

  it('names the nearest command or topic for a typo, and exits 2 without running anything', async () => {
    const typo = await runCli(['app', 'deplyo', 'whoami'], { env: { CI: 'true' } });
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('Did you mean `traefikctl app deploy`?');
    const topic = await runCli(['apps'], { env: { CI: 'true' } });
    expect(topic.exitCode).toBe(2);
    expect(topic.stderr).toContain('Did you mean `traefikctl app`?');
    expect(topic.stdout).toBe('');
  });

  it('exits 2 on an unknown flag, naming it', async () => {
    const { stderr, exitCode } = await runCli(['doctor', '--nope']);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('--nope');
  });

  it('refuses what the parser refuses with exit 2: a value outside the options, a flag without its value', async () => {
    // oclif leaves these two at its default exit code; bad input is exit 2 (DESIGN.md).
    const status = await runCli(['routes', '--status', 'broken']);
    expect(status.exitCode).toBe(2);
    expect(status.stderr).toBe(
      'Error: Expected --status=broken to be one of: enabled, warning, disabled, missing\n' +
        '  → See `traefikctl routes --help` for usage.\n',
    );
    const noValue = await runCli(['app', 'deploy', 'whoami', '--tag']);
    expect(noValue.exitCode).toBe(2);
    expect(noValue.stderr).toBe(
      'Error: Flag --tag expects a value\n  → See `traefikctl app deploy --help` for usage.\n',
    );
  });

  it("words oclif's validation errors as traefikctl's: one problem a line, flags with their dashes", async () => {
    const missing = await runCli(['app', 'deploy', 'whoami']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe(
      'Error: Missing required flag --tag.\n  → See `traefikctl app deploy --help` for usage.\n',
    );
    const dependent = await runCli(['routes', '--interval', '5s']);
    expect(dependent.exitCode).toBe(2);
    expect(dependent.stderr).toBe(
      'Error: All of the following must be provided when using --interval: --watch\n' +
        '  → See `traefikctl routes --help` for usage.\n',
    );
  });

  it('documents the exit codes in --help of the commands that use them', async () => {
    const { stdout } = await runCli(['doctor', '--help']);
    expect(stdout).toContain('EXIT CODES');
    expect(stdout).toMatch(/130\s+interrupted/);
  });
});
