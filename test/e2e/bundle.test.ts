import { execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, REPO_ROOT } from '../support/cli.js';

// `npm run build` bundles the CLI with oclif, the oclif plugins' commands, zod, yaml and the rest of
// the start-up path into dist/ (rolldown.config.ts: the start-up budget, bench/RESULTS.md). These
// tests hold the bundle to two things: it is what actually loads, and the CLI behaves byte for byte
// as the same sources do as a plain oclif app. The reference is that plain app: src/ compiled by
// tsc file by file (tsconfig.build.json), oclif and its plugins loaded from their packages.
let plain: string;
const plainBin = () => join(plain, 'bin', 'run.js');

beforeAll(async () => {
  plain = mkdtempSync(join(tmpdir(), 'traefikctl-unbundled-'));
  mkdirSync(join(plain, 'bin'));
  await promisify(execFile)(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(REPO_ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(plain, 'dist'),
    ],
    { cwd: REPO_ROOT },
  );
  // The package as a plain oclif CLI: the plugins as plugins, and an entry point that imports oclif
  // from its package instead of dist/cli.js.
  const pjson = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    oclif: Record<string, unknown>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  // oclif loads a plugin only if the package depends on it (the bundle made them dev dependencies).
  const plugins = ['@oclif/plugin-help', '@oclif/plugin-autocomplete'];
  pjson.oclif.plugins = plugins;
  // tsc lays src/help/index.ts out as dist/help/index.js; the bundle makes it dist/help.js.
  pjson.oclif.helpClass = './dist/help/index.js';
  for (const name of plugins) pjson.dependencies[name] = pjson.devDependencies[name] ?? '*';
  writeFileSync(join(plain, 'package.json'), JSON.stringify(pjson, null, 2));
  const entry = readFileSync(BIN, 'utf8');
  if (!entry.includes('await import(cli.href)'))
    throw new Error('bin/run.js no longer imports dist/cli.js as cli.href');
  writeFileSync(plainBin(), entry.replace('await import(cli.href)', "await import('@oclif/core')"));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(plain, 'node_modules'));
}, 120_000);
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

function run(
  bin: string,
  args: readonly string[],
  cwd = REPO_ROOT,
  vars: NodeJS.ProcessEnv = {},
): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true',
    NO_COLOR: '1',
    NODE_ENV: 'production', // vitest's `test` turns on oclif's developer warnings
    XDG_CACHE_HOME: join(plain, 'cache'),
    XDG_CONFIG_HOME: join(plain, 'config'),
    ...vars,
  };
  // A variable given as undefined is one the process must not have.
  for (const [name, value] of Object.entries(vars))
    if (value === undefined) Reflect.deleteProperty(env, name);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RECORDER, bin, ...args], {
      cwd,
      env,
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

/** What a user sees of a run: its exit code and both streams. */
const shown = ({ exitCode, stdout, stderr }: Run) => ({ exitCode, stdout, stderr });
const fromPackage = (loaded: string[], name: string) =>
  loaded.filter((url) => url.includes(`/node_modules/${name}/`));
/** Command lines as test rows: the words as the test's name (`%s` shows only a row's first value), then the words. */
const named = (lines: string[][]): [string, string[]][] =>
  lines.map((args) => [args.length === 0 ? '(no arguments)' : args.join(' '), args]);

const bundleEntry = (loaded: string[]) => loaded.filter((url) => url.endsWith('/dist/cli.js'));

/** The packages bundled into the dist/ files a process loaded (dist/bundle-modules.json). */
function bundledPackages(loaded: string[]): Set<string> {
  const map = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'bundle-modules.json'), 'utf8')) as Record<
    string,
    { packages: string[] }
  >;
  const prefix = new URL('../../dist/', import.meta.url).href;
  return new Set(
    loaded
      .filter((url) => url.startsWith(prefix))
      .flatMap((url) => map[url.slice(prefix.length)]?.packages ?? []),
  );
}

