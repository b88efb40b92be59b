import type { Task } from '@aws-sdk/client-ecs';

/** What the deploy knew of the task's deployment when the task stopped. */
export interface StopContext {
  /**
   * Traefik routed the deployment with a server UP (or the URL answered): an app that exits after that
   * ran, and a crash then is the scheduler's to restart, not a verdict on the build.
   */
  routed?: boolean | undefined;
}

const OUT_OF_MEMORY = /OutOfMemory/i;

/**
 * Words of a stop that the next try may not meet: throttling, a registry's rate limit, capacity, an
 * error on AWS's side. These win over the stop code (a CannotPullContainerError for `toomanyrequests`
 * is a rate limit, not a missing image). A network that can't reach the registry (i/o timeout) is
 * not among them: without a NAT or endpoint, every try fails alike.
 */
const TRANSIENT =
  /throttl|rate exceeded|toomanyrequests|too many requests|capacity|insufficient|network interface provisioning|internal error|service unavailable/i;

/**
 * Whether a stopped task of OUR deployment, seen before the deployment was verified live, means the
 * deployment can't work however long one waits (DESIGN.md "Failure policy"). Pure; the reason is the
 * stop's meaning in a few words, or undefined for a stop that another try may fix.
 *
 * - `TaskFailedToStart` with CannotPullContainerError (the image can't be pulled),
 *   ResourceInitializationError (a secret or log group can't be read), CannotStart/CreateContainerError;
 * - `EssentialContainerExited` before the task was ever healthy or routed: the app itself exits;
 * - out of memory (`OutOfMemoryError` on a container), whenever it happens.
 * Everything else waits: `ServiceSchedulerInitiated` (scale-in, a replaced or unhealthy task the
 * scheduler restarts), `InfrastructureHealth`, `SpotInterruption`, `TerminationNotice`,
 * `UserInitiated` (someone stopped it), and any reason that reads as throttling or capacity.
 */
export function fatalStop(task: Task, context: StopContext = {}): string | undefined {
  const reasons = [
    task.stoppedReason,
    ...(task.containers ?? []).map((container) => container.reason),
  ].filter((reason): reason is string => reason !== undefined && reason !== '');
  if (reasons.some((reason) => OUT_OF_MEMORY.test(reason))) return 'out of memory';
  if (reasons.some((reason) => TRANSIENT.test(reason))) return undefined;
  switch (task.stopCode) {
    // CannotPullContainerError (the image), ResourceInitializationError (a secret, the log group,
    // registry auth), CannotStart/CreateContainerError: the stopped reason in the report names which.
    case 'TaskFailedToStart':
      return 'the task could not start';
    case 'EssentialContainerExited': {
      if (context.routed) return undefined;
      const healthy =
        task.healthStatus === 'HEALTHY' ||
        (task.containers ?? []).some((container) => container.healthStatus === 'HEALTHY');
      if (healthy) return undefined;
      return 'the app exited before it was routed';
    }
    case 'InfrastructureHealth':
    case 'ServiceSchedulerInitiated':
    case 'SpotInterruption':
    case 'TerminationNotice':
    case 'UserInitiated':
    case undefined:
      return undefined;
  }
}

/** How long before the deploy started a task may have stopped and still be its (clocks differ). */
const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * Which stopped tasks a deploy may judge: those of its own revision that stopped after it began.
 * A deployment id alone doesn't tell: moto (and the test stack's runner) keeps one deployment id
 * across updates, so the crashed tasks of the build before the fix would fail the fixed one.
 */
export function stoppedDuring(ours: {
  taskDefinition: string | undefined;
  since: Date;
}): (task: Task) => boolean {
  return (task) =>
    (ours.taskDefinition === undefined ||
      task.taskDefinitionArn === undefined ||
      task.taskDefinitionArn === ours.taskDefinition) &&
    (task.stoppedAt === undefined || task.stoppedAt.getTime() >= ours.since.getTime() - CLOCK_SLACK_MS);
}
