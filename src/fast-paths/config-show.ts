import { readFileSync } from 'node:fs';

import { initHookNotice, scopedVariable } from '../help/fast-path.js';
import type { PackageJson } from '../help/root.js';
import { configSource, configViewToYaml, showConfig, type ConfigView } from '../lib/config/show.js';
import { exitCodeOf } from '../lib/errors.js';
import { errorJsonLine, formatError } from '../ui/errors.js';
import { jsonChunks } from '../ui/json-output.js';
import { currentPresentation } from '../ui/mode.js';
import { visible } from '../ui/visible.js';

/**
 * `traefikctl config show` without oclif: the same library call, the same YAML (or --json) on stdout
 * and the same note on stderr as src/commands/config/show.ts, after the update notice that oclif's
 * init hook would have shown; a configuration with mistakes is reported as the command's error
 * handler reports it (src/base-command.ts: the same words, suggestions, JSON error and exit code).
 * Building oclif's Config and loading the command through it costs more than reading and checking the
 * configuration (bench/RESULTS.md), and `config show` is what a user runs to see what every other
 * command will do. test/e2e/bundle.test.ts holds its output, byte for byte, to the command's run
 * through oclif.
 *
 * Returns false, having printed nothing, for what it doesn't print exactly as the command would:
 * anything on the command line but the command's own flags, each given once with a plain value
 * (oclif's parser says what the rest means), DEBUG (the command's debug lines), or a package without
 * its package.json.
 *
 * @param packageRoot the package's directory, as a file URL ending in `/`
 */
export async function printConfig(packageRoot: URL, argv: readonly string[]): Promise<boolean> {
  const env = process.env;
  if (argv[0] !== 'config' || argv[1] !== 'show' || env.DEBUG) return false;
  const flags = parseFlags(argv.slice(2));
  if (flags === undefined) return false;
  let pjson: PackageJson;
  try {
    pjson = JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as PackageJson;
  } catch {
    return false;
  }
  const bin = pjson.oclif?.bin ?? pjson.name;
  // oclif's jsonEnabled(): --json, or <BIN>_CONTENT_TYPE=json.
  const json = flags.json || scopedVariable(bin, 'CONTENT_TYPE')?.toLowerCase() === 'json';
  const presentation = currentPresentation(json);
  // A flag's variable fills it when the flag isn't given (a non-empty value only, as oclif reads it).
  const fromVariable = (flag: StringFlag) => flags[flag] === undefined && Boolean(env[FLAG_VARIABLES[flag]]);
  const given = (flag: StringFlag) => flags[flag] ?? (env[FLAG_VARIABLES[flag]] || undefined);
  let view: ConfigView;
  let text: string | undefined;
  try {
    view = await showConfig({
      cwd: process.cwd(),
      env: given('env'),
      region: given('region'),
      profile: given('profile'),
      configPath: given('config'),
      fromEnvironment: { region: fromVariable('region'), profile: fromVariable('profile') },
    });
    if (!json) text = configViewToYaml(view);
  } catch (error) {
    await initHookNotice(pjson, packageRoot);
    const exitCode = exitCodeOf(error);
    if (json) process.stdout.write(errorJsonLine(error, exitCode));
    process.stderr.write(
      formatError(error, { color: presentation.color, debug: false, help: `${bin} config show --help` }),
    );
    process.exitCode = exitCode;
    return true;
  }
  await initHookNotice(pjson, packageRoot);
  if (text === undefined) {
    for (const piece of jsonChunks(view, process.stdout.isTTY ? 2 : undefined)) process.stdout.write(piece);
    process.stdout.write('\n');
    return true;
  }
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  process.stderr.write(`${visible(configSource(view), { layout: true, colour: true })}\n`);
  return true;
}

/**
 * The command's flags that take a value, and the variable that fills each (src/base-command.ts's
 * `baseFlags`; test/fast-paths/config-show.test.ts holds the two to each other).
 */
export const FLAG_VARIABLES = {
  env: 'TRAEFIKCTL_ENV',
  region: 'AWS_REGION',
  profile: 'AWS_PROFILE',
  config: 'TRAEFIKCTL_CONFIG',
} as const;
/** Its flags that take none. */
export const BOOLEAN_FLAGS = ['json', 'verbose'] as const;
type StringFlag = keyof typeof FLAG_VARIABLES;

/**
 * The command's flags (the base command's global ones and --json), each at most once and a string
 * flag's value plain (`--env staging`, `--env=staging`); undefined for anything else.
 */
function parseFlags(
  args: readonly string[],
): (Partial<Record<StringFlag, string>> & { json: boolean }) | undefined {
  const flags: Partial<Record<StringFlag, string>> & { json: boolean } = { json: false };
  const seen = new Set<string>();
  for (let index = 0; index < args.length; index++) {
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(args[index] ?? '');
    const name = match?.[1];
    if (name === undefined || seen.has(name)) return undefined;
    seen.add(name);
    if ((BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      if (match?.[2] !== undefined) return undefined;
      if (name === 'json') flags.json = true;
      continue;
    }
    if (!Object.hasOwn(FLAG_VARIABLES, name)) return undefined;
    const value = match?.[2] ?? args[++index];
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    flags[name as StringFlag] = value;
  }
  return flags;
}