/** The lines below whose page src/help/command-fast-path.ts prints (the others are oclif's). */
const COMMAND_PAGES = new Set([
  'app deploy --help',
  'routes --help',
  'help cluster',
  'help app deploy',
  'help routes show',
  'app --help',
  'config show --help',
  'autocomplete --help',
]);

describe('the bundled CLI', () => {
  it('loads oclif from the bundle, not from the package and its ~150 files', async () => {
    const bundled = await run(BIN, ['app', 'urls', '--no-such-flag']);
    expect(bundled.exitCode).toBe(2);
    expect(bundleEntry(bundled.loaded)).toHaveLength(1);
    expect(bundledPackages(bundled.loaded)).toContain('@oclif/core');
    expect(fromPackage(bundled.loaded, '@oclif')).toEqual([]);
    const unbundled = await run(plainBin(), ['app', 'urls', '--no-such-flag']);
    expect(bundleEntry(unbundled.loaded)).toEqual([]);
    expect(fromPackage(unbundled.loaded, '@oclif/core').length).toBeGreaterThan(50);
  });

  it.each(named([[], ['--help'], ['help']]))(
    'prints the root help page without loading oclif at all: traefikctl %s',
    async (_name, args) => {
      const bundled = await run(BIN, args);
      expect(bundled.exitCode).toBe(0);
      expect(bundled.stdout).toMatch(/^TOPICS$/m);
      expect(bundleEntry(bundled.loaded)).toEqual([]);
      expect(bundledPackages(bundled.loaded)).not.toContain('@oclif/core');
      expect(bundled.loaded.some((url) => url.endsWith('/dist/root-help.js'))).toBe(true);
    },
  );

  it.each(
    named([
      ['app', 'deploy', '--help'],
      ['routes', '--help'],
      ['routes', 'show', '--help'],
      ['help', 'app', 'deploy'],
      ['help', 'cluster'],
      ['app', '--help'],
      ['autocomplete', 'script', '--help'],
    ]),
  )("prints a command's or topic's help page without oclif's runtime: traefikctl %s", async (_name, args) => {
    const bundled = await run(BIN, args);
    expect(bundled.exitCode).toBe(0);
    expect(bundled.stdout).toMatch(/^USAGE$/m);
    expect(bundleEntry(bundled.loaded)).toEqual([]);
    expect(bundled.loaded.some((url) => url.endsWith('/dist/command-help.js'))).toBe(true);
  });

  it("leaves a command's help page and the root page to oclif where the user has a theme.json", async () => {
    const themeDir = join(plain, 'config', 'traefikctl');
    mkdirSync(themeDir, { recursive: true });
    writeFileSync(join(themeDir, 'theme.json'), JSON.stringify({ bin: 'red' }));
    try {
      const bundled = await run(BIN, ['app', 'deploy', '--help']);
      expect(bundled.exitCode).toBe(0);
      expect(bundled.stdout).toMatch(/^USAGE$/m);
      expect(bundleEntry(bundled.loaded)).toHaveLength(1);
      const root = await run(BIN, ['--help']);
      expect(root.exitCode).toBe(0);
      expect(root.stdout).toMatch(/^TOPICS$/m);
      expect(bundleEntry(root.loaded)).toHaveLength(1);
    } finally {
      rmSync(themeDir, { recursive: true, force: true });
    }
  });

  it.each(
    named([
      [],
      ['--help'],
      ['help'],
      ['-h'],
      ['help', '--nested-commands'],
      ['app', 'deploy', '--help'],
      ['routes', '--help'],
      ['help', 'cluster'],
      ['help', 'app', 'deploy'],
      ['help', 'routes', 'show'],
      ['app', '--help'],
      ['config', 'show', '--help'],
      ['app', 'deploy', 'whoami', '--help'],
      ['help', 'nosuch'],
      ['nosuch', '--help'],
      ['app', 'nosuch', '--help'],
      ['app'],
      ['app', 'deploy'],
      ['app', 'deploy', 'whoami', '--tag', 'v2', '--no-such-flag'],
      ['apps', 'deploy'],
      ['config', 'show', '--env', 'dev', '--json'],
      ['autocomplete', 'bash'],
      ['autocomplete', '--help'],
      ['autocomplete', 'script', 'bash'],
    ]),
  )('behaves exactly as the plain oclif app does: traefikctl %s', async (_name, args) => {
    const [bundled, unbundled] = await Promise.all([run(BIN, args), run(plainBin(), args)]);
    // The help pages' and config show's own paths (the tests around) load no oclif runtime; everything
    // else loads the bundle's.
    const rootPage = args.length === 0 || (args.length === 1 && ['--help', 'help'].includes(args[0] ?? ''));
    const commandPage = COMMAND_PAGES.has(args.join(' '));
    const configShow = args.join(' ') === 'config show --env dev --json';
    expect(bundleEntry(bundled.loaded)).toHaveLength(rootPage || commandPage || configShow ? 0 : 1);
    expect(fromPackage(bundled.loaded, '@oclif')).toEqual([]);
    expect(shown(bundled)).toEqual(shown(unbundled));
  });
});

