import type { EventSink } from '../lib/events.js';
import type { OutputStream } from './io.js';
import type { Presentation } from './mode.js';

export interface Renderer {
  emit: EventSink;
  /** Stops live redraws and leaves a final summary; safe to call twice. */
  close(): Promise<void>;
}

export interface RendererOptions {
  title?: string;
  verbose?: boolean;
  /** Where progress goes: the command's stderr (a buffer when a test runs the command). */
  stream?: OutputStream;
}

/** The one place that maps a presentation to a progress renderer; ink is loaded only for a TTY. */
export async function createRenderer(
  presentation: Presentation,
  options: RendererOptions = {},
): Promise<Renderer> {
  switch (presentation.mode) {
    case 'json':
      return { emit: () => undefined, close: () => Promise.resolve() };
    case 'plain': {
      const { createPlainRenderer } = await import('./plain-renderer.js');
      return createPlainRenderer({ ...options, color: presentation.color });
    }
    case 'tty': {
      const { createInkRenderer } = await import('./progress/ink-renderer.js');
      return createInkRenderer(options);
    }
  }
}
