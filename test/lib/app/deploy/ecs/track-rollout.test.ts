/**
 * The rollout tracker against the ECS answers of real rollouts (track-fixtures.ts). These can't come
 * from moto: it never starts tasks, never changes a deployment, has no circuit breaker and never
 * throttles (shared/notes/moto.md §1.3), so a fake ECS plays them back, one answer per poll.
 */
import type { Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';

import { Poller } from '../../../../../src/lib/app/deploy/poll.js';
import { fatalStop } from '../../../../../src/lib/app/deploy/ecs/stop-verdict.js';
import {
  RolloutError,
  trackRollout,
  type TrackRolloutOptions,
} from '../../../../../src/lib/app/deploy/ecs/track-rollout.js';
import { ExitCode } from '../../../../../src/lib/errors.js';
import type { ProgressEvent } from '../../../../../src/lib/events.js';
import {
  CLUSTER,
  deployment,
  event,
  fakeClock,
  OLD_REVISION,
  OURS,
  OUR_REVISION,
  previousDeployment,
  ROLLBACK,
  scriptedEcs,
  service,
  SERVICE,
  STARTED,
  stoppedTask,
  throttlingError,
} from './track-fixtures.js';

function track(ecs: TrackRolloutOptions['ecs'], extra: Partial<TrackRolloutOptions> = {}) {
  const clock = fakeClock();
  const poller = new Poller({ intervalMs: 4_000, now: clock.now, sleep: clock.sleep });
  const events: ProgressEvent[] = [];
  const details: string[] = [];
  const run = trackRollout({
    ecs,
    cluster: CLUSTER,
    service: SERVICE,
    deploymentId: OURS,
    poller,
    deadline: clock.now() + 10 * 60_000,
    since: STARTED,
    onEvent: (e) => events.push(e),
    setDetail: (d) => details.push(d),
    hints: {
      logs: 'traefikctl app logs whoami --tag v2 --env dev',
      retry: 'traefikctl app deploy whoami --tag v2 --env dev',
    },
    ...extra,
  });
  return { run, events, details, poller, clock };
}

async function rejection(work: Promise<unknown>): Promise<RolloutError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RolloutError);
  return error as RolloutError;
}

