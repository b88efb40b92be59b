import type { Task } from '@aws-sdk/client-ecs';

/**
 * Whether a stopped task of OUR deployment, seen before the deployment was verified live, means the
 * deployment can't work however long one waits (DESIGN.md "Failure policy"). Pure; the reason is the
 * stop code's meaning in a few words, or undefined for a stop that another try may fix.
 *
 * - `TaskFailedToStart`: the image can't be pulled (CannotPullContainerError), a secret or log group
 *   can't be read (ResourceInitializationError), the container can't start: every new task fails alike.
 * - `EssentialContainerExited`: the app itself exited before it was ever routed and answering.
 * - OutOfMemory (container reason `OutOfMemoryError`): the task size is too small for the app.
 * Everything else waits: `ServiceSchedulerInitiated` (scale-in, a replaced or unhealthy task the
 * scheduler restarts), `InfrastructureHealth`, `SpotInterruption`, `TerminationNotice`,
 * `UserInitiated` (someone stopped it).
 */
export function fatalStop(task: Task): string | undefined {
  const reasons = [task.stoppedReason, ...(task.containers ?? []).map((container) => container.reason)];
  if (reasons.some((reason) => reason !== undefined && /OutOfMemory/i.test(reason))) return 'out of memory';
  switch (task.stopCode) {
    case 'TaskFailedToStart':
      return 'the task could not start';
    case 'EssentialContainerExited':
      return 'the app exited before it was routed';
    case 'InfrastructureHealth':
    case 'ServiceSchedulerInitiated':
    case 'SpotInterruption':
    case 'TerminationNotice':
    case 'UserInitiated':
    case undefined:
      return undefined;
  }
}
