import { stripVTControlCharacters } from 'node:util';

import { describeError, isUserError } from '../lib/errors.js';
import { stylist } from './style.js';
import { visible } from './visible.js';

/**
 * How an error reads on stdout under `--json`: one line, `{"error": {message, exitCode, code?, suggestions?}}`
 * (the code and suggestions of an expected error).
 */
export function errorJsonLine(error: unknown, exitCode: number): string {
  const body = {
    message: describeError(error),
    exitCode,
    ...(isUserError(error) ? { code: error.code, suggestions: error.suggestions } : {}),
  };
  return `${JSON.stringify({ error: body })}\n`;
}

/**
 * How an error reads on stderr. Expected errors: the message and each suggestion, no stack.
 * Anything else is a bug: the message, how to get details, and the stack only under DEBUG.
 */
export function formatError(
  error: unknown,
  options: {
    color: boolean;
    debug: boolean;
    /** For a usage error: the help that shows the right usage, e.g. `traefikctl app deploy --help`. */
    help?: string | undefined;
  },
): string {
  const s = stylist(options.color);
  const raw = error instanceof Error ? error.message : String(error);
  // Messages quote Traefik, AWS and Docker: their control characters are shown, not obeyed.
  const message = visible(raw, { layout: true });
  const lines: string[] = [];
  if (isUserError(error)) {
    lines.push(`${s.red('Error:')} ${message}`);
    for (const suggestion of error.suggestions)
      lines.push(`  ${s.dim('→')} ${visible(suggestion, { layout: true })}`);
    if (options.debug && error.cause instanceof Error && error.cause.stack)
      lines.push(s.dim(error.cause.stack));
  } else if (isOclifUsageError(error)) {
    // Parse errors from oclif (unknown flag, missing argument): one line per problem, then where
    // the usage is, in traefikctl's own words rather than oclif's "See more help with --help".
    // oclif styles its own messages: those codes are taken out before the rest is made visible.
    for (const problem of usageProblems(raw))
      lines.push(`${s.red('Error:')} ${visible(problem, { layout: true })}`);
    lines.push(`  ${s.dim('→')} See \`${options.help ?? 'traefikctl --help'}\` for usage.`);
  } else {
    lines.push(`${s.red('Error:')} ${message}`);
    if (options.debug && error instanceof Error && error.stack) lines.push(s.dim(error.stack));
    else
      lines.push(
        `  ${s.dim('→')} This looks like a bug in traefikctl. Rerun with DEBUG=traefikctl* for details.`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The problems an oclif parse error names: its "The following errors occurred:" list unwrapped, its
 * "See more help with --help" tail dropped, and a missing flag named as it is typed (`--tag`).
 */
export function usageProblems(message: string): string[] {
  const text = stripVTControlCharacters(message)
    .replace(/\s*See more help with --help\s*$/, '')
    .trim();
  const listed = /^The following errors? occurred:\n([\s\S]*)$/.exec(text);
  const problems = listed?.[1] === undefined ? [text] : listed[1].split('\n').map((line) => line.trim());
  return problems
    .filter((problem) => problem !== '')
    .map((problem) =>
      problem
        .replace(/^Missing required flag ([\w-]+)$/, 'Missing required flag --$1.')
        // "Missing 1 required arg:\napp  What it is": the argument's line, indented under the error.
        .replaceAll('\n', '\n  '),
    );
}

function isOclifUsageError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const oclif = (error as { oclif?: { exit?: number } }).oclif;
  return oclif?.exit === 2;
}
