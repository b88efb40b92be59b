import type { Readable, Writable } from 'node:stream';

import type { ExitCode } from '../lib/errors.js';

/** A stream a command writes to: the process's stdout or stderr, or a buffer in a test. */
export type OutputStream = Writable & { isTTY?: boolean };
export type InputStream = Readable & { isTTY?: boolean };

/**
 * Everything a command reads from and writes to, in one object (as gh's IOStreams): the process's
 * streams when it runs, buffers when a test runs it in-process. Commands never touch `process.stdout`
 * or `process.stderr`; they go through their `io`.
 */
export interface CommandIO {
  stdin: InputStream;
  stdout: OutputStream;
  stderr: OutputStream;
  /**
   * The exit code of a command that finished but must not exit 0 (a failed check, an interrupted
   * watch). The process exits with it once its output is written; a test reads it.
   */
  setExitCode(code: ExitCode): void;
}

export function processIO(): CommandIO {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}
