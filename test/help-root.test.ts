import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Config } from '@oclif/core';
import { Help } from '@oclif/core/help';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { cacheDir } from '../src/help/fast-path.js';
import { renderRootHelp, rootHelpFromManifest, wrapText, type RootHelpInput } from '../src/help/root.js';
import { packageFiles, printedByOclif } from './support/oclif-help.js';

// The root page is rendered without oclif (src/help/root.ts) and must stay oclif's page: every test
// here compares it with what oclif's own, unmodified Help class prints for the same package.
const REPO_ROOT = join(import.meta.dirname, '..');
const requireFromOclif = createRequire(createRequire(import.meta.url).resolve('@oclif/core'));
const wrapAnsi = requireFromOclif('wrap-ansi') as (text: string, columns: number, options: object) => string;

const plain = { bold: (text: string) => text };

/** What oclif's stock Help (not traefikctl's) prints for the root page, at a width, without colour. */
function oclifRootHelp(config: Config, width: number): Promise<string> {
  return printedByOclif(() => new Help(config, { maxWidth: width, stripAnsi: true }).showHelp([]));
}

function inputFromConfig(config: Config): RootHelpInput {
  return {
    bin: config.bin,
    description: String(config.pjson.oclif.description || config.pjson.description || ''),
    userAgent: config.userAgent,
    topicSeparator: config.topicSeparator,
    commands: config.commands,
    topics: config.topics,
  };
}

const WIDTHS = [40, 41, 47, 52, 60, 67, 72, 80, 99, 120, 200];

describe("the root help page without oclif, against oclif's", () => {
  it("is oclif's page for traefikctl's own package and manifest, at every width", async () => {
    const config = await Config.load({ root: REPO_ROOT });
    type Files = Parameters<typeof rootHelpFromManifest>;
    const { pjson, manifest } = packageFiles<Files[0], Files[1]>();
    const fromManifest = rootHelpFromManifest(pjson, manifest, config.userAgent);
    for (const width of WIDTHS) {
      const expected = await oclifRootHelp(config, width);
      expect(`${renderRootHelp(fromManifest, { width, bold: plain.bold })}\n`, `width ${width}`).toBe(
        expected,
      );
      expect(`${renderRootHelp(inputFromConfig(config), { width, bold: plain.bold })}\n`).toBe(expected);
    }
    expect(await oclifRootHelp(config, 80)).toMatch(/^TOPICS\n {2}app {6}Deploy tagged builds/m);
  });

  const packages: string[] = [];
  afterAll(() => {
    for (const dir of packages) rmSync(dir, { recursive: true, force: true });
  });

  it("is oclif's page for a package with nested, hidden and undescribed topics, aliases, long words and long summaries", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'traefikctl-root-help-'));
    packages.push(dir);
    const command = (id: string, extra: object = {}) => ({
      id,
      aliases: [],
      args: {},
      flags: {},
      hidden: false,
      pluginType: 'core',
      ...extra,
    });
    const long =
      'A summary long enough to wrap over several lines at forty columns, with words like ' +
      'supercalifragilisticexpialidociousandthensomemorelettersbeyondanylinewidth in it';
    const manifest = {
      version: '1.2.3',
      commands: {
        deploy: command('deploy', { summary: 'Deploy it.', aliases: ['ship'] }),
        'db:migrate': command('db:migrate', { summary: 'Migrate.' }),
        'db:seed:all': command('db:seed:all', { description: 'Seed everything.\nSecond line.' }),
        secret: command('secret', { summary: 'Hidden.', hidden: true }),
        'ops:x': command('ops:x', { summary: 'x' }),
        zebra: command('zebra', { summary: long }),
        nothing: command('nothing'),
        'tool:run': command('tool:run', { description: 'Runs <%= config.bin %> things.' }),
        aardvark: command('aardvark', { summary: `${long} ${long} ${long}` }),
      },
    };
    const pjson = {
      name: 'demo-cli',
      version: '1.2.3',
      description: 'A demo CLI whose description is long enough to wrap at narrow widths, twice over.\nMore.',
      type: 'module',
      oclif: {
        bin: 'demo',
        dirname: 'demo',
        commands: './dist/commands',
        topicSeparator: ' ',
        topics: {
          db: { description: 'Databases.\nSecond line.', subtopics: { seed: { description: 'Seeds.' } } },
          ops: { description: 'Operations.', hidden: true },
          empty: { description: 'A topic with no commands.' },
        },
      },
    };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(pjson));
    writeFileSync(join(dir, 'oclif.manifest.json'), JSON.stringify(manifest));
    const config = await Config.load({ root: dir });
    const input = rootHelpFromManifest(pjson, manifest, config.userAgent);
    for (const width of WIDTHS) {
      expect(`${renderRootHelp(input, { width, bold: plain.bold })}\n`, `width ${width}`).toBe(
        await oclifRootHelp(config, width),
      );
    }
  });
});

describe('wrapText', () => {
  it("wraps as wrap-ansi (oclif's) does with {hard: true}, for any text of words and spaces", () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcdefgh.,-'), maxLength: 30 });
    const text = fc
      .array(fc.oneof(word, fc.constant(''), fc.constant('\n')), { maxLength: 30 })
      .map((w) => w.join(' '));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 50 }), (t, columns) => {
        expect(wrapText(t, columns)).toBe(wrapAnsi(t, columns, { hard: true }));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('the fast path', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it("finds the update notice's cache where oclif's config does", async () => {
    const cases: NodeJS.ProcessEnv[] = [
      {},
      { XDG_CACHE_HOME: '/tmp/xdg-cache' },
      { TRAEFIKCTL_CACHE_DIR: '/tmp/scoped-cache', XDG_CACHE_HOME: '/tmp/xdg-cache' },
      { HOME: '/tmp/some-home' },
    ];
    for (const env of cases) {
      delete process.env.XDG_CACHE_HOME;
      delete process.env.TRAEFIKCTL_CACHE_DIR;
      Object.assign(process.env, env);
      const config = await Config.load({ root: REPO_ROOT });
      expect(cacheDir('traefikctl', 'traefikctl', process.env, 'linux'), JSON.stringify(env)).toBe(
        config.cacheDir,
      );
    }
    expect(cacheDir('traefikctl', 'traefikctl', { HOME: '/Users/x' }, 'darwin')).toBe(
      '/Users/x/Library/Caches/traefikctl',
    );
  });
});
