import type { Deployment as EcsServiceDeployment, Service, ServiceEvent, Task } from '@aws-sdk/client-ecs';

import { formatDuration } from '../../../duration.js';
import { ExitCode, UserError } from '../../../errors.js';
import { silentSink, type EventSink } from '../../../events.js';
import type { TrackerEcs } from './api.js';
import type { Poller } from '../poll.js';
import { stoppedDuring } from './stop-verdict.js';

/**
 * Follows OUR deployment (by its id) to a final state. "The service is stable" is not success: when
 * the circuit breaker rolls back, the service becomes stable again on the old revision, which is the
 * false success anchors.md §0.2 documents in four tools. So:
 * - COMPLETED on our deployment is success;
 * - FAILED on our deployment, or a primary deployment that is no longer ours, is failure (exit 3);
 * - the deadline passing first is a timeout (exit 4).
 * One DescribeServices per poll. Stopped tasks are read only when our deployment's `failedTasks`
 * grows, and are shown at once (with the container exit codes and the last log lines), without
 * waiting for the circuit breaker to give up.
 */

export interface StoppedTaskReport {
  taskId: string;
  /** One line: the stopped reason with each container's exit code and reason. */
  summary: string;
  /** The last lines the app wrote, when CloudWatch has them. */
  logLines: string[];
}

export interface TrackRolloutOptions {
  ecs: TrackerEcs;
  cluster: string;
  service: string;
  deploymentId: string;
  poller: Poller;
  /** Epoch ms: the overall `--timeout`. */
  deadline: number;
  /** When the deploy started: older service events are not ours to show. */
  since: Date;
  onEvent?: EventSink | undefined;
  /** The phase's live detail, e.g. `1/2 running, 1 pending`. */
  setDetail?: ((detail: string) => void) | undefined;
  /** The last log lines of a stopped task's container (CloudWatch); optional. */
  logLines?: ((task: Task, container: string) => Promise<string[]>) | undefined;
  /** Commands for the error suggestions. */
  hints?: { logs?: string; retry?: string } | undefined;
  /** Phase id for the step events. */
  phase?: string;
  /**
   * What tells the circuit breaker's rollback from another run taking the service over (two deploys
   * of the same tag at once): our revision, whether our call created the service (a new service has
   * nothing to roll back to), and the revision it ran before our update (the rollback's target).
   */
  taskDefinition?: string | undefined;
  created?: boolean | undefined;
  previousTaskDefinition?: string | undefined;
  /**
   * traefikctl's own verdict on a stopped task of ours (stop-verdict.ts `fatalStop`): a reason when
   * no retry can fix the stop. Given, the stopped tasks are looked at every poll (one ListTasks), and
   * the first fatal one fails the rollout at once (exit 3), without waiting for ECS's circuit breaker
   * to count its failures and roll back. Without it, stopped tasks are only shown.
   */
  verdict?: ((task: Task) => string | undefined) | undefined;
}

export interface RolloutResult {
  deploymentId: string;
  taskDefinition: string | undefined;
  runningCount: number;
  desiredCount: number;
  polls: number;
}

/** Service events that say something went wrong (the words Copilot filters on). */
const TROUBLE =
  /fail|unhealthy|error|throttl|unable|missing|alarm detected|rolling back|roll back|rolled back/i;
const MAX_REPORTED_TASKS = 3;
const LOG_LINES = 5;

export class RolloutError extends UserError {
  constructor(
    message: string,
    readonly outcome: 'failed' | 'rolled-back' | 'timed-out' | 'service-gone' | 'taken-over',
    suggestions: string[],
  ) {
    super(message, {
      suggestions,
      exitCode: outcome === 'timed-out' ? ExitCode.TimedOut : ExitCode.DeploymentFailed,
      code: `ROLLOUT_${outcome.toUpperCase().replace('-', '_')}`,
    });
  }
}

function counts(deployment: EcsServiceDeployment): string {
  const parts = [`${deployment.runningCount ?? 0}/${deployment.desiredCount ?? 0} running`];
  if ((deployment.pendingCount ?? 0) > 0) parts.push(`${deployment.pendingCount} pending`);
  if ((deployment.failedTasks ?? 0) > 0) parts.push(`${deployment.failedTasks} failed`);
  return parts.join(', ');
}

function revision(taskDefinition: string | undefined): string {
  return taskDefinition?.split('/').pop() ?? 'an earlier revision';
}

/** `whoami-v2` and 7 from `...:task-definition/whoami-v2:7`; undefined for anything else. */
function familyRevision(arn: string | undefined): { family: string; revision: number } | undefined {
  const match = /([^/:]+):(\d+)$/.exec(arn ?? '');
  return match === null ? undefined : { family: match[1] ?? '', revision: Number(match[2]) };
}

