/**
 * ECS answers during a rollout, written from the AWS API reference shapes (DescribeServices `Service`
 * and `Deployment`, ListTasks, DescribeTasks `Task`), typed with the SDK's own output types so that a
 * fixture ECS couldn't send fails to compile. moto can't produce any of these: its services never
 * get tasks, its single PRIMARY deployment never changes, it has no circuit breaker, no failed tasks
 * and no throttling (shared/notes/moto.md §1.3).
 *
 * Names follow a real rollout of `whoami-v2` from revision 6 (running) to revision 7 (ours).
 */
import type {
  DescribeServicesCommandOutput,
  DescribeTasksCommandOutput,
  Deployment,
  ListTasksCommandOutput,
  Service,
  ServiceEvent,
  Task,
} from '@aws-sdk/client-ecs';

import type { TrackerEcs } from '../../../../../src/lib/app/deploy/ecs/api.js';

export const CLUSTER = 'traefikctl-dev';
export const SERVICE = 'whoami-v2';
export const OURS = 'ecs-svc/8351436127461905318';
export const PREVIOUS = 'ecs-svc/0932784614129745017';
export const ROLLBACK = 'ecs-svc/5127309468823104121';
const ARN = 'arn:aws:ecs:eu-west-1:123456789012';
export const OUR_REVISION = `${ARN}:task-definition/whoami-v2:7`;
export const OLD_REVISION = `${ARN}:task-definition/whoami-v2:6`;
export const STARTED = new Date('2026-03-01T12:00:00.000Z');

const at = (seconds: number) => new Date(STARTED.getTime() + seconds * 1000);

const network = {
  awsvpcConfiguration: {
    subnets: ['subnet-0aaa'],
    securityGroups: ['sg-0app'],
    assignPublicIp: 'DISABLED' as const,
  },
};

export function deployment(overrides: Partial<Deployment> & Pick<Deployment, 'id'>): Deployment {
  return {
    status: 'PRIMARY',
    taskDefinition: OUR_REVISION,
    desiredCount: 2,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: at(1),
    updatedAt: at(1),
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    networkConfiguration: network,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: 'ECS deployment ecs-svc/8351436127461905318 in progress.',
    ...overrides,
  };
}

export function event(seconds: number, message: string): ServiceEvent {
  return { id: `e-${seconds}-${message.length}`, createdAt: at(seconds), message };
}

export function service(deployments: Deployment[], events: ServiceEvent[] = []): Service {
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  return {
    serviceArn: `${ARN}:service/${CLUSTER}/${SERVICE}`,
    serviceName: SERVICE,
    clusterArn: `${ARN}:cluster/${CLUSTER}`,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: deployments.reduce((sum, d) => sum + (d.runningCount ?? 0), 0),
    pendingCount: deployments.reduce((sum, d) => sum + (d.pendingCount ?? 0), 0),
    launchType: 'FARGATE',
    taskDefinition: primary?.taskDefinition ?? OUR_REVISION,
    deploymentConfiguration: {
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    },
    deployments,
    // ECS lists events newest first.
    events: [...events].reverse(),
    createdAt: new Date('2026-02-20T09:00:00.000Z'),
    networkConfiguration: network,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
    propagateTags: 'SERVICE',
    enableECSManagedTags: true,
  };
}

/** The old revision, done, next to ours while the rollout runs. */
export const previousDeployment = deployment({
  id: PREVIOUS,
  status: 'ACTIVE',
  taskDefinition: OLD_REVISION,
  runningCount: 2,
  rolloutState: 'COMPLETED',
  rolloutStateReason: 'ECS deployment ecs-svc/0932784614129745017 completed.',
  createdAt: new Date('2026-02-28T08:00:00.000Z'),
});

export function stoppedTask(id: string, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: `${ARN}:task/${CLUSTER}/${id}`,
    clusterArn: `${ARN}:cluster/${CLUSTER}`,
    taskDefinitionArn: OUR_REVISION,
    group: `service:${SERVICE}`,
    startedBy: OURS,
    launchType: 'FARGATE',
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    createdAt: at(5),
    stoppingAt: at(40),
    stoppedAt: at(42),
    containers: [
      {
        containerArn: `${ARN}:container/${CLUSTER}/${id}/5f6b7c8d`,
        taskArn: `${ARN}:task/${CLUSTER}/${id}`,
        name: 'whoami',
        image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/whoami@sha256:' + 'ab'.repeat(32),
        lastStatus: 'STOPPED',
        exitCode: 1,
        healthStatus: 'UNKNOWN',
      },
    ],
    ...overrides,
  };
}

/** An unmodelled error as the SDK builds it from ECS's `__type`, e.g. when DescribeServices is throttled. */
export function throttlingError(): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: '0d5b3a4e-7c1f-4b2e-9a8d-6f0e1c2b3a4d', attempts: 3 },
  });
}

type Answer<T> = T | Error;

/**
 * An ECS that answers DescribeServices from a script, one answer per call (the last one repeats), and
 * ListTasks/DescribeTasks from the stopped tasks given. Records every call with its input.
 */
export function scriptedEcs(
  script: Answer<Service>[],
  stopped: Task[] = [],
): TrackerEcs & { calls: { name: string; input: unknown }[] } {
  const calls: { name: string; input: unknown }[] = [];
  let index = 0;
  return {
    calls,
    describeServices(input): Promise<Pick<DescribeServicesCommandOutput, 'services' | 'failures'>> {
      calls.push({ name: 'DescribeServices', input });
      const answer = script[Math.min(index++, script.length - 1)];
      if (answer === undefined) return Promise.resolve({ services: [], failures: [{ reason: 'MISSING' }] });
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve({ services: [answer], failures: [] });
    },
    listTasks(input): Promise<Pick<ListTasksCommandOutput, 'taskArns'>> {
      calls.push({ name: 'ListTasks', input });
      const matching = stopped.filter((task) => task.startedBy === input.startedBy);
      return Promise.resolve({ taskArns: matching.flatMap((task) => (task.taskArn ? [task.taskArn] : [])) });
    },
    describeTasks(input): Promise<Pick<DescribeTasksCommandOutput, 'tasks' | 'failures'>> {
      calls.push({ name: 'DescribeTasks', input });
      return Promise.resolve({
        tasks: stopped.filter((task) => input.tasks?.includes(task.taskArn ?? '')),
        failures: [],
      });
    },
  };
}

/** A clock for the poller: sleeping advances it, so a ten-minute rollout takes no real time. */
export function fakeClock(start = STARTED.getTime()) {
  let now = start;
  return {
    now: () => now,
    sleep: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
  };
}
