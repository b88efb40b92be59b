import { describe, expect, it } from 'vitest';

import {
  applyOnFailure,
  circuitBreakerConfiguration,
  decideOnFailure,
  describeFailurePolicy,
  failureThreshold,
  onFailurePolicy,
  withFailureThreshold,
  type FailureTarget,
} from '../../../src/lib/app/deploy/ecs/failure-policy.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';

const target: FailureTarget = {
  cluster: 'traefikctl-dev',
  service: 'crashy-v1',
  commands: {
    logs: 'traefikctl app logs crashy --tag v1 --env dev',
    deploy: 'traefikctl app deploy crashy --tag v1 --env dev',
    destroy: 'traefikctl app destroy crashy --tag v1 --env dev --yes',
  },
  threshold: 2,
};

describe('the circuit breaker for previews', () => {
  it('trips after 2 failed tasks unless the app says otherwise, and still rolls back', () => {
    expect(failureThreshold({})).toBe(2);
    expect(failureThreshold({ failureThreshold: 5 })).toBe(5);
    expect(circuitBreakerConfiguration(3)).toEqual({
      deploymentCircuitBreaker: {
        enable: true,
        rollback: true,
        resetOnHealthyTask: true,
        thresholdConfiguration: { type: 'COUNT', value: 3 },
      },
    });
  });

  it('goes into CreateService and UpdateService inputs, keeping their other deployment settings', () => {
    const input = withFailureThreshold(
      { cluster: 'c', service: 's', deploymentConfiguration: { maximumPercent: 200 } },
      { failureThreshold: 1 },
    );
    expect(input.deploymentConfiguration).toEqual({
      maximumPercent: 200,
      deploymentCircuitBreaker: {
        enable: true,
        rollback: true,
        resetOnHealthyTask: true,
        thresholdConfiguration: { type: 'COUNT', value: 1 },
      },
    });
  });
});

describe('the on-failure policy', () => {
  it('takes --on-failure over the app setting over scale-to-zero, and refuses anything else (exit 2)', () => {
    expect(onFailurePolicy(undefined, {})).toBe('scale-to-zero');
    expect(onFailurePolicy(undefined, { onFailure: 'keep' })).toBe('keep');
    expect(onFailurePolicy('destroy', { onFailure: 'keep' })).toBe('destroy');
    const error = (() => {
      try {
        onFailurePolicy('delete', {});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.Usage);
    expect((error as UserError).message).toBe('--on-failure delete is not a policy.');
  });

  it.each([
    ['scale-to-zero', false, { kind: 'scale-to-zero' }],
    ['keep', false, { kind: 'keep' }],
    ['destroy', false, { kind: 'destroy' }],
    ['scale-to-zero', true, { kind: 'rolled-back', revision: 'arn:x:task-definition/crashy-v1:3' }],
    ['destroy', true, { kind: 'rolled-back', revision: 'arn:x:task-definition/crashy-v1:3' }],
  ] as const)('policy %s, ran before: %s', (policy, ranBefore, decision) => {
    expect(
      decideOnFailure({ policy, ranBefore, previousTaskDefinition: 'arn:x:task-definition/crashy-v1:3' }),
    ).toEqual(decision);
  });

  it('scales to 0 and says what was done and how to look', async () => {
    const calls: string[] = [];
    const lines = await applyOnFailure({ kind: 'scale-to-zero' }, target, {
      scaleToZero: () => Promise.resolve(void calls.push('scale')),
      destroy: () => Promise.resolve(void calls.push('destroy')),
    });
    expect(calls).toEqual(['scale']);
    expect(lines).toEqual([
      'Scaled crashy-v1 to 0 tasks (--on-failure scale-to-zero): no more crashed tasks or image pulls; its service stays.',
      'See why: `traefikctl app logs crashy --tag v1 --env dev`.',
      'After a fix, deploy again: `traefikctl app deploy crashy --tag v1 --env dev --force`.',
      'Or remove it: `traefikctl app destroy crashy --tag v1 --env dev --yes`.',
    ]);
  });

  it('removes with destroy, leaves with keep, and says a failed step instead of hiding it', async () => {
    const calls: string[] = [];
    const actions = {
      scaleToZero: () => Promise.reject(new Error('AccessDeniedException: not allowed')),
      destroy: () => Promise.resolve(void calls.push('destroy')),
    };
    expect((await applyOnFailure({ kind: 'destroy' }, target, actions))[0]).toBe(
      'Removed crashy-v1 and its task definitions (--on-failure destroy).',
    );
    expect(calls).toEqual(['destroy']);
    expect((await applyOnFailure({ kind: 'keep' }, target, actions))[0]).toBe(
      'Left crashy-v1 as it is (--on-failure keep): ECS goes on starting tasks until 2 have failed.',
    );
    expect((await applyOnFailure({ kind: 'scale-to-zero' }, target, actions))[0]).toBe(
      'Could not scale crashy-v1 to 0: AccessDeniedException: not allowed.',
    );
  });

  it('names the revision ECS rolls a tag that ran before back to, and changes nothing', async () => {
    const calls: string[] = [];
    const lines = await applyOnFailure(
      { kind: 'rolled-back', revision: 'arn:aws:ecs:eu-west-1:1:task-definition/crashy-v1:3' },
      target,
      {
        scaleToZero: () => Promise.resolve(void calls.push('scale')),
        destroy: () => Promise.resolve(void calls.push('destroy')),
      },
    );
    expect(calls).toEqual([]);
    expect(lines[0]).toBe(
      "crashy-v1 ran before: ECS's circuit breaker rolls it back to crashy-v1:3, which runs again after 2 failed tasks; nothing else was changed.",
    );
  });

  it('describes itself for the dry run', () => {
    expect(describeFailurePolicy({}, 'scale-to-zero', false)).toBe(
      'fail on the first fatal stop; circuit breaker after 2 failed tasks; then scale-to-zero',
    );
    expect(describeFailurePolicy({ failureThreshold: 1 }, 'keep', true)).toBe(
      'fail on the first fatal stop; circuit breaker after 1 failed task rolls back to the running revision (a tag that never ran: keep)',
    );
  });
});