/** What the service's task definition is to ours: newer (registered after), the same, older, or unknown. */
function compareRevisions(
  theirs: string | undefined,
  ours: string | undefined,
): 'newer' | 'same' | 'older' | undefined {
  const a = familyRevision(theirs);
  const b = familyRevision(ours);
  if (a === undefined || b === undefined || a.family !== b.family) return undefined;
  return a.revision > b.revision ? 'newer' : a.revision === b.revision ? 'same' : 'older';
}

export interface OurDeployment {
  cluster: string;
  service: string;
  deploymentId: string | undefined;
  taskDefinition: string | undefined;
  /** `traefikctl app deploy ...`, to deploy this build again. */
  retry?: string | undefined;
}

function goneError(service: Service | undefined, name: string): RolloutError {
  return new RolloutError(
    `The ECS service ${name} is ${service?.status?.toLowerCase() ?? 'gone'}: it was deleted while deploying.`,
    'service-gone',
    ['Someone or something removed it; run the deploy again to create it anew.'],
  );
}

/**
 * Another run's change now drives the service: two deploys of the same tag at once (or someone's
 * `aws ecs update-service`). Not a rollback: ECS rolled nothing back, and this deploy's revision is
 * simply not what runs.
 */
function takenOverError(
  ours: OurDeployment,
  theirs: { deploymentId: string | undefined; taskDefinition: string | undefined },
  when: string,
): RolloutError {
  const relation = {
    newer: 'registered after ours',
    same: 'the same revision as ours',
    older: 'not ours',
    unknown: 'not ours',
  }[compareRevisions(theirs.taskDefinition, ours.taskDefinition) ?? 'unknown'];
  const theirDeployment =
    theirs.deploymentId !== undefined && theirs.deploymentId !== ours.deploymentId
      ? ` (deployment ${theirs.deploymentId})`
      : '';
  const ourDeployment = ours.deploymentId === undefined ? '' : `, deployment ${ours.deploymentId}`;
  return new RolloutError(
    `Another deploy took over ${ours.service} ${when}: the service now runs ${revision(theirs.taskDefinition)}${theirDeployment}, ${relation} (${revision(ours.taskDefinition)}${ourDeployment}). ECS rolled nothing back.`,
    'taken-over',
    [
      "Two deploys of the same tag ran at once (another CI job, or someone's `aws ecs update-service`); the service is the other one's now.",
      `See what runs now: \`aws ecs describe-services --cluster ${ours.cluster} --services ${ours.service}\`.`,
      ours.retry === undefined
        ? 'To deploy this build after all, run this deploy again once the other one is done.'
        : `To deploy this build after all, run this deploy again once the other one is done: \`${ours.retry}\`.`,
    ],
  );
}

/**
 * After our rollout: whether the service is still ours, for the waits that follow it (route, URL). A
 * deleted service, or one that another deploy changed since, is an error; nothing else is.
 */
export function serviceChange(service: Service | undefined, ours: OurDeployment): RolloutError | undefined {
  if (service === undefined || service.status !== 'ACTIVE') return goneError(service, ours.service);
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  // ECS moves `taskDefinition` to the new primary's; moto changes only that (shared/notes/moto.md §1.3).
  const replaced =
    (ours.deploymentId !== undefined && primary?.id !== undefined && primary.id !== ours.deploymentId) ||
    (ours.taskDefinition !== undefined &&
      service.taskDefinition !== undefined &&
      service.taskDefinition !== ours.taskDefinition);
  if (!replaced) return undefined;
  return takenOverError(
    ours,
    { deploymentId: primary?.id, taskDefinition: service.taskDefinition ?? primary?.taskDefinition },
    'while this one waited for its route and URL',
  );
}

function taskId(arn: string | undefined): string {
  return arn?.split('/').pop() ?? '?';
}

/**
 * The stopped tasks of a deployment that `seen` doesn't hold yet, which it then does: one ListTasks,
 * and one DescribeTasks when there are new ones.
 */
export async function newStoppedTasks(
  ecs: TrackerEcs,
  cluster: string,
  deploymentId: string,
  seen: Set<string>,
  /** Which stopped tasks are this deploy's (stop-verdict.ts `stoppedDuring`); the others are passed over. */
  ours: (task: Task) => boolean = () => true,
): Promise<Task[]> {
  const listed = await ecs.listTasks({ cluster, startedBy: deploymentId, desiredStatus: 'STOPPED' });
  const fresh = (listed.taskArns ?? []).filter((arn) => !seen.has(arn)).slice(0, 100);
  if (fresh.length === 0) return [];
  const { tasks = [] } = await ecs.describeTasks({ cluster, tasks: fresh });
  const result: Task[] = [];
  for (const task of tasks) {
    if (task.taskArn === undefined || seen.has(task.taskArn)) continue;
    seen.add(task.taskArn);
    if (ours(task)) result.push(task);
  }
  return result;
}

