import { isUserError } from '../lib/errors.js';
import { stylist } from './style.js';

/**
 * How an error reads on stderr. Expected errors: the message and each suggestion, no stack.
 * Anything else is a bug: the message, how to get details, and the stack only under DEBUG.
 */
export function formatError(error: unknown, options: { color: boolean; debug: boolean }): string {
  const s = stylist(options.color);
  const message = error instanceof Error ? error.message : String(error);
  const lines: string[] = [];
  if (isUserError(error)) {
    lines.push(`${s.red('Error:')} ${message}`);
    for (const suggestion of error.suggestions) lines.push(`  ${s.dim('→')} ${suggestion}`);
    if (options.debug && error.cause instanceof Error && error.cause.stack)
      lines.push(s.dim(error.cause.stack));
  } else if (isOclifUsageError(error)) {
    // Parse errors from oclif (unknown flag, missing argument) already read as user-facing text.
    lines.push(`${s.red('Error:')} ${message}`);
    if (!message.includes('--help')) lines.push(`  ${s.dim('→')} See --help for usage.`);
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

function isOclifUsageError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const oclif = (error as { oclif?: { exit?: number } }).oclif;
  return oclif?.exit === 2;
}
