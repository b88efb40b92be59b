/**
 * What one command refuses in a configuration or a tag, every command that reads it refuses the same
 * way (the same message, exit 2) and before it does anything: no command accepts a hostTemplate, an
 * env name or a tag that `app deploy` would then reject.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DescribeRepositoriesCommand, RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import { afterAll, afterEach, expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { runCli, type CliResult } from '../support/cli.js';
import { describeWith, uniqueName, type Stack } from '../support/stack.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

/** The error as the user reads it: from `Error:` to the end of stderr. */
function errorOf(result: CliResult): string {
  const at = result.stderr.indexOf('Error:');
  return at === -1
    ? `(no error; exit ${String(result.exitCode)})\n${result.stderr}`
    : result.stderr.slice(at).trim();
}

async function repositoryExists(name: string): Promise<boolean> {
  const ecr = await clients.ecr();
  try {
    await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return true;
  } catch (error) {
    if (error instanceof RepositoryNotFoundException) return false;
    throw error;
  }
}

describeWith(['moto', 'docker', 'registry'], 'refusals the same in every command', (stack: Stack) => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A project with one buildable app; `extra` is more YAML at the top level. */
  async function project(app: string, extra = ''): Promise<string> {
    dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-refusals-'));
    await writeFile(
      path.join(dir, 'traefikctl.config.yaml'),
      `domain: example.com\nregistry: ${stack.registry}\n${extra}apps:\n  ${app}:\n    port: 80\n`,
    );
    await copyFile(stack.busybox ?? '/bin/busybox', path.join(dir, 'busybox'));
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\n');
    return dir;
  }

  /** Every command that reads the configuration and a tag, as CI would run it. */
  function everyCommand(app: string, tag: string, env?: string): string[][] {
    const envFlag = env === undefined ? [] : ['--env', env];
    return [
      ['config', 'show', ...envFlag],
      ['image', 'push', app, '--tag', tag, ...envFlag],
      ['app', 'deploy', app, '--tag', tag, '--dry-run', ...envFlag],
      ['app', 'deploy', app, '--tag', tag, ...envFlag],
      ['app', 'destroy', app, '--tag', tag, '--yes', ...envFlag],
      ['app', 'logs', app, '--tag', tag, ...envFlag],
      ['cluster', 'up', '--dry-run', ...envFlag],
      ['status', ...envFlag],
    ];
  }

  it.each([
    ['a literal part that is not a DNS label', '{app}-{tag}.Dev.{domain}'],
    ['a character no hostname has', '{app}_{tag}.{env}.{domain}'],
    ['an empty part', '{app}-{tag}..{domain}'],
    ['a placeholder traefikctl does not know', '{app}-{tag}.{stage}.{domain}'],
  ])('refuses a hostTemplate with %s in every command, as app deploy does', async (_case, template) => {
    // given a configuration whose hostTemplate app deploy can't use
    const app = uniqueName('ref');
    const cwd = await project(app, `hostTemplate: ${JSON.stringify(template)}\n`);

    // when each command runs
    const deploy = await runCli(['app', 'deploy', app, '--tag', 'v2', '--dry-run'], { cwd });
    const results = await Promise.all(everyCommand(app, 'v2').map((args) => runCli(args, { cwd })));

    // then each one refuses it with app deploy's message and exit 2, and none made anything
    expect(deploy.exitCode, deploy.stderr).toBe(2);
    expect(errorOf(deploy)).toContain('hostTemplate');
    for (const [index, result] of results.entries()) {
      const args = everyCommand(app, 'v2')[index]?.join(' ') ?? '';
      expect(result.exitCode, `${args}\n${result.stderr}`).toBe(2);
      expect(errorOf(result), args).toBe(errorOf(deploy));
      expect(result.stdout, args).toBe('');
    }
    expect(await repositoryExists(app)).toBe(false);
  });

  it('refuses an env name that no hostname can hold in every command, as app deploy does', async () => {
    // given an env name that ends in a dash: `<app>-<tag>.dev-.example.com` is no hostname
    const app = uniqueName('ref');
    const cwd = await project(app);

    // when each command runs for it
    const deploy = await runCli(['app', 'deploy', app, '--tag', 'v2', '--dry-run', '--env', 'dev-'], { cwd });
    const results = await Promise.all(everyCommand(app, 'v2', 'dev-').map((args) => runCli(args, { cwd })));

    // then each one refuses it with app deploy's message and exit 2
    expect(deploy.exitCode, deploy.stderr).toBe(2);
    for (const [index, result] of results.entries()) {
      const args = everyCommand(app, 'v2', 'dev-')[index]?.join(' ') ?? '';
      expect(result.exitCode, `${args}\n${result.stderr}`).toBe(2);
      expect(errorOf(result), args).toBe(errorOf(deploy));
    }
  });

  it('refuses a tag too long to record on its deployment in every command that takes one', async () => {
    // given a buildable app and a 300-character tag
    const app = uniqueName('ref');
    const cwd = await project(app);
    const tag = `release-${'x'.repeat(292)}`;
    const commands = everyCommand(app, tag).filter((args) => args.includes('--tag'));

    // when each command that takes a tag runs with it
    const deploy = await runCli(['app', 'deploy', app, '--tag', tag, '--dry-run'], { cwd });
    const results = await Promise.all(commands.map((args) => runCli(args, { cwd })));

    // then each one refuses it with app deploy's message and exit 2, and nothing was built or pushed
    expect(deploy.exitCode, deploy.stderr).toBe(2);
    expect(errorOf(deploy)).toContain('300 characters');
    for (const [index, result] of results.entries()) {
      const args = commands[index]?.slice(0, 2).join(' ') ?? '';
      expect(result.exitCode, `${args}\n${result.stderr}`).toBe(2);
      expect(errorOf(result), args).toBe(errorOf(deploy));
    }
    expect(await repositoryExists(app)).toBe(false);
  });
});