// zod and yaml, which every command that reads the configuration loads, are in the bundle too.
describe('the bundled zod and yaml', () => {
  const example = join(REPO_ROOT, 'examples', 'whoami');
  const packageFiles = (loaded: string[]) => [...fromPackage(loaded, 'zod'), ...fromPackage(loaded, 'yaml')];

  it('are what reading the configuration loads, and it reads exactly as on the packages', async () => {
    const args = ['config', 'show', '--json'];
    const [bundled, unbundled] = await Promise.all([run(BIN, args, example), run(plainBin(), args, example)]);

    expect(bundled.exitCode).toBe(0);
    expect([...bundledPackages(bundled.loaded)]).toEqual(expect.arrayContaining(['zod', 'yaml']));
    expect(packageFiles(bundled.loaded)).toEqual([]);
    expect(packageFiles(unbundled.loaded).length).toBeGreaterThan(20);
    expect({ stdout: bundled.stdout, stderr: bundled.stderr }).toEqual({
      stdout: unbundled.stdout,
      stderr: unbundled.stderr,
    });
  });

  it('explain a mistake in the configuration exactly as the packages do', async () => {
    // zod's issues and yaml's positions make this message: a bundle that lost either would show.
    const broken = mkdtempSync(join(tmpdir(), 'traefikctl-bundled-config-'));
    try {
      writeFileSync(
        join(broken, 'traefikctl.config.yaml'),
        'domain: example.com\napps:\n  whoami:\n    port: eighty\n',
      );
      const args = ['config', 'show'];
      const [bundled, unbundled] = await Promise.all([run(BIN, args, broken), run(plainBin(), args, broken)]);
      expect(bundled.exitCode).toBe(2);
      expect(bundled.stderr).toContain('port');
      expect([...bundledPackages(bundled.loaded)]).toEqual(expect.arrayContaining(['zod', 'yaml']));
      expect({ exitCode: bundled.exitCode, stderr: bundled.stderr }).toEqual({
        exitCode: unbundled.exitCode,
        stderr: unbundled.stderr,
      });
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});

// `config show` has its own path too (src/fast-paths/config-show.ts, dist/config-show.js): it must
// print what the command prints through oclif, here the plain app's, byte for byte and exit code too.
describe('config show without oclif', () => {
  const fastPath = (loaded: string[]) => loaded.some((url) => url.endsWith('/dist/config-show.js'));
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'traefikctl-config-show-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A project of its own (a git root, so the search stops there) holding these files. */
  function project(name: string, files: Record<string, string>): string {
    const root = join(dir, name);
    mkdirSync(join(root, '.git'), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
    return root;
  }

  const CONFIG = [
    'domain: example.com',
    'region: eu-west-1',
    'environments:',
    '  dev: {}',
    '  staging: {region: us-east-1, profile: staging}',
    'apps:',
    '  api:',
    '    port: 8080',
    '    environment:',
    '      TOKEN: ${API_TOKEN}',
    '      DATABASE_URL: postgres://user:pw@db/app',
    '      PORT: "8080"',
    // Text yaml writes with escapes or in a block: simpleYaml leaves it to yaml's stringifier.
    '      GREETING: "héllo\\nwörld"',
    '    secrets: {KEY: /api/key}',
    '',
  ].join('\n');

  it.each([
    ['a YAML file', { 'traefikctl.config.yaml': CONFIG }, {}],
    [
      'variables that set the env, the region and the profile',
      { 'traefikctl.config.yaml': CONFIG },
      {
        TRAEFIKCTL_ENV: 'staging',
        AWS_REGION: 'eu-central-1',
        AWS_PROFILE: 'other',
      },
    ],
    ['no configuration: the defaults', {}, {}],
    [
      'the key of a package.json',
      { 'package.json': JSON.stringify({ name: 'api', traefikctl: { domain: 'example.org' } }) },
      {},
    ],
    [
      'a JavaScript configuration',
      { 'traefikctl.config.mjs': 'export default { domain: "example.net" };\n' },
      {},
    ],
    ['TRAEFIKCTL_CONFIG', { 'ci.yaml': 'domain: ci.example.com\n' }, { TRAEFIKCTL_CONFIG: 'ci.yaml' }],
  ] as [string, Record<string, string>, NodeJS.ProcessEnv][])(
    'prints what the command prints: %s',
    async (name, files, env) => {
      const cwd = project(name.replaceAll(/\W+/g, '-'), files);
      const vars = { API_TOKEN: 'not-to-be-shown', ...env };
      const [fast, command] = await Promise.all([
        run(BIN, ['config', 'show'], cwd, vars),
        run(plainBin(), ['config', 'show'], cwd, vars),
      ]);
      expect(fastPath(fast.loaded)).toBe(true);
      expect(bundleEntry(fast.loaded)).toEqual([]);
      expect(fast.exitCode, fast.stderr).toBe(0);
      expect(fast.stdout).not.toContain('not-to-be-shown');
      expect(shown(fast)).toEqual(shown(command));
    },
  );

  it.each([
    ['a mistake in the configuration', { 'traefikctl.config.yaml': 'apps:\n  api:\n    port: eighty\n' }, {}],
    ['a YAML syntax error', { 'traefikctl.config.yaml': 'apps: [\n' }, {}],
    ['a variable that is not set', { 'traefikctl.config.yaml': CONFIG }, { API_TOKEN: undefined }],
    ['an env name that is refused', { 'traefikctl.config.yaml': CONFIG }, { TRAEFIKCTL_ENV: 'Bad_Env' }],
    ['a JavaScript configuration that throws', { 'traefikctl.config.mjs': 'throw new Error("boom");\n' }, {}],
  ] as [string, Record<string, string>, NodeJS.ProcessEnv][])(
    'says a mistake as the command says it, exit code included: %s',
    async (name, files, env) => {
      const cwd = project(`mistake-${name.replaceAll(/\W+/g, '-')}`, files);
      const vars = { API_TOKEN: 'x', ...env };
      const [fast, command] = await Promise.all([
        run(BIN, ['config', 'show'], cwd, vars),
        run(plainBin(), ['config', 'show'], cwd, vars),
      ]);
      expect(fastPath(fast.loaded)).toBe(true);
      expect(bundleEntry(fast.loaded)).toEqual([]);
      expect(fast.exitCode).toBe(2);
      expect(fast.stderr).toMatch(/^Error: /);
      expect(shown(fast)).toEqual(shown(command));
    },
  );

  it.each([
    [['--env', 'staging'], CONFIG, {}],
    [['--env=staging', '--json'], CONFIG, {}],
    [['--json'], CONFIG, {}],
    [['--json', '--verbose'], CONFIG, { AWS_REGION: 'eu-central-1' }],
    [['--region', 'eu-central-1', '--profile', 'other'], CONFIG, { AWS_REGION: 'us-east-1' }],
    [['--config', 'traefikctl.config.yaml', '--env', 'dev'], CONFIG, { TRAEFIKCTL_ENV: 'staging' }],
    [[], CONFIG, { TRAEFIKCTL_CONTENT_TYPE: 'json' }],
    [['--json'], 'apps:\n  api:\n    port: eighty\n', {}],
    [[], 'apps:\n  api:\n    port: eighty\n', { TRAEFIKCTL_CONTENT_TYPE: 'JSON' }],
    [['--env', 'Bad_Env', '--json'], CONFIG, {}],
  ] as [string[], string, NodeJS.ProcessEnv][])(
    "prints what the command prints with the command's flags: config show %s (%s, %o)",
    async (flags, config, env) => {
      const cwd = project(`flags-${flags.join('-').replaceAll(/\W+/g, '-')}-${Object.keys(env).join('-')}`, {
        'traefikctl.config.yaml': config,
      });
      const vars = { API_TOKEN: 'x', ...env };
      const args = ['config', 'show', ...flags];
      const [fast, command] = await Promise.all([
        run(BIN, args, cwd, vars),
        run(plainBin(), args, cwd, vars),
      ]);
      expect(fastPath(fast.loaded)).toBe(true);
      expect(bundleEntry(fast.loaded)).toEqual([]);
      expect(shown(fast)).toEqual(shown(command));
    },
  );

  it('leaves to oclif what are not the flags of the command, each once with a plain value', async () => {
    const cwd = project('not-flags', { 'traefikctl.config.yaml': CONFIG });
    for (const args of [
      ['config', 'show', 'extra'],
      ['config', 'show', '--nosuch'],
      ['config', 'show', '--env', 'dev', '--env', 'staging'],
      ['config', 'show', '--env'],
      ['config', 'show', '--env', '--json'],
      ['config', 'show', '--json=true'],
      ['config', 'show', '-h'],
      ['config', 'shows'],
    ]) {
      const [fast, command] = await Promise.all([
        run(BIN, args, cwd, { API_TOKEN: 'x' }),
        run(plainBin(), args, cwd, { API_TOKEN: 'x' }),
      ]);
      expect(bundleEntry(fast.loaded), args.join(' ')).toHaveLength(1);
      expect(shown(fast)).toEqual(shown(command));
    }
  });
});

describe('bin/run.js without a build', () => {
  it('says to build instead of failing on a missing module', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'traefikctl-unbuilt-'));
    try {
      mkdirSync(join(bare, 'bin'));
      writeFileSync(join(bare, 'bin', 'run.js'), readFileSync(BIN, 'utf8'));
      writeFileSync(join(bare, 'package.json'), readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
      const result = await run(join(bare, 'bin', 'run.js'), ['--help'], bare);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('this traefikctl is not built (dist/cli.js is missing)');
      expect(result.stderr).toContain('Run `npm run build`');
      // --version needs no build: it never loads oclif.
      expect((await run(join(bare, 'bin', 'run.js'), ['--version'], bare)).stdout).toMatch(
        /^traefikctl\/0\./,
      );
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

describe('files the bundle reads from the package', () => {
  it('are where every `new URL(…, import.meta.url)` in dist/ points, from the file it ended up in', () => {
    // src/ names assets/ relative to its own module (src/lib/cluster/template.ts: the cluster
    // template); the build rewrites that for the depth of the output file (rolldown.config.ts).
    const dist = join(REPO_ROOT, 'dist');
    const found: string[] = [];
    for (const file of readdirSync(dist, { recursive: true }) as string[]) {
      if (!file.endsWith('.js')) continue;
      const code = readFileSync(join(dist, file), 'utf8');
      for (const [, path = ''] of code.matchAll(
        /new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g,
      )) {
        const target = new URL(path, pathToFileURL(join(dist, file)));
        found.push(`${file} -> ${path}: ${existsSync(target) ? 'exists' : 'MISSING'}`);
      }
    }
    expect(found.some((line) => line.includes('assets/traefik/cluster.yaml'))).toBe(true);
    expect(found.filter((line) => line.endsWith('MISSING'))).toEqual([]);
  });
});
