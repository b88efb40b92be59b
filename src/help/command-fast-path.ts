import { readFileSync } from 'node:fs';
import { format } from 'node:util';

import type { Command, Interfaces } from '@oclif/core';

import { initHookNotice, themed } from './fast-path.js';
import TraefikctlHelp from './index.js';
import { rootHelpFromManifest, type PackageJson } from './root.js';

/**
 * A command's or a topic's help page (`traefikctl app deploy --help`, `traefikctl help routes`,
 * `traefikctl app --help`) without oclif's runtime: the page is rendered by oclif's own help classes (the
 * help class of ./index.ts), from package.json and oclif.manifest.json, as oclif renders it from the
 * same manifest, but without building oclif's Config (which finds the package's root and plugins,
 * reads the user's theme, detects WSL, and sorts every command id through ICU's collator: about half
 * of `node -e 0` on its own; bench/RESULTS.md). test/help-command.test.ts holds every page to
 * the page oclif prints, at every width.
 *
 * Returns false, having printed nothing, for anything else and wherever only oclif can show the page
 * as it would: no manifest, flags or arguments beside the id, a command whose help is dynamic, a
 * user theme, help options that send help elsewhere. bin/run.js then runs oclif.
 *
 * @param packageRoot the package's directory, as a file URL ending in `/`
 */
export async function printCommandHelp(packageRoot: URL, argv: readonly string[]): Promise<boolean> {
  let pjson: HelpPackageJson;
  let manifest: Manifest;
  try {
    pjson = JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as HelpPackageJson;
    manifest = JSON.parse(readFileSync(new URL('oclif.manifest.json', packageRoot), 'utf8')) as Manifest;
  } catch {
    return false;
  }
  const page = commandHelpPage(pjson, manifest, argv);
  if (page === undefined) return false;
  const bin = pjson.oclif?.bin ?? pjson.name;
  const dirname = pjson.oclif?.dirname ?? pjson.name;
  if (themed(pjson, bin, dirname)) return false;
  // oclif's init hook runs before its help.
  await initHookNotice(pjson, packageRoot);
  process.stdout.write(await page());
  return true;
}

interface HelpPackageJson extends PackageJson {
  helpOptions?: Partial<Interfaces.HelpOptions>;
  oclif?: PackageJson['oclif'] & {
    helpOptions?: Partial<Interfaces.HelpOptions>;
    theme?: unknown;
    additionalHelpFlags?: string[];
  };
}

type ManifestCommand = Command.Cached & { aliases?: string[]; hasDynamicHelp?: boolean };

interface Manifest {
  commands: Record<string, ManifestCommand>;
}

/** Renders the page, as oclif prints it (lines ending in `\n`). */
type Page = () => Promise<string>;

/**
 * The page `argv` asks for, if this path shows it: `<words> --help` or `help <words>`, where the
 * words are exactly a command id or a topic of the manifest (anything else, such as arguments or
 * flags beside them, is oclif's). Exported for the tests, which also give it a width (`maxWidth`).
 */
export function commandHelpPage(
  pjson: HelpPackageJson,
  manifest: Manifest,
  argv: readonly string[],
  helpOptions: Partial<Interfaces.HelpOptions> = {},
): Page | undefined {
  const oclif = pjson.oclif ?? {};
  const options = { ...(oclif.helpOptions ?? pjson.helpOptions), ...helpOptions };
  if (options.sendToStderr || (oclif.additionalHelpFlags?.length ?? 0) > 0) return undefined;
  // traefikctl's ids are shown with spaces (`app deploy`); a package with `:` takes oclif's path.
  if ((oclif.topicSeparator ?? ':') !== ' ') return undefined;
  let words: readonly string[];
  if (argv.length > 1 && argv.at(-1) === '--help') words = argv.slice(0, -1);
  else if (argv[0] === 'help' && argv.length > 1) words = argv.slice(1);
  else return undefined;
  // oclif skips the word `help` when it looks for the page's subject (`help --help` is the root page).
  if (words.some((word) => word === 'help' || !/^[A-Za-z0-9][\w-]*$/.test(word))) return undefined;
  const id = words.join(':');

  const command = findCommand(manifest, id);
  if (command?.hasDynamicHelp) return undefined;
  if (command !== undefined) return () => capturedHelp(pjson, manifest, options).commandPage(command);
  const topic = rootHelpFromManifest(pjson, manifest, '').topics.find((entry) => entry.name === id);
  if (topic === undefined) return undefined;
  return () => capturedHelp(pjson, manifest, options).topicPage({ ...topic });
}

function findCommand(manifest: Manifest, id: string): ManifestCommand | undefined {
  if (Object.hasOwn(manifest.commands, id)) return manifest.commands[id];
  const aliased = Object.values(manifest.commands).find((entry) => entry.aliases?.includes(id));
  return aliased === undefined ? undefined : { ...aliased, id };
}

/** traefikctl's help class, printing into a buffer instead of stdout. */
class CapturedHelp extends TraefikctlHelp {
  #lines: string[] = [];

  override log(...args: unknown[]): void {
    // oclif's log: ux.stdout(args), that is console.log(format(...args)).
    this.#lines.push(format(...args));
  }

  /** oclif's page for the command; a copy, which the help classes may change. */
  async commandPage(command: ManifestCommand): Promise<string> {
    // Loaded only for dynamic help, which takes oclif's path (commandHelpPage).
    await this.showCommandHelp(structuredClone(command) as Command.Loadable);
    return this.#printed();
  }

  async topicPage(topic: Interfaces.Topic): Promise<string> {
    await this.showTopicHelp(topic);
    return this.#printed();
  }

  #printed(): string {
    return this.#lines.map((line) => `${line}\n`).join('');
  }
}

/**
 * The part of oclif's Config that its help classes read for a command or topic page, from the
 * package and its manifest as Config.load would fill it. (Windows and WSL take oclif's path:
 * bin/run.js never calls this there.)
 */
function capturedHelp(
  pjson: HelpPackageJson,
  manifest: Manifest,
  options: Partial<Interfaces.HelpOptions>,
): CapturedHelp {
  // oclif's help classes write the displayed ids into the commands they list: a copy of them.
  const input = rootHelpFromManifest(pjson, structuredClone(manifest), '');
  const config = {
    bin: input.bin,
    topicSeparator: input.topicSeparator,
    platform: process.platform,
    shell: '',
    theme: undefined,
    pjson,
    commands: input.commands,
    topics: input.topics,
    plugins: new Map(),
  } as unknown as Interfaces.Config;
  return new CapturedHelp(config, options);
}
