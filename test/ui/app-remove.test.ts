import { describe, expect, it } from 'vitest';

import type { EcsDeploymentRecord } from '../../src/lib/ecs/services.js';
import type { PruneTarget } from '../../src/lib/app/prune.js';
import { UserError } from '../../src/lib/errors.js';
import { confirmRemoval, describeRemoval, renderRemovalTable } from '../../src/ui/app-remove.js';
import type { Presentation } from '../../src/ui/mode.js';

const NOW = Date.parse('2026-08-22T12:00:00.000Z');
const td = (revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/whoami-v1:${revision}`;
const target: PruneTarget = {
  deployment: {
    app: 'whoami',
    tag: 'v1',
    env: 'dev',
    host: 'whoami-v1.dev.example.com',
    service: 'whoami-v1',
    cluster: 'traefikctl-dev',
    deployedAt: '2026-08-12T12:00:00.000Z',
    runningCount: 1,
    desiredCount: 1,
  } as EcsDeploymentRecord,
  family: 'whoami-v1',
  taskDefinitions: [td(1), td(2)],
  keptTaskDefinitions: [
    { arn: td(3), reason: 'registered for env staging' },
    ...[4, 5, 6, 7, 8, 9, 10].map((n) => ({ arn: td(n), reason: 'registered for env dev' })),
  ],
  reasons: ['deployed more than 7d ago (2026-08-12T12:00:00.000Z)'],
};
const pipe: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };

describe('describeRemoval', () => {
  it('lists the service and the revisions that go, and those that stay with why', () => {
    expect(describeRemoval([target], { color: false, now: NOW })).toBe(
      [
        'whoami v1 (whoami-v1.dev.example.com, deployed 10d ago)',
        '  why: deployed more than 7d ago (2026-08-12T12:00:00.000Z)',
        '  − ECS service whoami-v1 (1/1 running) in traefikctl-dev',
        '  − task definition whoami-v1 revisions 1, 2',
        '    keeps revision 3 (registered for env staging)',
        '    keeps revisions 4, 5, 6, 7, 8 and 2 more (registered for env dev)',
        '',
      ].join('\n'),
    );
  });
});

describe('describeRemoval of a service already deleted', () => {
  it('says the service is gone and only its revisions are left to deregister', () => {
    const leftover = {
      deployment: { ...target.deployment, status: 'INACTIVE', runningCount: 0, desiredCount: 0 },
      family: 'whoami-v1',
      taskDefinitions: [td(2)],
      keptTaskDefinitions: [],
    };

    expect(describeRemoval([leftover], { color: false, now: NOW })).toBe(
      [
        'whoami v1 (whoami-v1.dev.example.com, deployed 10d ago)',
        '    ECS service whoami-v1 is already inactive: only its revisions are left',
        '  − task definition whoami-v1 revision 2',
        '',
      ].join('\n'),
    );
  });
});

describe('renderRemovalTable', () => {
  it('prints one tab-separated row per deployment in a pipe', () => {
    expect(
      renderRemovalTable(
        [
          {
            app: 'whoami',
            tag: 'v1',
            service: 'whoami-v1',
            taskDefinitions: [td(1), td(2)],
            status: 'would remove',
          },
        ],
        pipe,
      ),
    ).toBe('whoami\tv1\twhoami-v1\t1,2\twould remove\n');
  });
});

describe('confirmRemoval', () => {
  it('goes ahead with --yes', async () => {
    await expect(confirmRemoval({ presentation: pipe, yes: true, count: 2, retry: 'x' })).resolves.toBe(true);
  });

  it('fails without --yes where it cannot ask, naming --yes (exit 2)', async () => {
    const error = await confirmRemoval({
      presentation: pipe,
      yes: false,
      count: 2,
      retry: 'traefikctl app prune --older-than 7d',
      listOnly: 'traefikctl app prune --older-than 7d --dry-run',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      'Removing 2 deployments needs confirmation, and there is no terminal to ask on.',
    );
    expect((error as UserError).suggestions[0]).toBe(
      'Pass --yes to remove what is listed above: traefikctl app prune --older-than 7d --yes',
    );
    expect((error as UserError).suggestions[1]).toBe(
      'To only list it: traefikctl app prune --older-than 7d --dry-run',
    );
    expect((error as UserError).exitCode).toBe(2);
  });

  it('suggests no way to only list when the command has none', async () => {
    const error = await confirmRemoval({
      presentation: pipe,
      yes: false,
      count: 1,
      retry: 'traefikctl app destroy whoami --tag "v2" --env dev',
    }).catch((e: unknown) => e);
    expect((error as UserError).suggestions).toEqual([
      'Pass --yes to remove what is listed above: traefikctl app destroy whoami --tag "v2" --env dev --yes',
    ]);
  });
});
