import type { Task } from '@aws-sdk/client-ecs';

import { isAbortError } from '../../../aws/abort.js';
import { skipPhase, withPhase } from '../../../events.js';
import type { DeployRun } from '../context.js';
import { PHASES } from '../phases.js';
import { commandFor } from '../request.js';
import type { Applied } from './apply.js';
import type { DeploymentPlan } from './plan.js';
import type { Preflight } from './preflight.js';
import { fatalStop, stoppedDuring } from './stop-verdict.js';
import {
  newStoppedTasks,
  RolloutError,
  serviceChange,
  stoppedTaskReport,
  trackRollout,
  type OurDeployment,
} from './track-rollout.js';

/**
 * Waiting on ECS: the rollout of OUR deployment, then, while the route and the URL are waited for,
 * the check that the service is still ours and that none of its tasks stopped for good.
 */

export interface EcsDeployment {
  run: DeployRun;
  plan: DeploymentPlan;
  outputs: Preflight['outputs'];
  applied: Applied;
}

/** The last lines of a task's container: awslogs stream `<prefix = service>/<container>/<task id>`. */
function taskLogLines({ run, plan, outputs }: EcsDeployment) {
  return (task: Task, container: string) =>
    run.aws.lastLogLines(
      outputs.logGroup,
      `${plan.serviceName}/${container}/${task.taskArn?.split('/').pop() ?? ''}`,
      5,
    );
}

export async function waitForRollout(deployment: EcsDeployment): Promise<void> {
  const { run, plan, outputs, applied } = deployment;
  const { emit } = run;
  if (applied.deploymentId === undefined) {
    skipPhase(emit, PHASES.rollout, 'ECS reported no deployment to follow');
    return;
  }
  const deploymentId = applied.deploymentId;
  await withPhase(
    emit,
    {
      ...PHASES.rollout,
      title: `Roll out ${plan.service.desiredCount ?? 1} task${plan.service.desiredCount === 1 ? '' : 's'}`,
    },
    (setDetail) =>
      trackRollout({
        ecs: run.aws,
        cluster: outputs.cluster,
        service: plan.serviceName,
        deploymentId,
        taskDefinition: applied.taskDefinitionArn,
        created: applied.action === 'created',
        previousTaskDefinition:
          applied.action === 'updated' ? run.progress.previousTaskDefinition : undefined,
        poller: run.poller,
        deadline: run.deadline,
        since: run.startedAt,
        onEvent: emit,
        setDetail,
        logLines: taskLogLines(deployment),
        hints: { logs: commandFor('app logs', run.spec), retry: commandFor('app deploy', run.spec) },
        // Fail on the first stop no retry fixes, not after ECS's circuit breaker.
        verdict: fatalStop,
      }),
  );
}

/**
 * The address Traefik's ECS provider routes a task's container at: its network interface's IPv4 (or
 * IPv6) address, as the provider reads it for awsvpc tasks, else the task's ENI attachment's.
 */
export function taskAddress(task: Task, container: string): string | undefined {
  const iface = task.containers?.find((item) => item.name === container)?.networkInterfaces?.[0];
  const attached = task.attachments
    ?.find((attachment) => attachment.type === 'ElasticNetworkInterface')
    ?.details?.find((detail) => detail.name === 'privateIPv4Address')?.value;
  return iface?.privateIpv4Address || iface?.ipv6Address || attached || undefined;
}

/**
 * The server URLs Traefik gives the running tasks of this deploy's task definition
 * (`http://<address>:<port>`, the port of the `loadbalancer.server.port` label): what the route must
 * show UP before the deploy counts as routed. One ListTasks and one DescribeTasks per look; undefined
 * when ECS didn't answer (the next look asks again).
 */
