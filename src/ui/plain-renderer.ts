import { formatElapsed } from '../lib/duration.js';
import type { ProgressEvent } from '../lib/events.js';
import type { Renderer, RendererOptions } from './renderer-types.js';
import { stylist } from './style.js';
import { visibleData } from './visible.js';

/**
 * One line per state change on stderr: what CI logs and pipes get. Repeated progress for the same
 * item is only printed when its status changes (a layer going Pushing 1MB, 2MB, ... prints once).
 */
export function createPlainRenderer(options: RendererOptions & { color: boolean }): Renderer {
  const stream = options.stream ?? process.stderr;
  const s = stylist(options.color);
  const lastItemStatus = new Map<string, string>();
  const lastPhaseLine = new Map<string, string>();
  let closed = false;

  const write = (line: string) => {
    if (!closed) stream.write(`${line}\n`);
  };

  const render = (event: ProgressEvent): string | undefined => {
    switch (event.type) {
      case 'phase': {
        const elapsed =
          event.elapsedMs === undefined ? '' : ` ${s.dim(`(${formatElapsed(event.elapsedMs)})`)}`;
        const detail = event.detail ? `: ${event.detail}` : '';
        switch (event.status) {
          case 'running':
            return `${s.cyan('▸')} ${event.title}${detail}`;
          case 'done':
            return `${s.green('✓')} ${event.title}${detail}${elapsed}`;
          case 'failed':
            return `${s.red('✗')} ${event.title}${detail}${elapsed}`;
          case 'skipped':
            return `${s.dim('-')} ${event.title}${s.dim(` skipped${detail}`)}`;
        }
        return undefined;
      }
      case 'step':
        return `  ${s.dim(event.message)}`;
      case 'progress': {
        const key = `${event.phase}\0${event.item}`;
        if (lastItemStatus.get(key) === event.status) return undefined;
        lastItemStatus.set(key, event.status);
        return `  ${event.item}: ${event.status}`;
      }
      case 'warning':
        return `${s.yellow('!')} ${event.message}${event.hint ? `\n  ${s.dim('→')} ${event.hint}` : ''}`;
      case 'info':
        return `  ${event.message}`;
    }
  };

  return {
    emit(event) {
      // Events quote service events, stopped-task reasons and log lines.
      const line = render(visibleData(event, { layout: true }));
      if (line === undefined) return;
      // The same phase line twice in a row (a detail that did not change) is noise in a CI log.
      if (event.type === 'phase') {
        if (lastPhaseLine.get(event.id) === line) return;
        lastPhaseLine.set(event.id, line);
      }
      write(line);
    },
    close() {
      closed = true;
      return Promise.resolve();
    },
  };
}
