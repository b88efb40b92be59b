import type { PhaseRecord } from '../../model.js';
import type { EventSink } from '../../events.js';
import { formatDuration } from '../../duration.js';

/** The phases of `app deploy`, as its progress and its result (`phases`) name them. */
export const PHASES = {
  preflight: { id: 'preflight', title: 'Check cluster, image and service' },
  taskDefinition: { id: 'task-definition', title: 'Register task definition' },
  service: { id: 'service', title: 'Update service' },
  rollout: { id: 'rollout', title: 'Roll out' },
  route: { id: 'route', title: 'Route in Traefik' },
  probe: { id: 'probe', title: 'Probe URL' },
} as const;

/** Records each phase's last state (for the result's `phases`) while passing every event on. */
export function phaseRecorder(sink: EventSink) {
  const phases = new Map<string, PhaseRecord>();
  const emit: EventSink = (event) => {
    if (event.type === 'phase') {
      phases.set(event.id, {
        id: event.id,
        title: event.title,
        status: event.status,
        ...(event.elapsedMs === undefined ? {} : { elapsedMs: event.elapsedMs }),
        ...(event.detail === undefined ? {} : { detail: event.detail }),
      });
    }
    sink(event);
  };
  return { emit, phases: () => [...phases.values()] };
}

export type PhaseRecorder = ReturnType<typeof phaseRecorder>;

/**
 * A wait's own limit, unless the deploy's --timeout comes first: then that one, said as such.
 */
export function phaseDeadline(
  now: number,
  deadline: number,
  ms: number,
  timeoutMs: number,
): { deadline: number; overall: boolean; text: string } {
  const own = now + ms;
  return own < deadline
    ? { deadline: own, overall: false, text: formatDuration(ms) }
    : { deadline, overall: true, text: `the --timeout of ${formatDuration(timeoutMs)}` };
}