describe('trackRollout', () => {
  it('succeeds when OUR deployment completes, showing progress and the new service events', async () => {
    // given a rollout of 2 tasks next to the old revision, done on the third poll
    const ecs = scriptedEcs([
      service(
        [deployment({ id: OURS, pendingCount: 2 }), previousDeployment],
        [
          event(-3600, '(service whoami-v2) has reached a steady state.'),
          event(2, '(service whoami-v2) has started 2 tasks: (task 1a2b) (task 3c4d).'),
        ],
      ),
      service([deployment({ id: OURS, runningCount: 1, pendingCount: 1 }), previousDeployment]),
      service(
        [
          deployment({
            id: OURS,
            runningCount: 2,
            rolloutState: 'COMPLETED',
            rolloutStateReason: `ECS deployment ${OURS} completed.`,
          }),
        ],
        [event(50, '(service whoami-v2) has reached a steady state.')],
      ),
    ]);

    // when tracking it
    const { run, events, details } = track(ecs);
    const result = await run;

    // then it ends on our deployment, after one DescribeServices per poll and nothing else
    expect(result).toEqual({
      deploymentId: OURS,
      taskDefinition: expect.stringMatching(/whoami-v2:7$/) as unknown,
      runningCount: 2,
      desiredCount: 2,
      polls: 3,
    });
    expect(ecs.calls.map((call) => call.name)).toEqual([
      'DescribeServices',
      'DescribeServices',
      'DescribeServices',
    ]);
    expect(details).toEqual(['0/2 running, 2 pending', '1/2 running, 1 pending', '2/2 running']);
    // the event from before this deploy is not ours to show
    expect(events.filter((e) => e.type === 'step').map((e) => (e.type === 'step' ? e.message : ''))).toEqual([
      '(service whoami-v2) has started 2 tasks: (task 1a2b) (task 3c4d).',
      '(service whoami-v2) has reached a steady state.',
    ]);
  });

  it('fails with exit 3 when the circuit breaker rolls back, even though the service ends up stable', async () => {
    // given tasks that can't pull their image: two fail, then ECS rolls back to revision 6
    const pullError =
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/whoami@sha256:abab: not found';
    const stopped = ['0a1b2c3d4e5f', '6a7b8c9d0e1f'].map((id) =>
      stoppedTask(id, {
        stopCode: 'TaskFailedToStart',
        stoppedReason: pullError,
        containers: [
          { name: 'whoami', lastStatus: 'STOPPED', reason: 'CannotPullContainerError: not found' },
        ],
      }),
    );
    const ecs = scriptedEcs(
      [
        service([deployment({ id: OURS, pendingCount: 2 }), previousDeployment]),
        service([deployment({ id: OURS, pendingCount: 2, failedTasks: 2 }), previousDeployment]),
        service(
          [
            deployment({
              id: ROLLBACK,
              taskDefinition: OLD_REVISION,
              runningCount: 2,
              rolloutState: 'COMPLETED',
              createdAt: new Date(STARTED.getTime() + 300_000),
            }),
            deployment({
              id: OURS,
              status: 'ACTIVE',
              failedTasks: 3,
              rolloutState: 'FAILED',
              rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
            }),
          ],
          [
            event(290, `(service whoami-v2) (deployment ${OURS}) deployment failed: tasks failed to start.`),
            event(295, `(service whoami-v2) rolling back to deployment ${ROLLBACK}.`),
            event(400, '(service whoami-v2) has reached a steady state.'),
          ],
        ),
      ],
      stopped,
    );

    // when tracking it
    const { run, events } = track(ecs);
    const error = await rejection(run);

    // then it is a failed deployment (exit 3), not the stable service's false success
    expect(error.exitCode).toBe(ExitCode.DeploymentFailed);
    expect(error.outcome).toBe('rolled-back');
    expect(error.message).toBe(
      `ECS rolled whoami-v2 back to whoami-v2:6: the deployment ${OURS} failed (ECS deployment circuit breaker: tasks failed to start.).`,
    );
    // with why: the stopped tasks, the failure events, and where the logs are
    expect(error.suggestions).toEqual([
      `Task 0a1b2c3d4e5f stopped: ${pullError}; container whoami CannotPullContainerError: not found`,
      `Task 6a7b8c9d0e1f stopped: ${pullError}; container whoami CannotPullContainerError: not found`,
      `ECS: (service whoami-v2) (deployment ${OURS}) deployment failed: tasks failed to start.`,
      `ECS: (service whoami-v2) rolling back to deployment ${ROLLBACK}.`,
      "See the app's logs: `traefikctl app logs whoami --tag v2 --env dev`.",
    ]);
    // the stopped tasks were looked up by our deployment id only
    expect(ecs.calls.find((call) => call.name === 'ListTasks')?.input).toEqual({
      cluster: CLUSTER,
      startedBy: OURS,
      desiredStatus: 'STOPPED',
    });
    expect(events.filter((e) => e.type === 'warning')).toHaveLength(2);
  });

  it('shows a task that failed to start as soon as it stopped, with its exit code and last log lines', async () => {
    // given a deployment whose first task exits 1 at the second poll, and that fails later (no rollback)
    const crashed = stoppedTask('9f8e7d6c5b4a');
    const ecs = scriptedEcs(
      [
        service([deployment({ id: OURS, desiredCount: 1, pendingCount: 1 })]),
        service([deployment({ id: OURS, desiredCount: 1, pendingCount: 1, failedTasks: 1 })]),
        service([deployment({ id: OURS, desiredCount: 1, pendingCount: 1, failedTasks: 1 })]),
        service([
          deployment({
            id: OURS,
            desiredCount: 1,
            failedTasks: 3,
            rolloutState: 'FAILED',
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
          }),
        ]),
      ],
      [crashed],
    );
    const logCalls: string[] = [];
    const events: ProgressEvent[] = [];
    let describesWhenWarned: number | undefined;

    // when tracking it, with CloudWatch holding the app's last words
    const { run } = track(ecs, {
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'warning')
          describesWhenWarned = ecs.calls.filter((c) => c.name === 'DescribeServices').length;
      },
      logLines: (task, container) => {
        logCalls.push(`${task.taskArn?.split('/').pop() ?? ''}/${container}`);
        return Promise.resolve(['listening on :80', 'panic: DATABASE_URL is not set']);
      },
    });
    const error = await rejection(run);

    // then the failed task was shown at the poll that saw it fail, not when ECS gave up
    expect(describesWhenWarned).toBe(2);
    expect(events.filter((e) => e.type === 'warning')).toEqual([
      {
        type: 'warning',
        message: 'Task 9f8e7d6c5b4a stopped: Essential container in task exited; container whoami exited 1',
        hint: 'last log lines:\n    listening on :80\n    panic: DATABASE_URL is not set',
      },
    ]);
    expect(logCalls).toEqual(['9f8e7d6c5b4a/whoami']);
    // and once, however many polls later: ListTasks ran only when failedTasks grew
    expect(ecs.calls.filter((c) => c.name === 'ListTasks')).toHaveLength(2);
    expect(error.outcome).toBe('failed');
    expect(error.exitCode).toBe(ExitCode.DeploymentFailed);
    expect(error.message).toBe(
      `The deployment ${OURS} of whoami-v2 failed: ECS deployment circuit breaker: tasks failed to start.`,
    );
    expect(error.suggestions.slice(0, 3)).toEqual([
      'Task 9f8e7d6c5b4a stopped: Essential container in task exited; container whoami exited 1',
      '  log: listening on :80',
      '  log: panic: DATABASE_URL is not set',
    ]);
  });

  it('times out with exit 4 when the rollout is still going at the deadline, and says it goes on', async () => {
    // given a deployment that never gets its task running
    const ecs = scriptedEcs([
      service([deployment({ id: OURS, desiredCount: 1, pendingCount: 1 }), previousDeployment]),
    ]);

    // when tracking it with a 2-minute deadline
    const clock = fakeClock();
    const poller = new Poller({ intervalMs: 4_000, now: clock.now, sleep: clock.sleep });
    const error = await rejection(
      trackRollout({
        ecs,
        cluster: CLUSTER,
        service: SERVICE,
        deploymentId: OURS,
        poller,
        deadline: clock.now() + 120_000,
        since: STARTED,
        hints: { retry: 'traefikctl app deploy whoami --tag v2 --env dev' },
      }),
    );

    // then it gave up at the deadline, not before and not long after
    expect(error.exitCode).toBe(ExitCode.TimedOut);
    expect(error.message).toBe("whoami-v2 didn't finish rolling out in time (0/1 running, 1 pending).");
    expect(error.suggestions).toEqual([
      'ECS goes on with the deployment; nothing was rolled back.',
      'Watch it again (it picks up the same deployment): `traefikctl app deploy whoami --tag v2 --env dev`.',
      'Or give it longer next time: --timeout 20m.',
    ]);
    expect(clock.now() - STARTED.getTime()).toBe(120_000);
    // polls every 2-4 s: between 30 and 61 looks in 2 minutes
    const polls = ecs.calls.length;
    expect(polls).toBeGreaterThanOrEqual(30);
    expect(polls).toBeLessThanOrEqual(61);
  });

  it('backs off when ECS throttles: each wait is longer than the one before, then it carries on', async () => {
    // given DescribeServices throttled five times in a row, then a completed deployment
    const done = service([deployment({ id: OURS, runningCount: 2, rolloutState: 'COMPLETED' })]);
    const ecs = scriptedEcs([
      throttlingError(),
      throttlingError(),
      throttlingError(),
      throttlingError(),
      throttlingError(),
      done,
    ]);

    // when tracking it (real jitter: the growth must not depend on the random draws)
    const { run, poller, events } = track(ecs);
    const result = await run;

    // then the waits doubled their range each time (4-8 s, 8-16 s, 16-32 s), then stayed at the
    // 32 s cap, and the rollout was still followed to the end
    expect(result.deploymentId).toBe(OURS);
    const [first = 0, second = 0, third = 0, ...capped] = poller.waits;
    expect(poller.waits).toHaveLength(5);
    expect(first).toBeGreaterThanOrEqual(4_000);
    expect(first).toBeLessThanOrEqual(8_000);
    expect(second).toBeGreaterThan(first);
    expect(second).toBeLessThanOrEqual(16_000);
    expect(third).toBeGreaterThan(second);
    for (const wait of [third, ...capped]) {
      expect(wait).toBeGreaterThanOrEqual(16_000);
      expect(wait).toBeLessThanOrEqual(32_000);
    }
    expect(
      events.filter((e) => e.type === 'info' && e.message.startsWith('ECS is throttling DescribeServices')),
    ).toHaveLength(5);
  });

  it('reports another deploy taking the service over as a race (exit 3), not as a rollback', async () => {
    // given our update to revision 7 rolling out, when another deploy of the tag updates the service to
    // revision 8 (ours is left ACTIVE and IN_PROGRESS: nothing failed)
    const THEIRS = 'ecs-svc/4455667788990011223';
    const NEWER = OUR_REVISION.replace(/:7$/, ':8');
    const ecs = scriptedEcs([
      service([deployment({ id: OURS, pendingCount: 2 }), previousDeployment]),
      service([
        deployment({
          id: THEIRS,
          taskDefinition: NEWER,
          pendingCount: 2,
          createdAt: new Date(STARTED.getTime() + 9_000),
        }),
        deployment({ id: OURS, status: 'ACTIVE', runningCount: 1, pendingCount: 1 }),
        previousDeployment,
      ]),
    ]);

    // when tracking ours, knowing the revision it replaced
    const error = await rejection(
      track(ecs, { taskDefinition: OUR_REVISION, previousTaskDefinition: OLD_REVISION }).run,
    );

    // then it says what happened: a race, with both deployments, and nothing about a rollback
    expect(error.outcome).toBe('taken-over');
    expect(error.exitCode).toBe(ExitCode.DeploymentFailed);
    expect(error.code).toBe('ROLLOUT_TAKEN_OVER');
    expect(error.message).toBe(
      `Another deploy took over whoami-v2 before this one finished: the service now runs whoami-v2:8 (deployment ${THEIRS}), registered after ours (whoami-v2:7, deployment ${OURS}). ECS rolled nothing back.`,
    );
    expect(error.suggestions).toEqual([
      "Two deploys of the same tag ran at once (another CI job, or someone's `aws ecs update-service`); the service is the other one's now.",
      `See what runs now: \`aws ecs describe-services --cluster ${CLUSTER} --services whoami-v2\`.`,
      'To deploy this build after all, run this deploy again once the other one is done: `traefikctl app deploy whoami --tag v2 --env dev`.',
    ]);
  });

  it('tells a race from a rollback by where the service went, not by revision numbers', async () => {
    // given a service WE created on revision 7, then replaced by another deploy's older revision 6
    // (it registered first and created later): a new service has nothing to roll back to
    const replacedCreate = scriptedEcs([
      service([
        deployment({ id: 'ecs-svc/theirs', taskDefinition: OLD_REVISION, rolloutState: 'IN_PROGRESS' }),
      ]),
    ]);
    const raced = await rejection(track(replacedCreate, { taskDefinition: OUR_REVISION, created: true }).run);
    expect(raced.outcome).toBe('taken-over');
    expect(raced.message).toContain(
      'the service now runs whoami-v2:6 (deployment ecs-svc/theirs), not ours (whoami-v2:7',
    );

    // given our update from revision 6, and ECS back on revision 6 with ours not (yet) marked FAILED
    const backToPrevious = scriptedEcs([
      service([
        deployment({ id: ROLLBACK, taskDefinition: OLD_REVISION }),
        deployment({ id: OURS, status: 'ACTIVE', failedTasks: 2 }),
      ]),
    ]);
    const rolledBack = await rejection(
      track(backToPrevious, { taskDefinition: OUR_REVISION, previousTaskDefinition: OLD_REVISION }).run,
    );
    expect(rolledBack.outcome).toBe('rolled-back');
    expect(rolledBack.message).toContain('ECS rolled whoami-v2 back to whoami-v2:6');
  });

  it('treats a deployment that is no longer listed, or a deleted service, as failure', async () => {
    const replaced = scriptedEcs([
      service([
        deployment({ id: 'ecs-svc/someone-else', taskDefinition: OLD_REVISION, rolloutState: 'IN_PROGRESS' }),
      ]),
    ]);
    const gone = await rejection(track(replaced).run);
    expect(gone.outcome).toBe('rolled-back');
    expect(gone.message).toContain('back to whoami-v2:6');

    const deleted = scriptedEcs([{ ...service([deployment({ id: OURS })]), status: 'DRAINING' }]);
    const draining = await rejection(track(deleted).run);
    expect(draining.outcome).toBe('service-gone');
    expect(draining.exitCode).toBe(ExitCode.DeploymentFailed);
    expect(draining.message).toBe('The ECS service whoami-v2 is draining: it was deleted while deploying.');
  });

  describe("with traefikctl's own verdict (fatalStop)", () => {
    /** The script's stopped tasks appear from the given DescribeServices call on, as a task stops. */
    function stoppingAt(poll: number, script: Parameters<typeof scriptedEcs>[0], tasks: Task[]) {
      const stopped: Task[] = [];
      const ecs = scriptedEcs(script, stopped);
      const describe = ecs.describeServices.bind(ecs);
      ecs.describeServices = (input) => {
        if (ecs.calls.filter((c) => c.name === 'DescribeServices').length + 1 === poll)
          stopped.push(...tasks);
        return describe(input);
      };
      return ecs;
    }

    it('fails at the poll that sees the app exit, before ECS counts a failure or rolls back', async () => {
      // given a one-task rollout whose task exits 1 at the second poll; ECS would only give up much later
      const ecs = stoppingAt(
        2,
        [
          service([deployment({ id: OURS, desiredCount: 1, pendingCount: 1 })]),
          service([deployment({ id: OURS, desiredCount: 1, pendingCount: 1 })]),
          service([deployment({ id: OURS, desiredCount: 1, failedTasks: 3, rolloutState: 'FAILED' })]),
        ],
        [stoppedTask('9f8e7d6c5b4a')],
      );

      // when tracking it with the verdict
      const { run } = track(ecs, {
        verdict: fatalStop,
        logLines: () => Promise.resolve(['listening on :80', 'panic: DATABASE_URL is not set']),
      });
      const error = await rejection(run);

      // then it failed (exit 3) at the second poll, naming the exit code, the verdict and the last log lines
      expect(ecs.calls.filter((c) => c.name === 'DescribeServices')).toHaveLength(2);
      expect(error.outcome).toBe('failed');
      expect(error.exitCode).toBe(ExitCode.DeploymentFailed);
      expect(error.message).toBe(
        "Task 9f8e7d6c5b4a of whoami-v2 stopped: Essential container in task exited; container whoami exited 1 (the app exited before it was routed). Not waiting for ECS's circuit breaker: another try can't fix this.",
      );
      expect(error.suggestions).toEqual([
        'log: listening on :80',
        'log: panic: DATABASE_URL is not set',
        "See the app's logs: `traefikctl app logs whoami --tag v2 --env dev`.",
        'Fix the app or its configuration, then deploy again: `traefikctl app deploy whoami --tag v2 --env dev`.',
      ]);
    });

    it('fails on an image that cannot be pulled at once, not after the rollback', async () => {
      // given the circuit breaker's script of the rollback test: two pull failures, then a rollback
      const pull = stoppedTask('0a1b2c3d4e5f', {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: failed to resolve ref whoami@sha256:abab: not found',
        containers: [
          { name: 'whoami', lastStatus: 'STOPPED', reason: 'CannotPullContainerError: not found' },
        ],
      });
      const ecs = scriptedEcs(
        [
          service([deployment({ id: OURS, pendingCount: 2 }), previousDeployment]),
          service([deployment({ id: OURS, pendingCount: 2, failedTasks: 1 }), previousDeployment]),
          service([deployment({ id: ROLLBACK, taskDefinition: OLD_REVISION, rolloutState: 'COMPLETED' })]),
        ],
        [pull],
      );

      // when tracking it with the verdict
      const error = await rejection(track(ecs, { verdict: fatalStop }).run);

      // then the first poll saw the stopped task and failed with the pull error
      expect(ecs.calls.filter((c) => c.name === 'DescribeServices')).toHaveLength(1);
      expect(error.outcome).toBe('failed');
      expect(error.message).toContain('CannotPullContainerError: failed to resolve ref');
      expect(error.message).toContain('(the task could not start)');
    });

    it('keeps waiting through a transient stop (a scale-in), and succeeds when the rollout completes', async () => {
      // given a task the scheduler stopped, then a completed rollout
      const ecs = stoppingAt(
        1,
        [
          service([deployment({ id: OURS, desiredCount: 1, pendingCount: 1 })]),
          service([deployment({ id: OURS, desiredCount: 1, pendingCount: 1 })]),
          service([deployment({ id: OURS, desiredCount: 1, runningCount: 1, rolloutState: 'COMPLETED' })]),
        ],
        [
          stoppedTask('1b2c3d4e5f6a', {
            stopCode: 'ServiceSchedulerInitiated',
            stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/8351436127461905318)',
            containers: [],
          }),
        ],
      );

      // when tracking it with the verdict
      const { run, events } = track(ecs, { verdict: fatalStop });
      const result = await run;

      // then it waited to the end, and showed the stop once
      expect(result.polls).toBe(3);
      expect(events.filter((e) => e.type === 'warning')).toHaveLength(1);
      // one ListTasks per poll while the rollout runs, one DescribeTasks for the one new stopped task
      expect(ecs.calls.filter((c) => c.name === 'ListTasks')).toHaveLength(2);
      expect(ecs.calls.filter((c) => c.name === 'DescribeTasks')).toHaveLength(1);
    });
  });
});
