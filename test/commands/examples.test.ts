/**
 * Every command's --help, as STYLE.md §6 asks: a summary, flag descriptions, and examples that use
 * only flags the command has (an example with a renamed or removed flag is the first thing a new
 * user copies, and fails). Reads the command classes themselves, so it needs no build.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import type { Command } from '@oclif/core';
import { describe, expect, it } from 'vitest';

import { REPO_ROOT } from '../support/cli.js';

const COMMANDS = path.join(REPO_ROOT, 'src', 'commands');

type CommandClass = typeof Command & { baseFlags?: Record<string, unknown> };

function commandFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? commandFiles(path.join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [path.join(dir, entry.name)]
        : [],
  );
}

const commands = await Promise.all(
  commandFiles(COMMANDS).map(async (file) => {
    const id = path
      .relative(COMMANDS, file)
      .replace(/\.ts$/, '')
      .replace(/(^|\/)index$/, '')
      .replaceAll('/', ' ');
    const module = (await import(pathToFileURL(file).href)) as { default: CommandClass };
    return { id, command: module.default };
  }),
);

/** The long flags an example types, from `--name` and `--name=value` (not `--` alone). */
function typedFlags(example: string): string[] {
  return [...example.matchAll(/(?<=^|\s)--([a-z][a-z0-9-]*)/g)].map((match) => match[1] as string);
}

describe('every command', () => {
  it('is found', () => {
    expect(commands.map(({ id }) => id)).toEqual(expect.arrayContaining(['app deploy', 'routes', 'status']));
  });

  it.each(commands.map(({ id, command }) => [id, command] as const))(
    '%s has a summary, flag summaries, and examples that use only its own flags',
    (id, command) => {
      expect(command.summary, id).toBeTruthy();
      const flags = { ...command.baseFlags, ...command.flags } as Record<
        string,
        { summary?: string; description?: string; allowNo?: boolean }
      >;
      if (command.enableJsonFlag) flags.json = { summary: 'Format output as json.' };
      for (const [name, flag] of Object.entries(flags)) {
        expect(flag.summary ?? flag.description, `${id} --${name}`).toBeTruthy();
      }
      const known = new Set(
        Object.entries(flags).flatMap(([name, flag]) => (flag.allowNo ? [name, `no-${name}`] : [name])),
      );
      const examples = (command.examples ?? []).map((example) =>
        typeof example === 'string' ? example : example.command,
      );
      expect(examples.length, `${id} has no example`).toBeGreaterThan(0);
      for (const example of examples) {
        // Only what follows the traefikctl command itself (an example may start with `docker build`).
        const ours = example.slice(example.indexOf('<%= config.bin %>'));
        const own = ours.split(/\s(?:&&|\||;)\s/)[0] ?? '';
        for (const flag of typedFlags(own)) expect(known, `${id}: ${example}`).toContain(flag);
      }
    },
  );
});
