#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { arch, platform, release } from 'node:os';
import { join } from 'node:path';
import { URL } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `Error: traefikctl needs Node.js 22 or newer; this is Node.js ${process.version}.\n` +
      '  → Install Node.js 24 LTS (e.g. `nvm install 24`), then run traefikctl again.\n',
  );
  process.exit(1);
}

// `traefikctl app urls | head -1` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// Node caches compiled bytecode between runs: a measurable part of start-up for a CLI.
nodeModule.enableCompileCache?.();

const args = process.argv.slice(2);
// WSL, which oclif reports as its own platform, takes the normal path below; so does Windows for help.
const wsl = platform() === 'linux' && release().toLowerCase().includes('microsoft');
const userAgent = () => {
  const pjson = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8'));
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  return `${pjson.name}/${pjson.version} ${platform()}-${cpu} node-${process.version}`;
};

/** A fast path's module in dist/, or undefined where the checkout isn't built (oclif's path says so). */
async function fastPath(file) {
  const entry = new URL(`../dist/${file}`, import.meta.url);
  return import(entry.href).catch((error) => {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(entry.pathname))
      return undefined;
    throw error;
  });
}

/** The root help page without oclif (src/help/fast-path.ts); false where only oclif can show it. */
async function rootHelp() {
  const module = await fastPath('root-help.js');
  return module !== undefined && (await module.printRootHelp(new URL('../', import.meta.url), userAgent()));
}

/** A command's or topic's help page without oclif's runtime (src/help/command-fast-path.ts); false likewise. */
async function commandHelp() {
  const module = await fastPath('command-help.js');
  return module !== undefined && (await module.printCommandHelp(new URL('../', import.meta.url), args));
}

/** `traefikctl config show [flags]` without oclif (src/fast-paths/config-show.ts); false where oclif must run it. */
async function configShow() {
  const module = await fastPath('config-show.js');
  return module !== undefined && (await module.printConfig(new URL('../', import.meta.url), args));
}

// `traefikctl --version` runs in scripts and CI steps more than anything else, and loading oclif is
// most of its cost (bench/RESULTS.md): print oclif's exact user agent without it. `traefikctl --help`
// (and `help`, and no arguments) print the root page from the manifest, as oclif would.
const rootHelpArgs = args.length === 0 || (args.length === 1 && (args[0] === '--help' || args[0] === 'help'));
// `traefikctl app deploy --help`, `traefikctl help app deploy`: words, then --help, or help then words.
const words = (list) => list.every((arg) => /^[A-Za-z0-9][\w-]*$/.test(arg));
const commandHelpArgs =
  args.length > 1 &&
  ((args.at(-1) === '--help' && words(args.slice(0, -1))) || (args[0] === 'help' && words(args.slice(1))));
if (args.length === 1 && args[0] === '--version' && !wsl) {
  process.stdout.write(`${userAgent()}\n`);
} else if (rootHelpArgs && !wsl && platform() !== 'win32' && (await rootHelp())) {
  // printed
} else if (commandHelpArgs && !wsl && platform() !== 'win32' && (await commandHelp())) {
  // printed
} else if (
  args[0] === 'config' &&
  args[1] === 'show' &&
  !wsl &&
  platform() !== 'win32' &&
  (await configShow())
) {
  // printed
} else {
  // oclif checks `engines` with semver when its index loads (47 modules), which in the bundle is when
  // the command's module loads; the check above is the same and stricter. Set while oclif runs, then
  // removed again: nothing else reads it.
  const skipEngineCheck = process.env.OCLIF_DISABLE_ENGINE_WARNING === undefined;
  if (skipEngineCheck) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
  // `npm run build` bundles the CLI with oclif into dist/ (rolldown.config.ts): dist/cli.js is oclif's
  // `execute` from that bundle, the one copy of oclif that the commands, hooks and help class share.
  const cli = new URL('../dist/cli.js', import.meta.url);
  const { execute } = await import(cli.href).catch((error) => {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(cli.pathname)) throw error;
    process.stderr.write(
      'Error: this traefikctl is not built (dist/cli.js is missing).\n' +
        '  → Run `npm run build` in the checkout (`npm ci` builds too), then run traefikctl again.\n',
    );
    process.exit(1);
  });
  try {
    await execute({ dir: import.meta.url });
  } finally {
    if (skipEngineCheck) delete process.env.OCLIF_DISABLE_ENGINE_WARNING;
  }
}
