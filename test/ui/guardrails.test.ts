/** How issue 18's guardrails read: the cost column of `app urls`, the cost and limits in `status`. */
import { describe, expect, it } from 'vitest';

import type { AppUrlsResult, DeploymentUrl } from '../../src/lib/app/urls.js';
import type { EnvStatus } from '../../src/lib/status/env.js';
import { renderUrlsTable, urlsNotes } from '../../src/ui/app-urls.js';
import type { Presentation } from '../../src/ui/mode.js';
import { statusHeader } from '../../src/ui/status.js';
import { stylist } from '../../src/ui/style.js';

const NOW = Date.parse('2026-12-05T12:00:00.000Z');
const terminal: Presentation = { mode: 'tty', stdoutIsTty: true, color: false, interactive: true };
const pipe: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };

const row = (tag: string, costPerDay: string, extra: Partial<DeploymentUrl> = {}): DeploymentUrl => ({
  app: 'whoami',
  tag,
  env: 'dev',
  host: `whoami-${tag}.dev.example.com`,
  url: `http://whoami-${tag}.dev.example.com`,
  service: `whoami-${tag}`,
  running: 1,
  desired: 1,
  pending: 0,
  rollout: 'COMPLETED',
  deployedAt: '2026-12-04T12:00:00.000Z',
  deployedBy: 'arn:aws:sts::123456789012:assumed-role/ci/GitHubActions',
  expiresAt: '2026-12-07T12:00:00.000Z',
  image: 'repo@sha256:abc',
  costPerDay,
  ...extra,
});

describe('app urls with costs', () => {
  const result: AppUrlsResult = {
    env: 'dev',
    target: 'ecs',
    cluster: 'traefikctl-dev',
    traefik: { status: 'ok' },
    deployments: [row('pr-7', '$0.30/day'), row('pr-6', '$0.00/day', { running: 0, desired: 0 })],
    totalCostPerDay: '$0.30/day',
  };

  it('shows age, expiry and the daily cost of each deployment, and the env total on stderr', () => {
    const table = renderUrlsTable(result, terminal, NOW);
    const [header, first] = table.split('\n');
    expect(header).toMatch(/AGE\s+BY\s+EXPIRES\s+COST\/DAY$/);
    expect(first).toMatch(/24h\s+GitHubActions\s+in 2d\s+\$0\.30$/);
    expect(urlsNotes(result, stylist(false))).toEqual([
      'Fargate cost of env dev: $0.30/day (on demand, AWS Price List)',
    ]);
    // a pipe keeps ISO times and puts the cost last
    expect(renderUrlsTable(result, pipe, NOW).split('\n')[0]?.split('\t').slice(-3)).toEqual([
      'arn:aws:sts::123456789012:assumed-role/ci/GitHubActions',
      '2026-12-07T12:00:00.000Z',
      '$0.30',
    ]);
  });

  it('says unknown, never a guess, when prices could not be read', () => {
    const unknown = { ...result, deployments: [row('pr-7', 'unknown')], totalCostPerDay: 'unknown' };
    expect(renderUrlsTable(unknown, terminal, NOW).split('\n')[1]).toMatch(/unknown$/);
    expect(urlsNotes(unknown, stylist(false))).toEqual([
      'Fargate cost of env dev: unknown (the AWS Price List or a task size could not be read)',
    ]);
  });
});

describe('status with guardrails', () => {
  const status: EnvStatus = {
    env: 'dev',
    target: 'ecs',
    checkedAt: '2026-12-05T12:00:00.000Z',
    cluster: {
      stackName: 'traefikctl-dev',
      stackStatus: 'CREATE_COMPLETE',
      name: 'traefikctl-dev',
      problems: [],
    },
    traefik: { problems: [] },
    deployments: [],
    strays: [],
    problems: 0,
    guardrails: {
      costPerDay: '$1.20/day',
      warnings: ['whoami is near its limit: 4 of 5 deployments (maxDeployments).'],
    },
  };

  it('shows the env cost and warns about apps near their limit', () => {
    const lines = statusHeader(status, false);
    expect(lines.slice(-2)).toEqual([
      'Fargate cost: $1.20/day (on demand, AWS Price List)',
      '! whoami is near its limit: 4 of 5 deployments (maxDeployments).',
    ]);
  });
});
