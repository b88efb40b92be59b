import type { RouteFilter } from '../../lib/routes/filter.js';
import type { RoutesSource } from '../../lib/routes/source.js';
import { watchRoutes, type WatchTick } from '../../lib/routes/watch.js';
import type { CommandIO } from '../io.js';
import type { Presentation } from '../mode.js';
import { runWatchLoop } from '../watch-loop.js';
import { WatchLines, watchSummary } from './watch-lines.js';

export interface RunWatchOptions {
  filter: RouteFilter;
  intervalMs: number;
  presentation: Presentation;
  /** The command's streams for the plain view (the ink view draws on the terminal itself). */
  io?: Pick<CommandIO, 'stdout' | 'stderr'> | undefined;
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
  let last: WatchTick | undefined;
  const { interrupted } = await runWatchLoop({
    presentation: options.presentation,
    view: async (quit) => {
      const { WatchApp } = await import('./WatchApp.js');
      return (
        <WatchApp
          source={source}
          intervalMs={options.intervalMs}
          filter={options.filter}
          color={options.presentation.color}
          onExit={(exit) => {
            last = exit.tick;
            quit(exit.interrupted);
          }}
        />
      );
    },
    plain: (signal) => {
      const lines = new WatchLines(options.filter);
      return watchRoutes(source, {
        intervalMs: options.intervalMs,
        signal,
        onTick: (tick) => {
          last = tick;
          const { stdout, stderr } = lines.lines(tick, Date.now());
          const io = options.io ?? process;
          if (stdout.length > 0) io.stdout.write(`${stdout.join('\n')}\n`);
          if (stderr.length > 0) io.stderr.write(`${stderr.join('\n')}\n`);
        },
      });
    },
  });
  return { line: watchSummary(last), interrupted };
}
