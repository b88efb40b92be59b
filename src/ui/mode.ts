/**
 * How output is presented, decided in one place (STYLE.md §8):
 * - `tty`: stderr is a terminal and CI is unset: ink views, colour, aligned tables, relative times;
 * - `plain`: a pipe, a file or CI: one line per state change, no colour, TSV rows, ISO 8601 times;
 * - `json`: only the typed result object on stdout, nothing on stderr but errors.
 * Kept free of heavy imports: the base command reads it on every run.
 */
export type OutputMode = 'tty' | 'plain' | 'json';

export interface Presentation {
  mode: OutputMode;
  /** Whether stdout (results) goes to a terminal: tables get headers and alignment. */
  stdoutIsTty: boolean;
  color: boolean;
  /** Whether the user can be asked questions (stdin and stdout are terminals, CI unset). */
  interactive: boolean;
}

export interface Surroundings {
  json: boolean;
  env: NodeJS.ProcessEnv;
  stdinIsTty: boolean;
  stdoutIsTty: boolean;
  stderrIsTty: boolean;
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export function decidePresentation(s: Surroundings): Presentation {
  const ci = isCi(s.env);
  const dumb = s.env.TERM === 'dumb';
  const mode: OutputMode = s.json ? 'json' : s.stderrIsTty && !ci && !dumb ? 'tty' : 'plain';
  const noColor = (s.env.NO_COLOR ?? '') !== '' || dumb;
  const forceColor = (s.env.FORCE_COLOR ?? '') !== '' && s.env.FORCE_COLOR !== '0';
  return {
    mode,
    stdoutIsTty: s.stdoutIsTty && !s.json,
    color: !noColor && (forceColor || mode === 'tty'),
    interactive: s.stdinIsTty && s.stdoutIsTty && !ci && !dumb && !s.json,
  };
}

/** The presentation for the given streams: the process's unless a command's `io` says otherwise. */
export function currentPresentation(
  json: boolean,
  streams: {
    stdin: { isTTY?: boolean };
    stdout: { isTTY?: boolean };
    stderr: { isTTY?: boolean };
  } = process,
): Presentation {
  return decidePresentation({
    json,
    env: process.env,
    stdinIsTty: Boolean(streams.stdin.isTTY),
    stdoutIsTty: Boolean(streams.stdout.isTTY),
    stderrIsTty: Boolean(streams.stderr.isTTY),
  });
}
