/**
 * An in-memory `DeployAws` for unit tests of what moto can't show: a deployment in progress, a
 * throttled or refused call, a call that must never happen. Responses use the SDK's own types, so
 * they are shapes ECS could send. Every call is logged by name.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Service, Tag, TaskDefinition } from '@aws-sdk/client-ecs';

import type { DeployAws } from '../../../../src/lib/app/deploy/ecs/api.js';
import type { ClusterOutputs } from '../../../../src/lib/cluster/outputs.js';

export const DIGEST = `sha256:${'d1'.repeat(32)}`;
export const REPOSITORY_URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/whoami';
export const CALLER = 'arn:aws:sts::123456789012:assumed-role/ci/github-actions';

export const OUTPUTS: ClusterOutputs = {
  stackName: 'traefikctl-dev',
  env: 'dev',
  cluster: 'traefikctl-dev',
  subnets: ['subnet-0aaa', 'subnet-0bbb'],
  appSecurityGroup: 'sg-0app',
  executionRoleArn: 'arn:aws:iam::123456789012:role/traefikctl-dev-execution',
  logGroup: '/traefikctl/dev',
};

export interface FakeState {
  region: string | undefined;
  caller: string | Error;
  outputs: ClusterOutputs | Error;
  repositoryUri: string | undefined;
  digests: Record<string, string>;
  service: Service | undefined;
  taskDefinitions: Record<string, { taskDefinition: TaskDefinition; tags: Tag[] }>;
  /** Makes every method throw (offline). */
  everything?: Error;
  /** DescribeServices finishes the primary deployment's rollout, as ECS would by then (default true). */
  settle: boolean;
  /** The addresses of the service's running tasks; by default one per desired task from 10.0.1.5. */
  taskAddresses?: string[];
  /** How many ListTasks of running tasks fail first (a connection reset), as a network blip does. */
  runningListFailures?: number;
}

export type FakeAws = DeployAws & { calls: string[]; state: FakeState };

