import { Config } from '@oclif/core';
import { describe, expect, it } from 'vitest';

import { commandHelpPage } from '../src/help/command-fast-path.js';
import TraefikctlHelp from '../src/help/index.js';
import { REPO_ROOT } from './support/cli.js';
import { packageFiles, printedByOclif } from './support/oclif-help.js';

// A command's or topic's help page is printed without oclif's runtime (src/help/command-fast-path.ts)
// and must stay the page oclif prints: every test here compares it with what traefikctl's help class
// prints under oclif's own Config, loaded from the same package and manifest. (`npm test` builds
// first: the manifest lists dist/'s commands.)
type Files = Parameters<typeof commandHelpPage>;
const { pjson, manifest } = packageFiles<Files[0], Files[1]>();

/** What oclif prints for `argv` through traefikctl's help class, at a width, without colour. */
function oclifPage(config: Config, argv: string[], width: number): Promise<string> {
  // `<words> --help` is main.run's showHelp(argv); `help <words>` the help command's showHelp(words).
  const words = argv.at(-1) === '--help' ? argv : argv.slice(1);
  return printedByOclif(() =>
    new TraefikctlHelp(config, { maxWidth: width, stripAnsi: true }).showHelp(words),
  );
}

async function fastPage(argv: string[], width: number): Promise<string | undefined> {
  const page = commandHelpPage(pjson, manifest, argv, { maxWidth: width, stripAnsi: true });
  return page === undefined ? undefined : page();
}

const WIDTHS = [40, 80, 133];

describe("a command's help page without oclif's runtime, against oclif's", () => {
  it("is oclif's page for every command and topic, at every width", async () => {
    const config = await Config.load({ root: REPO_ROOT });
    const ids = [...Object.keys(manifest.commands), ...config.topics.map((topic) => topic.name)];
    expect(ids).toEqual(expect.arrayContaining(['app:deploy', 'routes', 'routes:show', 'app', 'cluster']));
    // `help --help` and `help help` are the root page, which has its own path (test/help-root.test.ts).
    for (const id of new Set(ids.filter((entry) => entry !== 'help'))) {
      const words = id.split(':');
      for (const argv of [
        [...words, '--help'],
        ['help', ...words],
      ]) {
        for (const width of WIDTHS) {
          // A Config each time: oclif's help classes write the displayed ids into its commands.
          const expected = await oclifPage(await Config.load({ root: REPO_ROOT }), argv, width);
          expect(await fastPage(argv, width), `${argv.join(' ')} at ${width}`).toBe(expected);
        }
      }
    }
    // The comparison is of real pages: a command's flags, a topic's commands.
    expect(await oclifPage(await Config.load({ root: REPO_ROOT }), ['app', 'deploy', '--help'], 80)).toMatch(
      /^FLAGS\n {2}-/m,
    );
    expect(await oclifPage(await Config.load({ root: REPO_ROOT }), ['app', '--help'], 80)).toMatch(
      /^COMMANDS\n {2}app deploy /m,
    );
  });

  it("leaves to oclif what isn't exactly a command's or topic's words with --help or after help", () => {
    for (const argv of [
      ['app', 'deploy'],
      ['app'],
      ['help'],
      ['--help'],
      ['app', 'deploy', 'whoami', '--help'],
      ['app', 'deploy', '--tag', 'v2', '--help'],
      ['app', '--help', 'deploy'],
      ['help', 'app', '--nested-commands'],
      ['help', 'nosuch'],
      ['nosuch', '--help'],
      ['help', '--help'],
      ['help', 'help'],
      ['app', 'help', '--help'],
      ['app:deploy', '--help'],
      ['constructor', '--help'],
      ['help', 'toString'],
    ]) {
      expect(commandHelpPage(pjson, manifest, argv), argv.join(' ')).toBeUndefined();
    }
    const dynamic = structuredClone(manifest);
    const deploy = dynamic.commands['app:deploy'];
    expect(deploy).toBeDefined();
    if (deploy) deploy.hasDynamicHelp = true;
    expect(commandHelpPage(pjson, dynamic, ['app', 'deploy', '--help'])).toBeUndefined();
    expect(
      commandHelpPage({ ...pjson, oclif: { ...pjson.oclif, topicSeparator: ':' } }, manifest, [
        'app',
        '--help',
      ]),
    ).toBeUndefined();
  });
});
