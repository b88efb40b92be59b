// What a progress renderer is, apart from the factory that picks one (renderer.ts): the plain and ink
// renderers implement it without importing the module that imports them.
import type { EventSink } from '../lib/events.js';
import type { OutputStream } from './io.js';

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
