import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { REPO_ROOT, runCli } from '../support/cli.js';

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

describe('the traefikctl binary', () => {
  it('prints its version', async () => {
    const { stdout, exitCode } = await runCli(['--version']);
    expect(exitCode).toBe(0);
    expect(stdout).toContain(`traefikctl/${pkg.version}`);
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

  it('exits 2 on an unknown flag, naming it', async () => {
    const { stderr, exitCode } = await runCli(['doctor', '--nope']);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('--nope');
  });

  it('documents the exit codes in --help of the commands that use them', async () => {
    const { stdout } = await runCli(['doctor', '--help']);
    expect(stdout).toContain('EXIT CODES');
    expect(stdout).toMatch(/130\s+interrupted/);
  });
});
