import { usageError } from '../lib/errors.js';
import type { CommandIO } from './io.js';
import type { Presentation } from './mode.js';

/** What a command says where it can't ask (a pipe, CI): the usage error (exit 2) and the flag to pass. */
export interface Refusal {
  message: string;
  suggestions: string[];
}

export interface ConfirmOptions {
  presentation: Presentation;
  /** --yes: go ahead without asking. */
  yes: boolean;
  question: string;
  /** Needed unless the caller only asks when the presentation is interactive. */
  refusal?: Refusal | undefined;
  /** The command's streams; the process's by default. */
  io?: Pick<CommandIO, 'stdin' | 'stderr'> | undefined;
}

/**
 * The refusal, thrown at once, when there is neither --yes nor a terminal to ask on: a command can
 * check this before it reads or changes anything.
 */
export function assertCanConfirm(options: Pick<ConfirmOptions, 'presentation' | 'yes' | 'refusal'>): void {
  if (options.yes || options.presentation.interactive) return;
  if (options.refusal === undefined)
    throw new Error('A confirmation outside a terminal needs a refusal text.');
  throw usageError(options.refusal.message, options.refusal.suggestions, 'CONFIRMATION_REQUIRED');
}

/**
 * The one confirmation of every command (STYLE.md §10): true with --yes; on a terminal, a yes/no
 * question (default no); anywhere else the refusal, naming --yes.
 */
export async function confirm(options: ConfirmOptions): Promise<boolean> {
  if (options.yes) return true;
  assertCanConfirm(options);
  return ask(options.question, options.io ?? process);
}

/**
 * Asks on stderr (stdout stays the command's result). Ctrl-C at the prompt ends the command as
 * interrupted (exit 130): readline alone would only pause.
 */
async function ask(question: string, io: Pick<CommandIO, 'stdin' | 'stderr'>): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const prompt = createInterface({ input: io.stdin, output: io.stderr });
  const interrupt = new AbortController();
  prompt.once('SIGINT', () => interrupt.abort());
  try {
    const answer = await prompt.question(`${question} [y/N] `, { signal: interrupt.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch (error) {
    if (interrupt.signal.aborted) throw new Error('SIGINT', { cause: error });
    throw error;
  } finally {
    prompt.close();
  }
}
