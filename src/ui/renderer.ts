import type { Presentation } from './mode.js';
import type { Renderer, RendererOptions } from './renderer-types.js';

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
