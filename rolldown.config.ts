/**
 * The build: bundles the CLI with rolldown into dist/ (`npm run build` runs `rolldown -c`, then
 * `oclif manifest`). One bundle holds traefikctl's code, @oclif/core, the commands of
 * @oclif/plugin-help and @oclif/plugin-autocomplete, and the small dependencies on the start-up
 * path (zod, yaml, cosmiconfig, ...), so that Node reads a few files instead of hundreds and there
 * is exactly one copy of oclif in the process, with no resolve hook and no edit of oclif's code.
 *
 * Entries sit where oclif looks for them (package.json `oclif`):
 *   dist/cli.js                  what bin/run.js and bin/dev.js import: oclif's `execute`
 *   dist/commands/<topic>/<name>.js  one per command, found through oclif.manifest.json, so a command
 *                                loads its own code and the chunks it shares, not every command's
 *   dist/commands/help.js, dist/commands/autocomplete/*.js   the plugins' commands, bundled with ours
 *   dist/help.js, dist/hooks/*.js    the help class and the hooks
 *   dist/root-help.js            the root help page without oclif, for bin/run.js (src/help/root.ts)
 *   dist/command-help.js         a command's or topic's help page without oclif's runtime, for bin/run.js
 *   dist/config-show.js          `config show` without oclif, for bin/run.js: a second build, below
 * oclif's other way to find commands in a bundle, the "explicit" strategy (one module exporting a map
 * of ids to command classes), is not used: oclif needs the map's values to be the classes themselves,
 * so that module would import every command and everything they import statically, for every
 * command; with an entry per command and the manifest, a command loads only its own module. The
 * `execute` entry imports `@oclif/core/execute`, not the package's index, which would also evaluate
 * more of oclif (its parser and flags) on `--help`: about 3 ms CPU of the import.
 * Shared code goes to dist/chunks/. Modules that only some commands need and that are heavy (the AWS
 * SDK, ink and react, undici) stay outside the bundle and load from node_modules through the
 * `await import()`s in src/, so they cost nothing to a command that doesn't use them. Which source
 * modules went into which file is written to dist/bundle-modules.json (not packed) for bench/ and
 * the tests.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

import { defineConfig, type InputOptions, type OutputBundle } from 'rolldown';

const root = import.meta.dirname;

/** Every file under a directory, as paths relative to it with `/` separators. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

const input: Record<string, string> = {
  cli: 'virtual:traefikctl/cli',
  help: 'src/help/index.ts',
  'root-help': 'src/help/fast-path.ts',
  'command-help': 'src/help/command-fast-path.ts',
};
for (const file of filesUnder(join(root, 'src', 'commands'))) {
  if (/\.tsx?$/.test(file) && !/\.d\.ts$/.test(file)) {
    input[`commands/${file.replace(/\.tsx?$/, '')}`] = `src/commands/${file}`;
  }
}
for (const file of filesUnder(join(root, 'src', 'hooks'))) {
  if (/\.ts$/.test(file)) input[`hooks/${file.replace(/\.ts$/, '')}`] = `src/hooks/${file}`;
}

/**
 * The plugins' commands, re-exported under the ids they have in their plugins: one oclif loads them
 * as ours, so they share our bundled oclif instead of loading the package's ~150 files beside it.
 */
const PLUGIN_COMMANDS: Record<string, string> = {
  help: '@oclif/plugin-help/lib/commands/help.js',
  'autocomplete/index': '@oclif/plugin-autocomplete/lib/commands/autocomplete/index.js',
  'autocomplete/create': '@oclif/plugin-autocomplete/lib/commands/autocomplete/create.js',
  'autocomplete/script': '@oclif/plugin-autocomplete/lib/commands/autocomplete/script.js',
};

/** A file of an installed package by its path, which the package's `exports` don't list. */
function packageFile(path: string): string {
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', path);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${path} is not installed: run npm ci`);
  }
}
const VIRTUAL = 'virtual:traefikctl/';
const virtualSources: Record<string, string> = {
  cli: "export { execute } from '@oclif/core/execute';\n",
};
for (const [id, specifier] of Object.entries(PLUGIN_COMMANDS)) {
  if (input[`commands/${id}`] !== undefined)
    throw new Error(`src/commands/${id} clashes with a plugin command`);
  input[`commands/${id}`] = `${VIRTUAL}commands/${id}`;
  virtualSources[`commands/${id}`] = `export { default } from ${JSON.stringify(packageFile(specifier))};\n`;
}

/** Stands for the package root in a URL until the depth of the output file is known. */
const PACKAGE_ROOT = '__traefikctl_package_root__/';

