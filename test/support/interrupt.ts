/**
 * Ctrl-C, as a test presses it: runs the built CLI (bin/run.js) with pipes, sends SIGINT once stderr
 * shows `marker` (and again `againAfterMs` later, for a second Ctrl-C), and returns what the user saw
 * and how long the CLI took to exit after the first SIGINT. A CLI that doesn't exit is killed after
 * `killAfterMs`, so a regression fails the test instead of hanging it.
 */
import { spawn } from 'node:child_process';

import { BIN, REPO_ROOT } from './cli.js';

export interface InterruptedRun {
  exitCode: number | null;
  /** Set when the process was killed by a signal instead of exiting. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the first SIGINT to the process's exit; undefined when the marker never showed. */
  exitAfterMs: number | undefined;
}

export interface InterruptOptions {
  cwd?: string;
  /** Added to the test process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Send a second SIGINT this long after the first. */
  againAfterMs?: number;
  /** SIGKILL after this long from the first SIGINT (default 20 s). */
  killAfterMs?: number;
  /** SIGKILL when the marker hasn't shown after this long (default 60 s). */
  markerTimeoutMs?: number;
}

export function interruptCli(
  args: readonly string[],
  marker: string | RegExp,
  options: InterruptOptions = {},
): Promise<InterruptedRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let interruptedAt: number | undefined;
  const timers: NodeJS.Timeout[] = [];
  const kill = () => child.kill('SIGKILL');
  timers.push(setTimeout(kill, options.markerTimeoutMs ?? 60_000));
  const seen = () => (typeof marker === 'string' ? stderr.includes(marker) : marker.test(stderr));

  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (interruptedAt === undefined && seen()) {
        interruptedAt = performance.now();
        child.kill('SIGINT');
        timers.push(setTimeout(kill, options.killAfterMs ?? 20_000));
        if (options.againAfterMs !== undefined)
          timers.push(setTimeout(() => child.kill('SIGINT'), options.againAfterMs));
      }
    });
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      for (const timer of timers) clearTimeout(timer);
      resolve({
        exitCode,
        signal,
        stdout,
        stderr,
        exitAfterMs: interruptedAt === undefined ? undefined : performance.now() - interruptedAt,
      });
    });
  });
}
