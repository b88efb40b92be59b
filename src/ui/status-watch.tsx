import type { ReactElement } from 'react';

import { formatDuration } from '../lib/duration.js';
import type { EnvStatus, EnvStatusSource } from '../lib/status/env.js';
import { rowSignature, watchStatus, type StatusTick } from '../lib/status/watch.js';
import { describeError } from '../lib/errors.js';
import type { CommandIO } from './io.js';
import type { Presentation } from './mode.js';
import { renderEnvStatus, statusHeader } from './status.js';
import { terminalSize } from './terminal-size.js';
import { visible } from './visible.js';
import { runWatchLoop } from './watch-loop.js';

export interface StatusWatchOptions {
  intervalMs: number;
  presentation: Presentation;
  /** The command's streams for the plain view (the ink view draws on the terminal itself). */
  io?: Pick<CommandIO, 'stdout' | 'stderr'> | undefined;
}

export interface StatusWatchResult {
  interrupted: boolean;
  /** The closing line for stderr. */
  line: string;
}

function summaryLine(status: EnvStatus | undefined): string {
  if (status === undefined) return 'Stopped before the first refresh.';
  const problems =
    status.problems === 0 ? 'no problems' : `${status.problems} problem${status.problems === 1 ? '' : 's'}`;
  const count = status.deployments.length;
  return `env ${status.env}: ${count} deployment${count === 1 ? '' : 's'}, ${problems} (at ${status.checkedAt}).`;
}

/**
 * `status --watch`: the status screen redrawn in place on a terminal (q quits), else one line per
 * deployment whose state changed, and the summary when it changes. Ends with a one-line summary.
 */
export async function runStatusWatch(
  source: EnvStatusSource,
  options: StatusWatchOptions,
): Promise<StatusWatchResult> {
  let last: EnvStatus | undefined;
  const { interrupted } = await runWatchLoop({
    presentation: options.presentation,
    view: (quit) =>
      statusScreen(source, options, {
        onStatus: (status) => {
          last = status;
        },
        quit,
      }),
    plain: (signal) =>
      watchStatus(source, {
        intervalMs: options.intervalMs,
        signal,
        onTick: plainLines(options.io ?? process, (status) => {
          last = status;
        }),
      }),
  });
  return { interrupted, line: summaryLine(last) };
}

/**
 * The terminal view: the status redrawn in place with a footer that says when it was read, or why
 * the last read failed. q quits, Ctrl-C interrupts.
 */
export async function statusScreen(
  source: EnvStatusSource,
  options: StatusWatchOptions,
  on: { onStatus: (status: EnvStatus) => void; quit: (interrupted: boolean) => void },
): Promise<ReactElement> {
  const [{ Box, Text, useApp, useInput, useStdout }, { useEffect, useState }] = await Promise.all([
    import('ink'),
    import('react'),
  ]);
  const controller = new AbortController();
  const presentation = { ...options.presentation, stdoutIsTty: true };

  function StatusScreen() {
    const app = useApp();
    const stdout = useStdout().stdout as NodeJS.WriteStream;
    const [tick, setTick] = useState<StatusTick | undefined>(undefined);
    useEffect(() => {
      void watchStatus(source, {
        intervalMs: options.intervalMs,
        signal: controller.signal,
        onTick: (next) => {
          if (next.status !== undefined) on.onStatus(next.status);
          setTick(next);
        },
      });
      return () => controller.abort();
    }, []);
    useInput((input, key) => {
      if (input === 'q' || (key.ctrl && input === 'c')) {
        on.quit(input !== 'q');
        controller.abort();
        app.exit();
      }
    });
    const rows = Math.max(3, terminalSize(stdout).rows - 2);
    const text = tick?.status === undefined ? '' : renderEnvStatus(tick.status, presentation).trimEnd();
    // An empty Text takes no line in ink; a space keeps the gaps between sections.
    const lines = text === '' ? [] : text.split('\n').map((line) => (line === '' ? ' ' : line));
    const checked =
      tick?.status === undefined ? '' : new Date(tick.status.checkedAt).toTimeString().slice(0, 8);
    const footer =
      tick === undefined
        ? `Reading env ${source.env} …`
        : tick.error !== undefined
          ? `✗ ${visible(describeError(tick.error))}`
          : `↻ ${checked} · every ${formatDuration(options.intervalMs)} · q quit`;
    return (
      <Box flexDirection="column">
        {lines.slice(0, rows).map((line, index) => (
          <Text key={index} wrap="truncate-end">
            {line}
          </Text>
        ))}
        <Text wrap="truncate-end" {...(tick?.error === undefined ? { dimColor: true } : { color: 'red' })}>
          {footer}
        </Text>
      </Box>
    );
  }

  return <StatusScreen />;
}

/**
 * The plain view's onTick: on stdout a line per deployment whose state changed (or that went away),
 * on stderr the summary when it changes and each new read error.
 */
function plainLines(
  io: Pick<CommandIO, 'stdout' | 'stderr'>,
  onStatus: (status: EnvStatus) => void,
): (tick: StatusTick) => void {
  const seen = new Map<string, string>();
  let lastSummary = '';
  let lastError = '';
  return (tick) => {
    const time = new Date().toISOString();
    if (tick.error !== undefined) {
      const message = visible(describeError(tick.error));
      if (message !== lastError) io.stderr.write(`${time} ! ${message}\n`);
      lastError = message;
      return;
    }
    lastError = '';
    const status = tick.status;
    if (status === undefined) return;
    onStatus(status);
    const summary = statusHeader(status, false).join(' | ');
    if (summary !== lastSummary) io.stderr.write(`${time} ${summary}\n`);
    lastSummary = summary;
    const current = new Set<string>();
    for (const row of status.deployments) {
      const key = `${row.app}/${row.tag}`;
      current.add(key);
      const signature = rowSignature(row);
      if (seen.get(key) !== signature)
        io.stdout.write(`${visible(`${time} ${key} ${row.url} ${signature}`)}\n`);
      seen.set(key, signature);
    }
    for (const key of [...seen.keys()]) {
      if (current.has(key)) continue;
      io.stdout.write(`${visible(`${time} ${key} removed`)}\n`);
      seen.delete(key);
    }
  };
}