/** Loaded from node_modules at run time, and only by the commands that `await import()` them. */
const EXTERNAL = [
  /^@aws-sdk\//,
  /^@smithy\//,
  /^ink(\/|$)/,
  /^react(\/|$)/,
  /^undici(\/|$)/,
  // Only for running TypeScript sources in development; never on the built CLI's path.
  /^(typescript|ts-node|tsx|source-map-support)(\/|$)/,
];

type ModuleMap = Record<string, { packages: string[]; sources: string[] }>;

/** For dist/bundle-modules.json: for each output file, the source files and packages in it. */
function moduleMap(bundle: OutputBundle): ModuleMap {
  const map: ModuleMap = {};
  for (const [fileName, output] of Object.entries(bundle)) {
    if (output.type !== 'chunk') continue;
    const packages = new Set<string>();
    const sources: string[] = [];
    for (const id of output.moduleIds) {
      const match = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(id);
      if (match?.[1]) packages.add(match[1].replace('\\', '/'));
      else if (id.startsWith(root)) sources.push(relative(root, id).split(sep).join('/'));
    }
    map[fileName] = { packages: [...packages].sort(), sources: sources.sort() };
  }
  return map;
}

/** What both builds share: where modules come from and how the package's files are found. */
const shared = {
  platform: 'node',
  external: EXTERNAL,
  // src/ imports its TypeScript files by their compiled names (`./x.js`), as tsc wants.
  resolve: { extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'warn',
  plugins: [
    {
      name: 'traefikctl-virtual-entries',
      resolveId(id) {
        return id.startsWith(VIRTUAL) ? `\0${id}` : null;
      },
      load(id) {
        if (!id.startsWith(`\0${VIRTUAL}`)) return null;
        const source = virtualSources[id.slice(VIRTUAL.length + 1)];
        if (source === undefined) throw new Error(`no virtual module ${id}`);
        return source;
      },
    },
    {
      // src/ finds the package's own files (assets/) relative to its module, as tsc laid it out:
      // `new URL('../../../assets/x', import.meta.url)` from src/lib/cluster/. In the bundle that code
      // sits in another file at another depth, so such a URL is rewritten to start from the package
      // root, whose distance from each output file is known when the file is written.
      name: 'traefikctl-package-files',
      transform(code, id) {
        if (!id.startsWith(join(root, 'src') + sep)) return null;
        let changed = false;
        const rewritten = code.replace(
          /new URL\(\s*(['"])(\.{1,2}\/[^'"]+)\1\s*,\s*import\.meta\.url\s*\)/g,
          (match: string, _quote: string, path: string) => {
            const target = relative(root, join(dirname(id), path))
              .split(sep)
              .join('/');
            if (target.startsWith('src/') || target.startsWith('../')) return match;
            changed = true;
            return `new URL(${JSON.stringify(PACKAGE_ROOT + target)}, import.meta.url)`;
          },
        );
        return changed ? { code: rewritten, map: null } : null;
      },
      renderChunk(code, chunk) {
        if (!code.includes(PACKAGE_ROOT)) return null;
        // dist/ plus the output file's own folders.
        const up = '../'.repeat(chunk.fileName.split('/').length);
        return { code: code.replaceAll(PACKAGE_ROOT, up), map: null };
      },
    },
    {
      // Both builds write dist/: the second adds its files to the first one's map.
      name: 'traefikctl-module-map',
      writeBundle(options, bundle) {
        const file = join(options.dir ?? 'dist', 'bundle-modules.json');
        const before = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ModuleMap) : {};
        writeFileSync(file, `${JSON.stringify({ ...before, ...moduleMap(bundle) }, null, 2)}\n`);
      },
    },
  ],
} satisfies InputOptions;

export default defineConfig([
  {
    ...shared,
    input,
    output: {
      dir: 'dist',
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      minify: false,
      sourcemap: false,
      charset: 'ascii',
    },
  },
  {
    // `traefikctl config show` without oclif (src/fast-paths/config-show.ts), for bin/run.js: one
    // file with all it runs (the configuration's code, zod, yaml), minified, apart from the chunks
    // above. Node reads, checks and links one module instead of a dozen, and compiles less source:
    // about 8 ms of its ~60 (bench/RESULTS.md). Its chunks hold what it loads only on demand
    // (cosmiconfig, for JavaScript configurations).
    ...shared,
    input: { 'config-show': 'src/fast-paths/config-show.ts' },
    output: {
      dir: 'dist',
      format: 'esm',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/config-show/[name]-[hash].js',
      minify: true,
      sourcemap: false,
      charset: 'ascii',
    },
  },
]);
