import { Errors, toConfiguredId, type Hook } from '@oclif/core';

import { usageError } from '../lib/errors.js';
import { currentPresentation } from '../ui/mode.js';
import { formatError } from '../ui/errors.js';

/**
 * An unknown command names the nearest one and exits 2 (a usage error: nothing ran).
 *
 * This replaces @oclif/plugin-not-found on purpose: on a terminal it asks "did you mean X?" and then
 * *runs* X, which for a tool with `app destroy` and `cluster down` is one keystroke from running a
 * destructive command the user never typed; off a terminal it suggests nothing at all.
 */
const hook: Hook.CommandNotFound = function (options) {
  const visible = options.config.commands.filter((c) => !c.hidden);
  // Topics too: `traefikctl apps` means `traefikctl app`, which lists the app commands.
  const topics = options.config.topics.filter((t) => !t.hidden).map((t) => t.name);
  const ids = [...new Set([...visible.flatMap((c) => [c.id, ...c.aliases]), ...topics])];
  // oclif's id holds every word before the first flag, arguments too (`app deplyo whoami`): the
  // longest run of leading words that is close to a command is the one the user mistyped.
  const words = options.id.split(':');
  let typedId = options.id;
  let nearest: string | undefined;
  for (let count = words.length; count > 0 && nearest === undefined; count--) {
    const candidate = words.slice(0, count).join(':');
    nearest = closest(candidate, ids);
    if (nearest !== undefined) typedId = candidate;
  }
  const typed = toConfiguredId(typedId, options.config);
  const suggestions = [];
  if (nearest !== undefined)
    suggestions.push(`Did you mean \`${options.config.bin} ${toConfiguredId(nearest, options.config)}\`?`);
  suggestions.push(`Run \`${options.config.bin} --help\` for the list of commands.`);
  const error = usageError(
    `"${typed}" is not a ${options.config.bin} command.`,
    suggestions,
    'COMMAND_NOT_FOUND',
  );
  process.stderr.write(formatError(error, { color: currentPresentation(false).color, debug: false }));
  Errors.exit(error.exitCode);
};

export default hook;

/** The id at the smallest edit distance, if it is close enough to be a plausible typo. */
export function closest(typed: string, ids: readonly string[]): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const id of ids) {
    const distance = editDistance(typed, id);
    if (!best || distance < best.distance) best = { id, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(2, Math.floor(best.id.length / 3)) ? best.id : undefined;
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
