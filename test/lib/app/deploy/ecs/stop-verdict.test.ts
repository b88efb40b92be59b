import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';

import { fatalStop } from '../../../../../src/lib/app/deploy/ecs/stop-verdict.js';

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
  ])('%s', (_what, task, verdict) => {
    expect(fatalStop(task)).toBe(verdict);
  });
});
