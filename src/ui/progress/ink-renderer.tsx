import { render } from 'ink';
import { useSyncExternalStore } from 'react';

import type { ProgressEvent } from '../../lib/events.js';
import type { Renderer, RendererOptions } from '../renderer-types.js';
import { visibleData } from '../visible.js';
import { ProgressView } from './ProgressView.js';
import { initialProgressState, reduceProgress, type ProgressState } from './state.js';

/** Live progress on a TTY: phases with spinners and timers, redrawn in place on stderr. */
export function createInkRenderer(options: RendererOptions): Renderer {
  let state: ProgressState = initialProgressState;
  const listeners = new Set<() => void>();
  const store = {
    subscribe: (listener: () => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get: () => state,
  };

  function Live() {
    const current = useSyncExternalStore(store.subscribe, store.get);
    return <ProgressView state={current} title={options.title} />;
  }

  // ink draws only on a terminal (the `tty` presentation), so the stream is the process's stderr.
  const stream = (options.stream ?? process.stderr) as NodeJS.WriteStream;
  const instance = render(<Live />, { stdout: stream, patchConsole: false, exitOnCtrlC: false });
  let closed = false;

  return {
    emit(event: ProgressEvent) {
      if (closed) return;
      // Events quote service events, stopped-task reasons and log lines.
      state = reduceProgress(state, visibleData(event, { layout: true }), Date.now());
      for (const listener of listeners) listener();
    },
    async close() {
      if (closed) return;
      closed = true;
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}