/** A stopped task's one-line summary, with the last log lines of the container that failed (or the first). */
export async function stoppedTaskReport(
  task: Task,
  logLines: ((task: Task, container: string) => Promise<string[]>) | undefined,
): Promise<StoppedTaskReport> {
  const container =
    task.containers?.find((c) => c.exitCode !== undefined && c.exitCode !== 0)?.name ??
    task.containers?.[0]?.name;
  const lines =
    container === undefined || logLines === undefined ? [] : await logLines(task, container).catch(() => []);
  return { taskId: taskId(task.taskArn), summary: describeStoppedTask(task), logLines: lines };
}

/** `CannotPullContainerError: ...; container whoami exited 1 (OOM)`. */
export function describeStoppedTask(task: Task): string {
  const parts: string[] = [];
  const reason = task.stoppedReason ?? task.stopCode ?? 'stopped';
  parts.push(reason);
  for (const container of task.containers ?? []) {
    const exit = container.exitCode === undefined ? undefined : `exited ${container.exitCode}`;
    const details = [exit, container.reason].filter((text): text is string => Boolean(text));
    if (details.length > 0) parts.push(`container ${container.name ?? '?'} ${details.join(': ')}`);
  }
  return parts.join('; ');
}

/**
 * A stopped task that no retry fixes: the rollout fails now, with that task first (its stop, exit
 * codes and last log lines), then whatever else explains it.
 */
function fatalStopError(
  service: string,
  fatal: { report: StoppedTaskReport; why: string },
  explain: (except?: string) => string[],
  hints: TrackRolloutOptions['hints'],
): RolloutError {
  const { report, why } = fatal;
  return new RolloutError(
    `Task ${report.taskId} of ${service} stopped: ${report.summary} (${why}). Not waiting for ECS's circuit breaker: another try can't fix this.`,
    'failed',
    [
      ...report.logLines.slice(-LOG_LINES).map((line) => `log: ${line}`),
      ...explain(report.taskId),
      ...(hints?.retry ? [`Fix the app or its configuration, then deploy again: \`${hints.retry}\`.`] : []),
    ],
  );
}

