import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, REPO_ROOT } from '../support/cli.js';

// `npm run build` bundles @oclif/core into dist/vendor/oclif-core.js and bin/run.js sends every import
// of the package there (the start-up budget, bench/RESULTS.md). These tests hold the bundle to two
// things: it is what actually loads, and the CLI behaves byte for byte as it does on the package.
// The comparison layout is the same build with dist/vendor left out.
let plain: string;

beforeAll(() => {
  plain = mkdtempSync(join(tmpdir(), 'traefikctl-novendor-'));
  mkdirSync(join(plain, 'bin'));
  mkdirSync(join(plain, 'dist'));
  copyFileSync(BIN, join(plain, 'bin', 'run.js'));
  copyFileSync(join(REPO_ROOT, 'package.json'), join(plain, 'package.json'));
  if (existsSync(join(REPO_ROOT, 'oclif.manifest.json'))) {
    copyFileSync(join(REPO_ROOT, 'oclif.manifest.json'), join(plain, 'oclif.manifest.json'));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(plain, 'node_modules'));
  for (const entry of readdirSync(join(REPO_ROOT, 'dist'))) {
    if (entry !== 'vendor') symlinkSync(join(REPO_ROOT, 'dist', entry), join(plain, 'dist', entry));
  }
});
afterAll(() => rmSync(plain, { recursive: true, force: true }));

interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  loaded: string[];
}

// A load hook sees every module the process reads, ESM and CommonJS, bundled or not.
const RECORDER = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
process.on('exit', () => process.stderr.write('\\nLOADED ' + JSON.stringify(loaded) + '\\n'));
`)}`;

function run(bin: string, args: readonly string[], cwd = REPO_ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RECORDER, bin, ...args], {
      cwd,
      env: {
        ...process.env,
        TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true',
        NO_COLOR: '1',
        NODE_ENV: 'production', // vitest's `test` turns on oclif's developer warnings
        XDG_CACHE_HOME: join(plain, 'cache'),
        XDG_CONFIG_HOME: join(plain, 'config'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const marker = stderr.lastIndexOf('\nLOADED ');
      const loaded = JSON.parse(stderr.slice(marker + 8)) as string[];
      resolve({ exitCode, stdout, stderr: stderr.slice(0, marker), loaded });
    });
  });
}

const fromPackage = (loaded: string[]) => loaded.filter((url) => url.includes('/node_modules/@oclif/core/'));
const fromBundle = (loaded: string[]) => loaded.filter((url) => url.endsWith('/dist/vendor/oclif-core.js'));

describe('the bundled @oclif/core', () => {
  it('is what the built CLI loads, in place of the package and its ~150 files', async () => {
    const bundled = await run(BIN, ['--help']);
    expect(bundled.exitCode).toBe(0);
    expect(fromBundle(bundled.loaded)).toHaveLength(1);
    expect(fromPackage(bundled.loaded)).toEqual([]);
    const unbundled = await run(join(plain, 'bin', 'run.js'), ['--help']);
    expect(fromBundle(unbundled.loaded)).toEqual([]);
    expect(fromPackage(unbundled.loaded).length).toBeGreaterThan(50);
  });

  it.each([
    ['--help'],
    ['app', 'deploy', '--help'],
    ['routes', '--help'],
    ['help', 'cluster'],
    ['app'],
    ['app', 'deploy'],
    ['app', 'deploy', 'whoami', '--tag', 'v2', '--no-such-flag'],
    ['apps', 'deploy'],
    ['config', 'show', '--env', 'dev', '--json'],
    ['autocomplete', 'bash'],
  ])('behaves exactly as the package does: traefikctl %s', async (...args) => {
    const [bundled, unbundled] = await Promise.all([run(BIN, args), run(join(plain, 'bin', 'run.js'), args)]);
    expect(fromBundle(bundled.loaded)).toHaveLength(1);
    expect({ exitCode: bundled.exitCode, stdout: bundled.stdout, stderr: bundled.stderr }).toEqual({
      exitCode: unbundled.exitCode,
      stdout: unbundled.stdout,
      stderr: unbundled.stderr,
    });
  });
});

// zod and yaml, which every command that reads the configuration loads, are bundled the same way
// (scripts/vendor-config-parsers.mjs), for traefikctl's own imports only.
describe('the bundled zod and yaml', () => {
  const example = join(REPO_ROOT, 'examples', 'whoami');
  const packageFiles = (loaded: string[]) =>
    loaded.filter((url) => url.includes('/node_modules/zod/') || url.includes('/node_modules/yaml/'));
  const bundles = (loaded: string[]) =>
    loaded.filter((url) => url.endsWith('/dist/vendor/zod.js') || url.endsWith('/dist/vendor/yaml.js'));

  it('are what reading the configuration loads, and it reads exactly as on the packages', async () => {
    const args = ['config', 'show', '--json'];
    const [bundled, unbundled] = await Promise.all([
      run(BIN, args, example),
      run(join(plain, 'bin', 'run.js'), args, example),
    ]);

    expect(bundled.exitCode).toBe(0);
    expect(bundles(bundled.loaded)).toHaveLength(2);
    expect(packageFiles(bundled.loaded)).toEqual([]);
    expect(bundles(unbundled.loaded)).toEqual([]);
    expect(packageFiles(unbundled.loaded).length).toBeGreaterThan(20);
    expect({ stdout: bundled.stdout, stderr: bundled.stderr }).toEqual({
      stdout: unbundled.stdout,
      stderr: unbundled.stderr,
    });
  });

  it('explain a mistake in the configuration exactly as the packages do', async () => {
    // zod's issues and yaml's positions make this message: a bundle that lost either would show.
    const broken = mkdtempSync(join(tmpdir(), 'traefikctl-vendored-config-'));
    try {
      writeFileSync(
        join(broken, 'traefikctl.config.yaml'),
        'domain: example.com\napps:\n  whoami:\n    port: eighty\n',
      );
      const args = ['config', 'show'];
      const [bundled, unbundled] = await Promise.all([
        run(BIN, args, broken),
        run(join(plain, 'bin', 'run.js'), args, broken),
      ]);
      expect(bundled.exitCode).toBe(2);
      expect(bundled.stderr).toContain('port');
      expect(bundles(bundled.loaded)).toHaveLength(2);
      expect({ exitCode: bundled.exitCode, stderr: bundled.stderr }).toEqual({
        exitCode: unbundled.exitCode,
        stderr: unbundled.stderr,
      });
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
