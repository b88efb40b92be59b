import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { runCli, type CliOptions } from '../support/cli.js';

// The file's values, not the developer's shell, must decide what `config show` prints.
const clean: CliOptions = {
  unset: ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'TRAEFIKCTL_ENV', 'CI'],
};

let dir: string;

beforeEach(async () => {
  // A git root bounds the configuration search to this directory.
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-init-')));
  await mkdir(path.join(dir, '.git'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const initArgs = ['init', '--yes', '--domain', 'example.com', '--region', 'eu-west-1', '--app', 'whoami'];

describe('traefikctl init', () => {
  it('given an empty directory, when run with --yes and flags, then it writes the file, prints its path and the next steps', async () => {
    const { exitCode, stdout, stderr } = await runCli(initArgs, { ...clean, cwd: dir });

    const file = path.join(dir, 'traefikctl.config.yaml');
    expect(exitCode).toBe(0);
    expect(stdout).toBe(`${file}\n`);
    expect(stderr).toContain('traefikctl cluster up --env dev');
    expect(stderr).toContain('http://whoami-v1.dev.example.com');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('\ndomain: example.com\n');
    expect(text).toContain('\nregion: eu-west-1\n');
    expect(text).toContain('\n  whoami:\n');
  });

  it('given the written file, when the configuration is shown, then it reads back the values init was given', async () => {
    await runCli(initArgs, { ...clean, cwd: dir });

    const { exitCode, stdout } = await runCli(['config', 'show', '--json'], { ...clean, cwd: dir });

    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      configPath: path.join(dir, 'traefikctl.config.yaml'),
      env: 'dev',
      region: 'eu-west-1',
      domain: 'example.com',
      cluster: 'traefikctl-dev',
      apps: { whoami: { port: 80, cpu: 256, memory: 512 } },
    });
  });

  it('given a configuration already written, when run again, then it exits 2 naming the file and leaves it alone', async () => {
    await runCli(initArgs, { ...clean, cwd: dir });
    const before = await readFile(path.join(dir, 'traefikctl.config.yaml'), 'utf8');

    const { exitCode, stdout, stderr } = await runCli(
      ['init', '--yes', '--domain', 'other.example.org', '--app', 'whoami'],
      { ...clean, cwd: dir },
    );

    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('traefikctl.config.yaml already exists.');
    expect(stderr).toContain('--force');
    expect(await readFile(path.join(dir, 'traefikctl.config.yaml'), 'utf8')).toBe(before);
  });

  it('given no terminal and no --domain, when run, then it exits 2 at once naming the flag', async () => {
    const { exitCode, stderr } = await runCli(['init', '--app', 'whoami'], { ...clean, cwd: dir });

    expect(exitCode).toBe(2);
    expect(stderr).toContain('Pass --domain example.com.');
  });
});

describe('traefikctl config show with a broken configuration', () => {
  it.each([
    [
      'a wrong type',
      'domain: example.com\napps:\n  whoami:\n    port: eighty\n',
      'traefikctl.config.yaml:4:11: apps.whoami.port must be a number between 1 and 65535, found "eighty".',
    ],
    [
      'an unknown key',
      'domain: example.com\napps:\n  whoami:\n    prot: 8080\n',
      'traefikctl.config.yaml:4:5: unknown key apps.whoami.prot (did you mean port?)',
    ],
    [
      'a YAML syntax error',
      'domain: example.com\napps:\n  whoami:\n    port: 80\n   cpu: 256\n',
      'traefikctl.config.yaml:5:1: all mapping items must start at the same column.',
    ],
  ])(
    'given %s, when shown, then it exits 2 naming the file, the line and the key',
    async (_name, content, message) => {
      await writeFile(path.join(dir, 'traefikctl.config.yaml'), content);

      const { exitCode, stdout, stderr } = await runCli(['config', 'show'], { ...clean, cwd: dir });

      expect(exitCode).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(message);
    },
  );
});

describe('--config and TRAEFIKCTL_CONFIG', () => {
  it('given a file elsewhere, when named, then it is used instead of the one found upward', async () => {
    await writeFile(path.join(dir, 'traefikctl.config.yaml'), 'domain: found.example.com\n');
    await mkdir(path.join(dir, 'ci'));
    const other = path.join(dir, 'ci', 'deploy.yaml');
    await writeFile(other, 'domain: named.example.com\nenvironment: qa\n');

    const byFlag = await runCli(['config', 'show', '--json', '--config', 'ci/deploy.yaml'], {
      ...clean,
      cwd: dir,
    });
    const byEnv = await runCli(['config', 'show', '--json'], {
      ...clean,
      cwd: dir,
      env: { TRAEFIKCTL_CONFIG: other },
    });
    const searched = await runCli(['config', 'show', '--json'], { ...clean, cwd: dir });

    expect(JSON.parse(byFlag.stdout)).toMatchObject({
      configPath: other,
      domain: 'named.example.com',
      env: 'qa',
    });
    expect(JSON.parse(byEnv.stdout)).toMatchObject({
      configPath: other,
      domain: 'named.example.com',
      env: 'qa',
    });
    expect(JSON.parse(searched.stdout)).toMatchObject({ domain: 'found.example.com', env: 'dev' });
  });

  it('given a path that does not exist, when named, then the command exits 2 naming it and changes nothing', async () => {
    const { exitCode, stdout, stderr } = await runCli(
      ['app', 'deploy', 'whoami', '--tag', 'v2', '--dry-run', '--config', 'nope.yaml'],
      { ...clean, cwd: dir },
    );

    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('nope.yaml');
  });
});

describe('AWS_REGION in the shell against the configuration', () => {
  const offline: CliOptions = {
    unset: [
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
      'TRAEFIKCTL_ENV',
      'CI',
      'AWS_ENDPOINT_URL',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
    ],
  };
  const dryRun = ['app', 'deploy', 'whoami', '--tag', 'v2', '--dry-run'];

  it("given a region in the file, when AWS_REGION says another, then the plan uses it and warns how to get the file's", async () => {
    await writeFile(
      path.join(dir, 'traefikctl.config.yaml'),
      'region: eu-west-1\ndomain: example.com\napps:\n  whoami: {}\n',
    );

    const shell = await runCli(dryRun, { ...offline, cwd: dir, env: { AWS_REGION: 'us-east-1' } });
    const typed = await runCli([...dryRun, '--region', 'us-east-1'], {
      ...offline,
      cwd: dir,
      env: { AWS_REGION: 'us-east-1' },
    });

    expect(shell.stdout).toContain(
      "AWS_REGION=us-east-1 in your shell overrides region: eu-west-1 of traefikctl.config.yaml. Unset it, or pass --region eu-west-1, to use the configuration's.",
    );
    expect(shell.stdout).toContain('"awslogs-region": "us-east-1"');
    expect(typed.stdout).not.toContain('AWS_REGION=');
  });
});