export async function trackRollout(options: TrackRolloutOptions): Promise<RolloutResult> {
  const emit = options.onEvent ?? silentSink;
  const phase = options.phase ?? 'rollout';
  const { ecs, cluster, service: serviceName, deploymentId, poller } = options;
  const seenEvents = new Set<string>();
  const seenTasks = new Set<string>();
  const troubleEvents: string[] = [];
  const stoppedTasks: StoppedTaskReport[] = [];
  let failedSeen = 0;
  let polls = 0;
  let last: { service: Service; ours: EcsServiceDeployment | undefined } | undefined;

  const surfaceEvents = (events: ServiceEvent[] | undefined) => {
    // ECS lists events newest first; show them in the order they happened.
    for (const event of [...(events ?? [])].reverse()) {
      const id = event.id ?? `${event.createdAt?.toISOString() ?? ''}${event.message ?? ''}`;
      if (seenEvents.has(id) || event.message === undefined) continue;
      seenEvents.add(id);
      if (event.createdAt !== undefined && event.createdAt < options.since) continue;
      emit({ type: 'step', phase, message: event.message });
      if (TROUBLE.test(event.message)) troubleEvents.push(event.message);
    }
  };

  let fatal: { report: StoppedTaskReport; why: string } | undefined;
  const surfaceStoppedTasks = async () => {
    const ours = stoppedDuring({ taskDefinition: options.taskDefinition, since: options.since });
    for (const task of await newStoppedTasks(ecs, cluster, deploymentId, seenTasks, ours)) {
      const report = await stoppedTaskReport(task, options.logLines);
      const { logLines } = report;
      stoppedTasks.push(report);
      const why = options.verdict?.(task);
      if (why !== undefined) fatal ??= { report, why };
      emit({
        type: 'warning',
        message: `Task ${report.taskId} stopped: ${report.summary}`,
        ...(logLines.length > 0
          ? { hint: `last log lines:\n${logLines.map((l) => `    ${l}`).join('\n')}` }
          : {}),
      });
    }
  };

  const explain = (except?: string): string[] => {
    const lines: string[] = [];
    for (const task of stoppedTasks.filter((t) => t.taskId !== except).slice(-MAX_REPORTED_TASKS)) {
      lines.push(`Task ${task.taskId} stopped: ${task.summary}`);
      for (const line of task.logLines.slice(-LOG_LINES)) lines.push(`  log: ${line}`);
    }
    for (const message of troubleEvents.slice(-MAX_REPORTED_TASKS)) lines.push(`ECS: ${message}`);
    if (options.hints?.logs) lines.push(`See the app's logs: \`${options.hints.logs}\`.`);
    return lines;
  };

  /**
   * Whether a primary deployment of `theirs` that replaced ours (not marked FAILED) is ECS rolling
   * back: never on a service we created; on one we updated, when it returns to the revision before;
   * otherwise, when it goes to an older revision than ours.
   */
  const rollback = (theirs: string | undefined, ours: EcsServiceDeployment | undefined): boolean => {
    if (options.created) return false;
    if (options.previousTaskDefinition !== undefined) return theirs === options.previousTaskDefinition;
    const compared = compareRevisions(theirs, options.taskDefinition ?? ours?.taskDefinition);
    return compared === undefined || compared === 'older';
  };

  const outcome = await poller.until<RolloutResult>(
    async () => {
      polls++;
      const answer = await ecs.describeServices({ cluster, services: [serviceName] });
      const service = answer.services?.find((s) => s.serviceName === serviceName);
      if (service === undefined || service.status !== 'ACTIVE') throw goneError(service, serviceName);
      const ours = service.deployments?.find((deployment) => deployment.id === deploymentId);
      last = { service, ours };
      surfaceEvents(service.events);
      if ((ours?.failedTasks ?? 0) > failedSeen) {
        failedSeen = ours?.failedTasks ?? 0;
        await surfaceStoppedTasks();
      } else if (options.verdict !== undefined && ours !== undefined && ours.rolloutState !== 'COMPLETED') {
        // ECS may count a task that ran and then exited late, or not at all (moto): look every poll.
        await surfaceStoppedTasks();
      }
      if (fatal !== undefined) throw fatalStopError(serviceName, fatal, explain, options.hints);

      const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
      if (ours === undefined || ours.status !== 'PRIMARY') {
        if (
          ours?.rolloutState !== 'FAILED' &&
          !rollback(primary?.taskDefinition ?? service.taskDefinition, ours)
        ) {
          const mine = options.taskDefinition ?? ours?.taskDefinition;
          throw takenOverError(
            {
              cluster,
              service: serviceName,
              deploymentId,
              taskDefinition: mine,
              retry: options.hints?.retry,
            },
            { deploymentId: primary?.id, taskDefinition: primary?.taskDefinition ?? service.taskDefinition },
            'before this one finished',
          );
        }
        if (stoppedTasks.length === 0 && failedSeen === 0 && ours !== undefined) await surfaceStoppedTasks();
        const why = ours?.rolloutStateReason ? ` (${ours.rolloutStateReason})` : '';
        throw new RolloutError(
          primary === undefined
            ? `The deployment ${deploymentId} of ${serviceName} is no longer the service's primary deployment${why}.`
            : `ECS rolled ${serviceName} back to ${revision(primary.taskDefinition)}: the deployment ${deploymentId} failed${why}.`,
          'rolled-back',
          explain(),
        );
      }
      if (ours.rolloutState === 'FAILED') {
        if (stoppedTasks.length === 0) await surfaceStoppedTasks();
        throw new RolloutError(
          `The deployment ${deploymentId} of ${serviceName} failed: ${(ours.rolloutStateReason ?? 'ECS gave no reason').replace(/\.$/, '')}.`,
          'failed',
          explain(),
        );
      }
      options.setDetail?.(counts(ours));
      const done =
        ours.rolloutState === 'COMPLETED' ||
        // Services without a rollout state (an older API answer): one deployment, all tasks running.
        (ours.rolloutState === undefined &&
          (service.deployments?.length ?? 0) === 1 &&
          (ours.runningCount ?? 0) >= (ours.desiredCount ?? 0));
      if (!done) return undefined;
      return {
        deploymentId,
        taskDefinition: ours.taskDefinition,
        runningCount: ours.runningCount ?? 0,
        desiredCount: ours.desiredCount ?? 0,
        polls,
      };
    },
    {
      deadline: options.deadline,
      onThrottled: (delayMs) =>
        emit({
          type: 'info',
          message: `ECS is throttling DescribeServices; next look in ${formatDuration(delayMs)}.`,
        }),
    },
  );

  if (outcome.status === 'done') return outcome.value;
  const state = last?.ours === undefined ? 'no answer from ECS yet' : counts(last.ours);
  throw new RolloutError(`${serviceName} didn't finish rolling out in time (${state}).`, 'timed-out', [
    ...explain(),
    'ECS goes on with the deployment; nothing was rolled back.',
    ...(options.hints?.retry
      ? [`Watch it again (it picks up the same deployment): \`${options.hints.retry}\`.`]
      : []),
    'Or give it longer next time: --timeout 20m.',
  ]);
}
