import type { RouteFilter } from '../../lib/routes/filter.js';
import type { RoutesSource } from '../../lib/routes/source.js';
import { watchRoutes, type WatchTick } from '../../lib/routes/watch.js';
import type { Presentation } from '../mode.js';
import { WatchLines, watchSummary } from './watch-lines.js';
import { listenForInterrupt } from '../interrupt.js';

export interface RunWatchOptions {
  filter: RouteFilter;
  intervalMs: number;
  presentation: Presentation;
}

export interface WatchResult {
  /** The closing line for stderr. */
  line: string;
  interrupted: boolean;
}

/**
 * Runs `routes --watch` until the user quits: the ink view (full screen, keys) when stdin and stdout
 * are terminals, else one line per change until Ctrl-C. Ends with a one-line summary.
 */
export async function runRoutesWatch(source: RoutesSource, options: RunWatchOptions): Promise<WatchResult> {
  return options.presentation.interactive && options.presentation.mode === 'tty'
    ? runInk(source, options)
    : runPlain(source, options);
}

async function runInk(source: RoutesSource, options: RunWatchOptions): Promise<WatchResult> {
  const { render } = await import('ink');
  const { WatchApp } = await import('./WatchApp.js');
  let interrupted = false;
  let last: WatchTick | undefined;
  const instance = render(
    <WatchApp
      source={source}
      intervalMs={options.intervalMs}
      filter={options.filter}
      color={options.presentation.color}
      onExit={(exit) => {
        interrupted = exit.interrupted;
        last = exit.tick;
      }}
    />,
    { stdout: process.stdout, exitOnCtrlC: false, patchConsole: false, alternateScreen: true },
  );
  await instance.waitUntilExit();
  return { line: watchSummary(last), interrupted };
}

async function runPlain(source: RoutesSource, options: RunWatchOptions): Promise<WatchResult> {
  const interrupt = listenForInterrupt();
  const lines = new WatchLines(options.filter);
  let last: WatchTick | undefined;
  try {
    await watchRoutes(source, {
      intervalMs: options.intervalMs,
      signal: interrupt.signal,
      onTick: (tick) => {
        last = tick;
        const { stdout, stderr } = lines.lines(tick, Date.now());
        if (stdout.length > 0) process.stdout.write(`${stdout.join('\n')}\n`);
        if (stderr.length > 0) process.stderr.write(`${stderr.join('\n')}\n`);
      },
    });
  } finally {
    interrupt.dispose();
  }
  return { line: watchSummary(last), interrupted: interrupt.interrupted() };
}
