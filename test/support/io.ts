/**
 * Runs a command class in-process with buffers for its streams (as gh tests its commands with
 * `iostreams.Test()`): what it wrote on stdout and stderr, and the exit code it ended with. Faster
 * than spawning bin/run.js and it needs no build; the e2e tests still cover the real process.
 */
import { Readable, Writable } from 'node:stream';

import { Config, Errors } from '@oclif/core';

import type { BaseCommand } from '../../src/base-command.js';
import type { ExitCode } from '../../src/lib/errors.js';
import type { CommandIO } from '../../src/ui/io.js';
import { REPO_ROOT } from './cli.js';

export interface TestIO extends CommandIO {
  stdoutText(): string;
  stderrText(): string;
  exitCode(): ExitCode | undefined;
}

function buffer(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** Buffers for stdout and stderr, an empty stdin; none of them is a terminal. */
export function testIO(): TestIO {
  const stdout = buffer();
  const stderr = buffer();
  let exitCode: ExitCode | undefined;
  return {
    stdin: Readable.from([]),
    stdout: stdout.stream,
    stderr: stderr.stream,
    setExitCode: (code) => {
      exitCode = code;
    },
    stdoutText: stdout.text,
    stderrText: stderr.text,
    exitCode: () => exitCode,
  };
}

let config: Promise<Config> | undefined;

// Any command class: BaseCommand's type parameter is the class itself, so match on the instance shape.
type CommandClass = new (argv: string[], config: Config) => Pick<BaseCommand<never>, 'io'>;

export interface InProcessResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** `Command` run with `argv`, its streams in buffers. */
export async function runInProcess(Command: CommandClass, argv: string[]): Promise<InProcessResult> {
  config ??= Config.load({ root: REPO_ROOT });
  const command = new Command(argv, await config);
  const io = testIO();
  command.io = io;
  let exitCode: number;
  try {
    await (command as unknown as { _run(): Promise<unknown> })._run();
    exitCode = io.exitCode() ?? 0;
  } catch (error) {
    if (!(error instanceof Errors.ExitError)) throw error;
    exitCode = error.oclif.exit ?? 1;
  }
  return { stdout: io.stdoutText(), stderr: io.stderrText(), exitCode };
}
