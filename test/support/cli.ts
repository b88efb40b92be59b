/**
 * Runs the built CLI (`bin/run.js`, which loads dist/: `npm test` builds first) the way a user or a CI
 * step does, and returns what they would see. stdin is closed and stdout/stderr are pipes, so the
 * CLI presents itself as in CI: plain lines, no colour, no prompts.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO_ROOT, 'bin/run.js');

export interface CliResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to the test process environment (which already points AWS at moto). */
  env?: NodeJS.ProcessEnv;
  /** Variables to remove from the environment the CLI sees. */
  unset?: readonly string[];
  input?: string;
  timeoutMs?: number;
  /** Another copy of bin/run.js to run (an unpacked package). */
  bin?: string;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true',
    ...options.env,
  };
  for (const name of options.unset ?? []) Reflect.deleteProperty(env, name);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
