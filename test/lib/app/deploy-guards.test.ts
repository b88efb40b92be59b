import { describe, expect, it } from 'vitest';

import { afterDeployFailure, type FailureContext } from '../../../src/lib/app/deploy/ecs/guards.js';
import { RolloutError } from '../../../src/lib/app/deploy/ecs/track-rollout.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';

function context(extra: Partial<FailureContext> = {}) {
  const calls: string[] = [];
  const ctx: FailureContext = {
    target: {
      app: 'crashy',
      tag: 'v1',
      env: 'dev',
      cluster: 'traefikctl-dev',
      service: 'crashy-v1',
      maxDeployments: undefined,
      commands: {
        logs: 'traefikctl app logs crashy --tag v1 --env dev',
        deploy: 'traefikctl app deploy crashy --tag v1 --env dev',
        destroy: 'traefikctl app destroy crashy --tag v1 --env dev --yes',
      },
    },
    policy: 'scale-to-zero',
    threshold: 2,
    applied: 'created',
    ranBefore: false,
    previousTaskDefinition: undefined,
    scaleToZero: () => Promise.resolve(void calls.push('scale')),
    destroy: () => Promise.resolve(void calls.push('destroy')),
    ...extra,
  };
  return { ctx, calls };
}

const failed = () =>
  new RolloutError('Task 1a2b of crashy-v1 stopped: Essential container in task exited (…).', 'failed', [
    'log: fatal: no config',
    "See the app's logs: `traefikctl app logs crashy --tag v1 --env dev`.",
    'Fix the app or its configuration, then deploy again: `traefikctl app deploy crashy --tag v1 --env dev`.',
  ]);

describe('afterDeployFailure', () => {
  it('scales a failed first-time tag to 0 and says so, keeping the exit code and the log lines', async () => {
    const { ctx, calls } = context();
    const error = (await afterDeployFailure(failed(), ctx)) as RolloutError;
    expect(calls).toEqual(['scale']);
    expect(error).toBeInstanceOf(RolloutError);
    expect(error.exitCode).toBe(ExitCode.DeploymentFailed);
    expect(error.message).toBe('Task 1a2b of crashy-v1 stopped: Essential container in task exited (…).');
    expect(error.suggestions).toEqual([
      'log: fatal: no config',
      'Scaled crashy-v1 to 0 tasks (--on-failure scale-to-zero): no more crashed tasks or image pulls; its service stays.',
      'See why: `traefikctl app logs crashy --tag v1 --env dev`.',
      'After a fix, deploy again: `traefikctl app deploy crashy --tag v1 --env dev --force`.',
      'Or remove it: `traefikctl app destroy crashy --tag v1 --env dev --yes`.',
    ]);
  });

  it('leaves a tag that ran before to ECS and names the revision it goes back to', async () => {
    const { ctx, calls } = context({
      applied: 'updated',
      ranBefore: true,
      previousTaskDefinition: 'arn:aws:ecs:us-east-1:1:task-definition/crashy-v1:4',
    });
    const error = (await afterDeployFailure(failed(), ctx)) as RolloutError;
    expect(calls).toEqual([]);
    expect(error.suggestions).toContain(
      "crashy-v1 ran before: ECS's circuit breaker rolls it back to crashy-v1:4, which runs again after 2 failed tasks; nothing else was changed.",
    );
  });

  it('changes nothing for a timeout, a takeover, an unchanged deployment or another error', async () => {
    const { ctx, calls } = context();
    const timedOut = new RolloutError('Gave up.', 'timed-out', []);
    expect(await afterDeployFailure(timedOut, ctx)).toBe(timedOut);
    const takenOver = new RolloutError('Another deploy took over.', 'taken-over', []);
    expect(await afterDeployFailure(takenOver, ctx)).toBe(takenOver);
    const unchanged = failed();
    expect(await afterDeployFailure(unchanged, { ...ctx, applied: 'unchanged' })).toBe(unchanged);
    const other = new UserError('No image.');
    expect(await afterDeployFailure(other, ctx)).toBe(other);
    expect(calls).toEqual([]);
  });
});
