/**
 * The CLI as a user at a terminal runs it: bin/run.js under util-linux `script`, which gives it a
 * pseudo-terminal for stdin, stdout and stderr, so ink views draw, prompts ask, and the keys a test
 * types arrive as keystrokes (Ctrl-C included). `script` is on every Debian (bsdutils is essential);
 * elsewhere the tests that need it are skipped with `it.skipIf(!hasScript)`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';

import { BIN } from './cli.js';

export const hasScript = spawnSync('script', ['--version']).status === 0;

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

export interface TerminalRun {
  /** Everything it drew (stdout and stderr), without escape codes. */
  screen: () => string;
  /** Everything it wrote, escape codes and all (to check which ones reach the terminal). */
  raw: () => string;
  /** Types keys, e.g. `q`, `y\r`, or `\x03` for Ctrl-C. */
  type: (keys: string) => void;
  /** The CLI's exit code. */
  exited: Promise<number | null>;
  kill: () => void;
}

/** Runs `traefikctl <args>` on a 160x40 pseudo-terminal, as a user's (not CI's) terminal. */
export function runOnTerminal(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): TerminalRun {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TERM: 'xterm-256color',
    TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true',
    ...options.env,
  };
  // A terminal in CI still gets plain lines; this is a user's terminal.
  Reflect.deleteProperty(env, 'CI');
  // A fresh pseudo-terminal has no size; give it one a user's window would have.
  const command = `stty rows 40 cols 160 && exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    cwd: options.cwd,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    screen: () => stripVTControlCharacters(screen),
    raw: () => screen,
    type: (keys: string) => child.stdin.write(keys),
    exited,
    kill: () => child.kill(),
  };
}