export function ownServers(deployment: EcsDeployment): () => Promise<ReadonlySet<string> | undefined> {
  const { run, plan, outputs, applied } = deployment;
  const container = plan.taskDefinition.containerDefinitions?.[0]?.name ?? run.spec.app;
  const port = run.spec.appConfig.port;
  const read = async (): Promise<ReadonlySet<string>> => {
    const { taskArns = [] } = await run.aws.listTasks({
      cluster: outputs.cluster,
      desiredStatus: 'RUNNING',
      // Tasks of a service are started by its deployment; the task definition tells ours apart (moto
      // keeps one deployment id across updates).
      ...(applied.deploymentId === undefined
        ? { serviceName: plan.serviceName }
        : { startedBy: applied.deploymentId }),
    });
    if (taskArns.length === 0) return new Set();
    const { tasks = [] } = await run.aws.describeTasks({
      cluster: outputs.cluster,
      tasks: taskArns.slice(0, 100),
    });
    const urls = new Set<string>();
    for (const task of tasks) {
      if (task.taskDefinitionArn !== applied.taskDefinitionArn || task.lastStatus !== 'RUNNING') continue;
      const address = taskAddress(task, container);
      if (address !== undefined)
        urls.add(`http://${address.includes(':') ? `[${address}]` : address}:${port}`);
    }
    return urls;
  };
  return () =>
    read().catch((error: unknown) => {
      if (isAbortError(error) || run.options.signal?.aborted) throw error;
      return undefined; // can't tell now: the next look will
    });
}

/**
 * The check each look of the route and URL waits makes first: the service is still ours (`app
 * destroy` of the tag, or another deploy of it, must not be reported as our success), and no task of
 * ours stopped for a reason no retry fixes. A rollout can read COMPLETED while its task then crashes
 * (ECS restarts it, again and again): such a stop ends the wait at once, with its exit code and last
 * log lines, instead of after the route's timeout. One DescribeServices and one ListTasks per look.
 */
export function stillOurs(deployment: EcsDeployment): () => Promise<void> {
  const { run, plan, outputs, applied } = deployment;
  const { aws, options } = run;
  const deployAgain = commandFor('app deploy', run.spec);
  const ours: OurDeployment = {
    cluster: outputs.cluster,
    service: plan.serviceName,
    deploymentId: applied.deploymentId,
    taskDefinition: applied.taskDefinitionArn,
    retry: deployAgain,
  };
  const logLines = taskLogLines(deployment);
  const seenStopped = new Set<string>();
  const noFatalStop = async () => {
    if (applied.deploymentId === undefined) return;
    // Only tasks of our revision that stopped since this deploy began (moto keeps one deployment id
    // across updates, so an earlier build's crashed tasks would otherwise be judged).
    const ours = stoppedDuring({ taskDefinition: applied.taskDefinitionArn, since: run.startedAt });
    const stopped = await newStoppedTasks(
      aws,
      outputs.cluster,
      applied.deploymentId,
      seenStopped,
      ours,
    ).catch((error: unknown) => {
      if (isAbortError(error) || options.signal?.aborted) throw error;
      return []; // can't tell now: the next look will
    });
    for (const task of stopped) {
      const verdict = fatalStop(task, { routed: run.progress.routed ?? false });
      if (verdict === undefined) continue;
      const report = await stoppedTaskReport(task, logLines);
      throw new RolloutError(
        `Task ${report.taskId} of ${plan.serviceName} stopped: ${report.summary} (${verdict}).`,
        'failed',
        [
          ...report.logLines.map((line) => `log: ${line}`),
          `See the app's logs: \`${commandFor('app logs', run.spec)}\`.`,
          `Fix the app or its configuration, then deploy again: \`${deployAgain}\`.`,
        ],
      );
    }
  };
  return async () => {
    const answer = await aws
      .describeServices({ cluster: outputs.cluster, services: [plan.serviceName] })
      .catch((error: unknown) => {
        if (isAbortError(error) || options.signal?.aborted) throw error;
        return undefined; // can't tell now: the next look will
      });
    if (answer === undefined) return;
    const change = serviceChange(
      answer.services?.find((service) => service.serviceName === plan.serviceName),
      ours,
    );
    if (change !== undefined) throw change;
    await noFatalStop();
  };
}
