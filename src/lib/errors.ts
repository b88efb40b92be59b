/**
 * Exit codes are a contract with CI scripts: documented in the README and in `--help`.
 * Never renumber them.
 */
export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  DeploymentFailed: 3,
  TimedOut: 4,
  RouteNotDiscovered: 5,
  ProbeFailed: 6,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What each exit code means, as `--help` lists them (the table of src/base-command.ts). */
export const EXIT_CODE_MEANINGS: readonly (readonly [ExitCode, string])[] = [
  [ExitCode.Ok, 'success'],
  [ExitCode.Failure, 'failure (AWS, Docker or network error, failed check)'],
  [ExitCode.Usage, 'usage error: bad flag, argument or config; nothing was changed'],
  [ExitCode.DeploymentFailed, 'deployment failed, was rolled back, deleted or taken over'],
  [ExitCode.TimedOut, 'timed out'],
  [ExitCode.RouteNotDiscovered, 'route not discovered by Traefik'],
  [ExitCode.ProbeFailed, 'URL probe failed'],
  [ExitCode.Interrupted, 'interrupted (Ctrl-C)'],
];

export interface UserErrorOptions {
  /** Concrete next steps, each one a sentence or a command line. */
  suggestions?: readonly string[];
  exitCode?: ExitCode;
  /** A stable machine-readable code for `--json` consumers, e.g. `CONFIG_INVALID`. */
  code?: string;
  cause?: unknown;
}

/**
 * An expected failure: the user can fix it. Shown as a message plus suggestions, never with a stack.
 * Anything else that escapes a command is a bug and is reported as one.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly suggestions: readonly string[];
  readonly exitCode: ExitCode;
  readonly code: string | undefined;

  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.suggestions = options.suggestions ?? [];
    this.exitCode = options.exitCode ?? ExitCode.Failure;
    this.code = options.code;
  }
}

/** Bad input (flags, arguments, config): exit 2, nothing changed. */
export function usageError(message: string, suggestions: readonly string[] = [], code = 'USAGE'): UserError {
  return new UserError(message, { suggestions, exitCode: ExitCode.Usage, code });
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The exit code an error stands for: ours, oclif's (parse errors are 2), or 1 for a bug. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UserError) return error.exitCode;
  if (typeof error === 'object' && error !== null) {
    const oclif = (error as { oclif?: { exit?: unknown } }).oclif;
    if (typeof oclif?.exit === 'number') return oclif.exit;
  }
  return ExitCode.Failure;
}

/** A short text for an unknown thrown value, for wrapping causes into user-facing messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
