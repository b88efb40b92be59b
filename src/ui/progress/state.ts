import type { PhaseStatus, ProgressEvent } from '../../lib/events.js';

/** What a live progress view shows, folded from the event stream (pure; unit-tested). */
export interface PhaseView {
  id: string;
  title: string;
  status: PhaseStatus;
  detail?: string;
  startedAt: number;
  elapsedMs?: number;
  /** The latest step lines of this phase, newest last. */
  steps: string[];
  items: ItemView[];
}

export interface ItemView {
  item: string;
  status: string;
  current?: number;
  total?: number;
}

export interface ProgressState {
  phases: PhaseView[];
  notes: { kind: 'warning' | 'info'; message: string; hint?: string }[];
}

export const initialProgressState: ProgressState = { phases: [], notes: [] };

const MAX_STEPS = 5;

export function reduceProgress(state: ProgressState, event: ProgressEvent, now: number): ProgressState {
  switch (event.type) {
    case 'phase': {
      const existing = state.phases.find((p) => p.id === event.id);
      const next: PhaseView = {
        id: event.id,
        title: event.title,
        status: event.status,
        startedAt: existing?.startedAt ?? now,
        steps: existing?.steps ?? [],
        items: existing?.items ?? [],
        ...(event.detail === undefined ? {} : { detail: event.detail }),
        ...(event.elapsedMs === undefined ? {} : { elapsedMs: event.elapsedMs }),
      };
      return {
        ...state,
        phases: existing ? state.phases.map((p) => (p.id === event.id ? next : p)) : [...state.phases, next],
      };
    }
    case 'step':
      return updatePhase(state, event.phase, (p) => ({
        ...p,
        steps: [...p.steps, event.message].slice(-MAX_STEPS),
      }));
    case 'progress':
      return updatePhase(state, event.phase, (p) => {
        const item: ItemView = {
          item: event.item,
          status: event.status,
          ...(event.current === undefined ? {} : { current: event.current }),
          ...(event.total === undefined ? {} : { total: event.total }),
        };
        const index = p.items.findIndex((i) => i.item === event.item);
        const items = index === -1 ? [...p.items, item] : p.items.map((i, n) => (n === index ? item : i));
        return { ...p, items };
      });
    case 'warning':
      return {
        ...state,
        notes: [
          ...state.notes,
          {
            kind: 'warning',
            message: event.message,
            ...(event.hint === undefined ? {} : { hint: event.hint }),
          },
        ],
      };
    case 'info':
      return { ...state, notes: [...state.notes, { kind: 'info', message: event.message }] };
  }
}

function updatePhase(state: ProgressState, id: string, change: (p: PhaseView) => PhaseView): ProgressState {
  return { ...state, phases: state.phases.map((p) => (p.id === id ? change(p) : p)) };
}
