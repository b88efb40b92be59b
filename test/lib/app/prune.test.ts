import { describe, expect, it } from 'vitest';

import type { EcsDeploymentRecord } from '../../../src/lib/ecs/services.js';
import { checkCriteria, pruneResult, selectForPrune, type PrunePlan } from '../../../src/lib/app/prune.js';
import { UserError } from '../../../src/lib/errors.js';

const NOW = new Date('2026-08-22T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function deployment(app: string, tag: string, days: number, expiresInDays?: number): EcsDeploymentRecord {
  return {
    app,
    tag,
    env: 'dev',
    host: `${app}-${tag}.dev.example.com`,
    service: `${app}-${tag}`,
    deployedAt: daysAgo(days),
    deployedBy: 'arn:aws:sts::123456789012:user/jane',
    ...(expiresInDays === undefined ? {} : { expiresAt: daysAgo(-expiresInDays) }),
    image: 'repo@sha256:abc',
    serviceArn: `arn:aws:ecs:us-east-1:123456789012:service/c/${app}-${tag}`,
    cluster: 'c',
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    status: 'ACTIVE',
  };
}

// whoami: v5 (1d), v4 (3d), v3 (8d), v2 (10d, expired), v1 (30d); api: a1 (20d)
const deployments = [
  deployment('whoami', 'v5', 1, 6),
  deployment('whoami', 'v4', 3),
  deployment('whoami', 'v3', 8),
  deployment('whoami', 'v2', 10, -3),
  deployment('whoami', 'v1', 30),
  deployment('api', 'a1', 20),
];
const select = (criteria: Parameters<typeof selectForPrune>[1]) =>
  selectForPrune(deployments, criteria, NOW).map((candidate) => candidate.deployment.service);

describe('selectForPrune', () => {
  it('--older-than selects what was deployed before the cutoff, in every app', () => {
    expect(select({ olderThan: '7d' })).toEqual(['whoami-v3', 'whoami-v2', 'whoami-v1', 'api-a1']);
  });

  it('--keep selects all but the newest N of each app', () => {
    expect(select({ keep: 2 })).toEqual(['whoami-v3', 'whoami-v2', 'whoami-v1']);
    expect(select({ keep: 0 })).toHaveLength(6);
  });

  it('--expired selects only deployments whose expiry has passed', () => {
    expect(select({ expired: true })).toEqual(['whoami-v2']);
  });

  it('combines criteria by AND: --older-than 7d --keep 4 never touches the 4 newest of an app', () => {
    expect(select({ olderThan: '7d', keep: 4 })).toEqual(['whoami-v1']);
    expect(select({ olderThan: '7d', expired: true })).toEqual(['whoami-v2']);
  });

  it('says why each deployment is selected', () => {
    const [candidate] = selectForPrune(deployments, { olderThan: '25d', keep: 1 }, NOW);
    expect(candidate?.reasons).toEqual([
      `deployed more than 25d ago (${daysAgo(30)})`,
      'not among the 1 newest of whoami',
    ]);
  });

  it('never counts an unreadable date as old', () => {
    const odd = { ...deployment('whoami', 'odd', 0), deployedAt: 'yesterday' };
    expect(selectForPrune([odd], { olderThan: '1d' }, NOW)).toEqual([]);
  });
});

describe('checkCriteria', () => {
  it('needs at least one criterion, naming the flags (exit 2)', () => {
    const error = (() => {
      try {
        checkCriteria({});
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('Nothing selects deployments to prune.');
    expect((error as UserError).suggestions[0]).toMatch(/--older-than .* --keep .* --expired/);
    expect((error as UserError).exitCode).toBe(2);
  });

  it('rejects a duration it cannot read', () => {
    expect(() => checkCriteria({ olderThan: 'a week' })).toThrow(
      'The --older-than value "a week" is not a duration.',
    );
  });
});

describe('pruneResult', () => {
  const plan: PrunePlan = {
    env: 'dev',
    cluster: 'c',
    criteria: { olderThan: '7d' },
    now: NOW.toISOString(),
    kept: 1,
    targets: [
      {
        deployment: deployment('whoami', 'v1', 30),
        family: 'whoami-v1',
        taskDefinitions: ['arn:td/whoami-v1:1', 'arn:td/whoami-v1:2'],
        keptTaskDefinitions: [],
        reasons: ['old'],
      },
      {
        deployment: deployment('whoami', 'v2', 10),
        family: 'whoami-v2',
        taskDefinitions: ['arn:td/whoami-v2:1'],
        keptTaskDefinitions: [],
        reasons: ['old'],
      },
    ],
  };

  it('reports a dry run as what would be removed', () => {
    const result = pruneResult(plan, { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.deployments.map((d) => [d.service, d.status, d.taskDefinitions.length])).toEqual([
      ['whoami-v1', 'would remove', 2],
      ['whoami-v2', 'would remove', 1],
    ]);
    expect(result).not.toHaveProperty('targets');
  });

  it('reports what was removed and what was skipped, with the reason', () => {
    const result = pruneResult(plan, {
      dryRun: false,
      removed: [
        {
          app: 'whoami',
          tag: 'v1',
          env: 'dev',
          service: 'whoami-v1',
          serviceArn: 'arn',
          status: 'removed',
          taskDefinitions: ['arn:td/whoami-v1:1', 'arn:td/whoami-v1:2'],
        },
        {
          app: 'whoami',
          tag: 'v2',
          env: 'dev',
          service: 'whoami-v2',
          serviceArn: 'arn',
          status: 'skipped',
          reason: 'it was removed meanwhile',
          taskDefinitions: [],
        },
      ],
    });
    expect(result.deployments.map((d) => [d.service, d.status, d.reason, d.taskDefinitions])).toEqual([
      ['whoami-v1', 'removed', undefined, ['arn:td/whoami-v1:1', 'arn:td/whoami-v1:2']],
      ['whoami-v2', 'skipped', 'it was removed meanwhile', []],
    ]);
  });
});