export function fakeAws(overrides: Partial<FakeState> = {}): FakeAws {
  const state: FakeState = {
    region: 'eu-west-1',
    caller: CALLER,
    outputs: OUTPUTS,
    repositoryUri: REPOSITORY_URI,
    digests: { v2: DIGEST },
    service: undefined,
    taskDefinitions: {},
    settle: true,
    ...overrides,
  };
  const calls: string[] = [];
  let revision = 0;
  const runningAddresses = (): string[] =>
    state.taskAddresses ??
    Array.from({ length: state.service?.desiredCount ?? 1 }, (_, index) => `10.0.1.${5 + index}`);
  const call = <T>(name: string, answer: () => T): Promise<T> => {
    calls.push(name);
    if (state.everything) return Promise.reject(state.everything);
    return new Promise<T>((resolve) => resolve(answer()));
  };
  const value = <T>(v: T | Error): T => {
    if (v instanceof Error) throw v;
    return v;
  };
  return {
    calls,
    state,
    region: () => Promise.resolve(state.region),
    callerArn: () => call('callerArn', () => value(state.caller)),
    clusterOutputs: () => call('clusterOutputs', () => value(state.outputs)),
    repositoryUri: () => call('repositoryUri', () => state.repositoryUri),
    imageDigest: (_repository, tag) => call('imageDigest', () => state.digests[tag]),
    describeService: () => call('describeService', () => state.service),
    describeTaskDefinition: (arn) =>
      call('describeTaskDefinition', () => {
        const found = state.taskDefinitions[arn];
        if (found === undefined) throw new Error(`no task definition ${arn}`);
        return found;
      }),
    registerTaskDefinition: (input) =>
      call('registerTaskDefinition', () => {
        revision++;
        const arn = `arn:aws:ecs:eu-west-1:123456789012:task-definition/${input.family ?? ''}:${revision}`;
        const taskDefinition = {
          ...input,
          taskDefinitionArn: arn,
          revision,
          status: 'ACTIVE',
        } as TaskDefinition;
        state.taskDefinitions[arn] = { taskDefinition, tags: input.tags ?? [] };
        return taskDefinition;
      }),
    createService: (input) =>
      call('createService', () => {
        state.service = {
          serviceName: input.serviceName,
          serviceArn: `arn:aws:ecs:eu-west-1:123456789012:service/traefikctl-dev/${input.serviceName ?? ''}`,
          status: 'ACTIVE',
          taskDefinition: input.taskDefinition,
          desiredCount: input.desiredCount,
          networkConfiguration: input.networkConfiguration,
          deployments: [
            {
              id: 'ecs-svc/1111',
              status: 'PRIMARY',
              taskDefinition: input.taskDefinition,
              desiredCount: input.desiredCount,
              rolloutState: 'IN_PROGRESS',
            },
          ],
          tags: input.tags ?? [],
        };
        return state.service;
      }),
    updateService: (input) =>
      call('updateService', () => {
        const service = state.service;
        if (service === undefined) throw new Error('no service');
        state.service = {
          ...service,
          taskDefinition: input.taskDefinition,
          deployments: [
            {
              id: 'ecs-svc/2222',
              status: 'PRIMARY',
              taskDefinition: input.taskDefinition,
              desiredCount: input.desiredCount,
              rolloutState: 'IN_PROGRESS',
            },
            ...(service.deployments ?? []).map((d) => ({ ...d, status: 'ACTIVE' })),
          ],
        };
        return state.service;
      }),
    // Tags land where ECS keeps them, so a test can read the record a deploy leaves.
    tagResource: (arn, tags) =>
      call('tagResource', () => {
        const merge = (current: Tag[] | undefined) => [
          ...(current ?? []).filter((old) => !tags.some((tag) => tag.key === old.key)),
          ...tags,
        ];
        if (state.service?.serviceArn === arn)
          state.service = { ...state.service, tags: merge(state.service.tags) };
        const taskDefinition = state.taskDefinitions[arn];
        if (taskDefinition !== undefined) taskDefinition.tags = merge(taskDefinition.tags);
      }),
    untagResource: (arn, keys) =>
      call('untagResource', () => {
        const keep = (current: Tag[] | undefined) =>
          (current ?? []).filter((tag) => tag.key === undefined || !keys.includes(tag.key));
        if (state.service?.serviceArn === arn)
          state.service = { ...state.service, tags: keep(state.service.tags) };
        const taskDefinition = state.taskDefinitions[arn];
        if (taskDefinition !== undefined) taskDefinition.tags = keep(taskDefinition.tags);
      }),
    describeServices: () =>
      call('describeServices', () => {
        if (state.service !== undefined && state.settle) {
          const primary = state.service.deployments?.find((d) => d.status === 'PRIMARY');
          if (primary !== undefined) {
            const done = {
              ...primary,
              rolloutState: 'COMPLETED' as const,
              runningCount: primary.desiredCount ?? 1,
            };
            state.service = { ...state.service, deployments: [done] };
          }
        }
        return { services: state.service ? [state.service] : [] };
      }),
    // The service's running tasks: one per desired task, of the task definition it runs, at
    // 10.0.1.5, 10.0.1.6, ... (`taskAddresses` overrides), as Fargate reports them.
    listTasks: (input) =>
      call('listTasks', () => {
        if (input.desiredStatus === 'RUNNING' && (state.runningListFailures ?? 0) > 0) {
          state.runningListFailures = (state.runningListFailures ?? 0) - 1;
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        return {
          taskArns:
            input.desiredStatus === 'RUNNING' && state.service !== undefined
              ? runningAddresses().map(
                  (_, index) => `arn:aws:ecs:eu-west-1:123456789012:task/traefikctl-dev/t${index}`,
                )
              : [],
        };
      }),
    describeTasks: (input) =>
      call('describeTasks', () => ({
        tasks: runningAddresses()
          .map((address, index) => ({
            taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/traefikctl-dev/t${index}`,
            taskDefinitionArn: state.service?.taskDefinition,
            lastStatus: 'RUNNING',
            containers: [{ name: 'whoami', networkInterfaces: [{ privateIpv4Address: address }] }],
          }))
          .filter((task) => input.tasks?.includes(task.taskArn) ?? false),
      })),
    lastLogLines: () => call('lastLogLines', () => []),
  };
}

/** A `DeployAws` that fails the test on any call: for checks that must happen before AWS is asked. */
export function forbiddenAws(): DeployAws & { calls: string[] } {
  const calls: string[] = [];
  return new Proxy({ calls } as DeployAws & { calls: string[] }, {
    get(target, property) {
      if (property === 'calls') return target.calls;
      if (property === 'then') return undefined;
      return () => {
        calls.push(String(property));
        return Promise.reject(new Error(`AWS was called (${String(property)}) before the input was checked`));
      };
    },
  });
}

/** A project directory with a traefikctl.config.yaml. */
export async function project(
  config = 'domain: example.com\napps:\n  whoami:\n    port: 80\n',
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-deploy-unit-'));
  await writeFile(path.join(dir, 'traefikctl.config.yaml'), config);
  return dir;
}
