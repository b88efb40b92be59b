import type { ReactElement } from 'react';

import { listenForInterrupt } from './interrupt.js';
import type { Presentation } from './mode.js';

export interface WatchLoop {
  presentation: Presentation;
  /**
   * The ink view for an interactive terminal, built once ink is wanted (so plain runs never load it).
   * It owns its refresh loop and its keys: on q it calls `quit(false)`, on Ctrl-C `quit(true)`, then
   * ink's `exit()`.
   */
  view: (quit: (interrupted: boolean) => void) => Promise<ReactElement>;
  /**
   * Without an interactive terminal: refreshes and prints a line per change until `signal` aborts,
   * which Ctrl-C and SIGTERM do.
   */
  plain: (signal: AbortSignal) => Promise<void>;
}

/**
 * Runs a `--watch` command until the user quits: the ink view on the alternate screen when stdin and
 * stdout are terminals (ink's own Ctrl-C exit is off, so that the view tells Ctrl-C from q), else the
 * plain loop until Ctrl-C or SIGTERM. `interrupted` is true for Ctrl-C (the command exits 130).
 */
export async function runWatchLoop(loop: WatchLoop): Promise<{ interrupted: boolean }> {
  const { presentation } = loop;
  if (presentation.interactive && presentation.mode === 'tty') {
    const { render } = await import('ink');
    let interrupted = false;
    const view = await loop.view((byCtrlC) => {
      interrupted = byCtrlC;
    });
    const instance = render(view, {
      stdout: process.stdout,
      exitOnCtrlC: false,
      patchConsole: false,
      alternateScreen: true,
    });
    await instance.waitUntilExit();
    return { interrupted };
  }
  const interrupt = listenForInterrupt();
  try {
    await loop.plain(interrupt.signal);
  } finally {
    interrupt.dispose();
  }
  return { interrupted: interrupt.interrupted() };
}
