import { readFileSync } from 'node:fs';

import { initHookNotice } from '../help/fast-path.js';
import type { PackageJson } from '../help/root.js';
import { configSource, configViewToYaml, showConfig, type ConfigView } from '../lib/config/show.js';
import { exitCodeOf } from '../lib/errors.js';
import { formatError } from '../ui/errors.js';
import { currentPresentation } from '../ui/mode.js';
import { visible } from '../ui/visible.js';

/**
 * `traefikctl config show` without oclif: the same library call, the same YAML on stdout and the same
 * note on stderr as src/commands/config/show.ts, after the update notice that oclif's init hook would
 * have shown; a configuration with mistakes is reported as the command's error handler reports it
 * (src/base-command.ts: the same words, suggestions and exit code). Building oclif's Config and
 * loading the command through it costs more than reading and checking the configuration
 * (bench/RESULTS.md), and `config show` is what a user runs to see what every other command will do.
 * test/e2e/bundle.test.ts holds its output, byte for byte, to the command's run through oclif.
 *
 * Returns false, having printed nothing, for what it doesn't print exactly as the command would: any
 * flag or other argument (oclif parses those), JSON output asked for through TRAEFIKCTL_CONTENT_TYPE
 * (errors are then JSON too), DEBUG (the command's debug lines), or a package without its
 * package.json.
 *
 * @param packageRoot the package's directory, as a file URL ending in `/`
 */
export async function printConfig(packageRoot: URL, argv: readonly string[]): Promise<boolean> {
  const env = process.env;
  if (argv.length !== 2 || argv[0] !== 'config' || argv[1] !== 'show') return false;
  if (env.TRAEFIKCTL_CONTENT_TYPE !== undefined || env.DEBUG) return false;
  let pjson: PackageJson;
  try {
    pjson = JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as PackageJson;
  } catch {
    return false;
  }
  let view: ConfigView;
  let text: string;
  try {
    // The global flags as oclif fills them from their variables: a non-empty value is the flag's.
    view = await showConfig({
      cwd: process.cwd(),
      env: env.TRAEFIKCTL_ENV || undefined,
      region: env.AWS_REGION || undefined,
      profile: env.AWS_PROFILE || undefined,
      configPath: env.TRAEFIKCTL_CONFIG || undefined,
      fromEnvironment: { region: Boolean(env.AWS_REGION), profile: Boolean(env.AWS_PROFILE) },
    });
    text = configViewToYaml(view);
  } catch (error) {
    await initHookNotice(pjson, packageRoot);
    process.stderr.write(
      formatError(error, {
        color: currentPresentation(false).color,
        debug: false,
        help: `${pjson.oclif?.bin ?? pjson.name} config show --help`,
      }),
    );
    process.exitCode = exitCodeOf(error);
    return true;
  }
  await initHookNotice(pjson, packageRoot);
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  process.stderr.write(`${visible(configSource(view), { layout: true, colour: true })}\n`);
  return true;
}
