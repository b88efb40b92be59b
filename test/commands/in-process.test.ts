/**
 * Commands run in-process with buffers for stdout and stderr (test/support/io.ts): what goes where,
 * and the exit code, without spawning bin/run.js.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import ClusterDown from '../../src/commands/cluster/down.js';
import ConfigShow from '../../src/commands/config/show.js';
import { ExitCode } from '../../src/lib/errors.js';
import { runInProcess } from '../support/io.js';

describe('commands in-process, through their io', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-io-'));
    file = path.join(dir, 'traefikctl.config.json');
    vi.stubEnv('TRAEFIKCTL_ENV', '');
    vi.stubEnv('NO_COLOR', '1');
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  it('config show: the YAML on stdout, where it came from on stderr, exit 0', async () => {
    // given a configuration with a domain
    await writeFile(file, JSON.stringify({ domain: 'example.com', region: 'eu-west-1' }));
    // when config show runs with its streams in buffers
    const { stdout, stderr, exitCode } = await runInProcess(ConfigShow, [
      '--config',
      file,
      '--env',
      'staging',
    ]);
    // then the result is on stdout and the note on stderr
    expect(exitCode, stderr).toBe(ExitCode.Ok);
    expect(stdout).toContain('domain: example.com');
    expect(stdout).toContain('env: staging');
    expect(stdout).not.toContain('From ');
    expect(stderr).toBe(`From ${file}, environment staging.\n`);
  });

  it('config show --json: only the JSON object on stdout, nothing on stderr', async () => {
    await writeFile(file, JSON.stringify({ domain: 'example.com', region: 'eu-west-1' }));
    const { stdout, stderr, exitCode } = await runInProcess(ConfigShow, ['--config', file, '--json']);
    expect(exitCode, stderr).toBe(ExitCode.Ok);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ configPath: file, domain: 'example.com' });
  });

  it('a bad configuration: the error on stderr, nothing on stdout, exit 2', async () => {
    // given a configuration whose domain is not a string
    await writeFile(file, JSON.stringify({ domain: 42 }));
    const { stdout, stderr, exitCode } = await runInProcess(ConfigShow, ['--config', file]);
    expect(exitCode).toBe(ExitCode.Usage);
    expect(stdout).toBe('');
    expect(stderr).toContain(file);
    expect(stderr).toContain('domain');
  });

  it('cluster down with no terminal and no --yes: refused before anything is read, naming --yes and --force', async () => {
    // given no AWS at all (nothing may be asked: the refusal comes first)
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
    const { stdout, stderr, exitCode } = await runInProcess(ClusterDown, ['--env', 'preview-42']);
    expect(exitCode).toBe(ExitCode.Usage);
    expect(stdout).toBe('');
    expect(stderr).toContain('Pass --yes to remove it: traefikctl cluster down --env preview-42 --yes');
    // it can't know yet whether deployments are live, so it says what they would need
    expect(stderr).toContain('If app deployments are still live in it, add --force to remove them with it.');
    const forced = await runInProcess(ClusterDown, ['--env', 'preview-42', '--force']);
    expect(forced.stderr).not.toContain('add --force');
  });

  it('--json with a bad configuration: the error object on stdout, exit 2', async () => {
    await writeFile(file, JSON.stringify({ domain: 42 }));
    const { stdout, exitCode } = await runInProcess(ConfigShow, ['--config', file, '--json']);
    expect(exitCode).toBe(ExitCode.Usage);
    expect(JSON.parse(stdout)).toMatchObject({ error: { exitCode: ExitCode.Usage } });
  });
});
