import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';

import { fatalStop, stoppedDuring } from '../../../../../src/lib/app/deploy/ecs/stop-verdict.js';

describe('fatalStop', () => {
  it.each<[string, Task, string | undefined]>([
    [
      'an image that cannot be pulled',
      { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: pull access denied' },
      'the task could not start',
    ],
    [
      'a secret that cannot be read',
      { stopCode: 'TaskFailedToStart', stoppedReason: 'ResourceInitializationError: unable to pull secrets' },
      'the task could not start',
    ],
    [
      'the app exiting',
      {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'app', exitCode: 3 }],
      },
      'the app exited before it was routed',
    ],
    [
      'out of memory',
      {
        stopCode: 'EssentialContainerExited',
        containers: [
          { name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
        ],
      },
      'out of memory',
    ],
    [
      'a scale-in',
      {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)',
      },
      undefined,
    ],
    [
      'a failed health check the scheduler replaces',
      { stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Task failed container health checks' },
      undefined,
    ],
    ['a Spot interruption', { stopCode: 'SpotInterruption' }, undefined],
    ['someone stopping it', { stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' }, undefined],
    ['no stop code at all', {}, undefined],
    [
      'a container that cannot start',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotStartContainerError: exec: "/app": stat /app: no such file or directory',
      },
      'the task could not start',
    ],
    [
      'a registry that cannot be reached from the subnets (no NAT): every try fails alike',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: dial tcp 52.1.2.3:443: i/o timeout',
      },
      'the task could not start',
    ],
    [
      "a registry's rate limit (throttling, transient)",
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: toomanyrequests: You have reached your pull rate limit',
      },
      undefined,
    ],
    [
      'throttled secret reads (transient)',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'ResourceInitializationError: ThrottlingException: Rate exceeded',
      },
      undefined,
    ],
    [
      'no Fargate capacity (transient)',
      { stopCode: 'TaskFailedToStart', stoppedReason: 'Capacity is unavailable at this time.' },
      undefined,
    ],
    [
      'a network interface that took too long (transient)',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'Timeout waiting for network interface provisioning to complete.',
      },
      undefined,
    ],
    ['an instance going away (transient)', { stopCode: 'TerminationNotice' }, undefined],
    ['an unhealthy host (transient)', { stopCode: 'InfrastructureHealth' }, undefined],
    [
      'the app exiting after its health check said HEALTHY (the scheduler restarts it)',
      {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [{ name: 'app', exitCode: 1, healthStatus: 'HEALTHY' }],
      },
      undefined,
    ],
    [
      'out of memory in the task reason, after it was healthy',
      {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'OutOfMemoryError: Container killed due to memory usage',
        healthStatus: 'HEALTHY',
      },
      'out of memory',
    ],
  ])('%s', (_what, task, verdict) => {
    expect(fatalStop(task)).toBe(verdict);
  });

  it('lets an app that exits after it was routed be restarted (no verdict), but not out of memory', () => {
    const exited: Task = {
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'app', exitCode: 1 }],
    };
    expect(fatalStop(exited, { routed: true })).toBeUndefined();
    expect(fatalStop(exited, { routed: false })).toBe('the app exited before it was routed');
    const oom: Task = { ...exited, containers: [{ name: 'app', exitCode: 137, reason: 'OutOfMemoryError' }] };
    expect(fatalStop(oom, { routed: true })).toBe('out of memory');
  });
});

describe('stoppedDuring', () => {
  const since = new Date('2026-03-01T12:00:00.000Z');
  const ours = stoppedDuring({ taskDefinition: 'arn:td/crashy-v1:2', since });

  it('judges tasks of our revision that stopped since the deploy began', () => {
    expect(
      ours({ taskDefinitionArn: 'arn:td/crashy-v1:2', stoppedAt: new Date('2026-03-01T12:00:20Z') }),
    ).toBe(true);
  });

  it('passes over the crashed tasks of the build before the fix (moto keeps one deployment id)', () => {
    expect(
      ours({ taskDefinitionArn: 'arn:td/crashy-v1:1', stoppedAt: new Date('2026-03-01T12:00:20Z') }),
    ).toBe(false);
  });

  it('passes over a task that stopped long before the deploy, whatever its revision', () => {
    expect(
      ours({ taskDefinitionArn: 'arn:td/crashy-v1:2', stoppedAt: new Date('2026-03-01T11:00:00Z') }),
    ).toBe(false);
  });
});
