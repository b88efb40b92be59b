import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT, runCli } from '../support/cli.js';

const run = promisify(execFile);

// What `npm pack` ships is what users run: this packs the current build (scripts are skipped so that
// no rebuild deletes dist/ under the other tests), unpacks it and runs the unpacked CLI. Its
// dependencies are the checkout's (a symlinked node_modules): installing them from the registry
// would test npm, not the package.
let dir: string;
let files: string[];
let bin: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'traefikctl-pack-'));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { stdout } = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: REPO_ROOT,
  });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (!packed) throw new Error(`npm pack printed no package: ${stdout}`);
  files = packed.files.map((file) => file.path);
  await run('tar', ['-xzf', join(dir, packed.filename), '-C', dir]);
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'package', 'node_modules'));
  bin = join(dir, 'package', 'bin', 'run.js');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the npm package', () => {
  it('ships the built CLI, its manifest, the bundles and the cluster template, and no sources or tests', () => {
    for (const file of [
      'bin/run.js',
      'package.json',
      'oclif.manifest.json',
      'dist/vendor/oclif-core.js',
      'dist/vendor/zod.js',
      'dist/vendor/yaml.js',
      'dist/hooks/update-check.js',
      'dist/hooks/update-check-refresh.js',
      'dist/commands/app/deploy.js',
      'assets/traefik/cluster.yaml',
      'README.md',
      'LICENSE',
    ]) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => /^(src|test|bench|scripts)\//.test(file))).toEqual([]);
  });

  it('runs from the unpacked package: --version, --help, and the main job as a dry run', async () => {
    const env = { TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true' };
    const version = await runCli(['--version'], { env, bin });
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^traefikctl\/\d+\.\d+\.\d+ /);

    const help = await runCli(['app', 'deploy', '--help'], { env, bin });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('$ traefikctl app deploy [APP] --tag <value>');

    const plan = await runCli(['app', 'deploy', 'whoami', '--tag', 'v2', '--dry-run', '--json'], {
      env,
      bin,
      cwd: join(REPO_ROOT, 'examples', 'whoami'),
      unset: ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    });
    const result = JSON.parse(plan.stdout) as { url: string };
    expect(result.url).toBe('http://whoami-v2.dev.example.com');
  });
});
