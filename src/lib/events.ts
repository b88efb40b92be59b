/**
 * The typed progress events that long operations emit. Library code only emits; how events look
 * (ink on a TTY, one plain line per change on stderr, nothing under --json) is decided in src/ui/.
 */

export type PhaseStatus = 'running' | 'done' | 'failed' | 'skipped';

export type ProgressEvent =
  /** A named phase of an operation started, ended, failed or was skipped. */
  | {
      type: 'phase';
      id: string;
      title: string;
      status: PhaseStatus;
      /** Short text shown beside the phase, e.g. "2/2 running" or the failure cause. */
      detail?: string;
      elapsedMs?: number;
    }
  /** One line of output inside a phase: a build step, a stack event, a service event. */
  | { type: 'step'; phase: string; message: string }
  /** Progress of one item inside a phase: a layer being pushed, a resource being created. */
  | {
      type: 'progress';
      phase: string;
      item: string;
      status: string;
      current?: number;
      total?: number;
    }
  | { type: 'warning'; message: string; hint?: string }
  | { type: 'info'; message: string };

export type EventSink = (event: ProgressEvent) => void;

export const silentSink: EventSink = () => undefined;

/**
 * Runs `work` as a phase: emits `running`, then `done` with its duration, or `failed` with the
 * error's message, and rethrows. `work` may return a detail string through the `setDetail` callback.
 */
export async function withPhase<T>(
  emit: EventSink,
  phase: { id: string; title: string },
  work: (setDetail: (detail: string) => void) => Promise<T>,
  now: () => number = Date.now,
): Promise<T> {
  const started = now();
  let detail: string | undefined;
  emit({ type: 'phase', ...phase, status: 'running' });
  try {
    const result = await work((text) => {
      detail = text;
      emit({ type: 'phase', ...phase, status: 'running', detail: text });
    });
    emit({
      type: 'phase',
      ...phase,
      status: 'done',
      elapsedMs: now() - started,
      ...(detail === undefined ? {} : { detail }),
    });
    return result;
  } catch (error) {
    emit({
      type: 'phase',
      ...phase,
      status: 'failed',
      elapsedMs: now() - started,
      detail: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}

export function skipPhase(emit: EventSink, phase: { id: string; title: string }, reason: string): void {
  emit({ type: 'phase', ...phase, status: 'skipped', detail: reason });
}
