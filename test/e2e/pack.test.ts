import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
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
  it('ships the bundled CLI, its manifest and the cluster template, and no sources or tests', () => {
    for (const file of [
      'bin/run.js',
      'package.json',
      'oclif.manifest.json',
      'dist/cli.js',
      'dist/help.js',
      'dist/root-help.js',
      'dist/command-help.js',
      'dist/commands/help.js',
      'dist/commands/autocomplete/index.js',
      'dist/hooks/command-not-found.js',
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
    expect(files.filter((file) => file.startsWith('dist/chunks/')).length).toBeGreaterThan(10);
    // The build's map of which modules went where is for bench/ and the tests, not for users.
    expect(files).not.toContain('dist/bundle-modules.json');
  });

  it('depends on exactly the packages its bundle imports at run time', () => {
    // Everything else is inside the bundle: a package the bundle imports but package.json doesn't
    // list would be missing from a global install, and one it lists but never imports is dead weight.
    const pjson = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const file of files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
      // Comments (the bundled packages' docs quote imports) are not imports.
      const code = readFileSync(join(dir, 'package', file), 'utf8')
        .split('\n')
        .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
        .join('\n');
      for (const [, specifier = ''] of code.matchAll(
        /(?:\bfrom\s*|\bimport\s*\(\s*|\b__require\(\s*)["']([^"'.][^"']*)["']/g,
      )) {
        if (specifier.startsWith('node:') || !/^[@a-z]/.test(specifier)) continue;
        const parts = specifier.split('/');
        imported.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? ''));
      }
    }
    // oclif requires these only to run a plugin's TypeScript sources in development, behind checks.
    const developmentOnly = new Set(['typescript', 'ts-node', 'tsx', 'source-map-support']);
    const builtins = new Set(builtinModules);
    const packages = [...imported].filter((name) => !builtins.has(name) && !developmentOnly.has(name)).sort();
    expect(packages).toEqual(Object.keys(pjson.dependencies).sort());
  });

  it('runs from the unpacked package: --version, --help, and the main job as a dry run', async () => {
    const env = { TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true' };
    const version = await runCli(['--version'], { env, bin });
    expect(version.exitCode).toBe(0);
    expect(version.stdout).toMatch(/^traefikctl\/\d+\.\d+\.\d+ /);

    const root = await runCli(['--help'], { env, bin });
    expect(root.exitCode).toBe(0);
    expect(root.stdout).toMatch(/^COMMANDS\n {2}autocomplete/m);

    const help = await runCli(['app', 'deploy', '--help'], { env, bin });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('$ traefikctl app deploy [APP] --tag <value>');

    const config = await runCli(['config', 'show'], {
      env,
      bin,
      cwd: join(REPO_ROOT, 'examples', 'whoami'),
    });
    expect(config.exitCode).toBe(0);
    expect(config.stdout).toContain('whoami');

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
