import { describe, expect, it } from 'vitest';

import {
  checkDeploymentLimit,
  defaultTtl,
  limitError,
  limitWarning,
  pruneOrder,
  tagPattern,
  ttlForTag,
  type LimitedDeployment,
} from '../../../src/lib/app/limits.js';
import { ExitCode } from '../../../src/lib/errors.js';

const NOW = new Date('2026-03-10T12:00:00.000Z');

function deployment(
  tag: string,
  deployedAt: string,
  extra: Partial<LimitedDeployment> = {},
): LimitedDeployment {
  return { tag, service: `whoami-${tag}`, deployedAt, desiredCount: 1, runningCount: 1, ...extra };
}

describe('ttlFor', () => {
  it.each([
    ['pr-*', 'pr-42', true],
    ['pr-*', 'pr-', true],
    ['pr-*', 'xpr-42', false],
    ['feature/*', 'feature/login', true],
    ['v1.2.*', 'v1.2.3', true],
    ['v1.2.*', 'v1x2.3', false],
    ['main', 'main', true],
    ['main', 'maintenance', false],
  ])('%s matches %s: %s', (pattern, tag, matches) => {
    expect(tagPattern(pattern).test(tag)).toBe(matches);
  });

  it('gives the first matching pattern its ttl, then the app ttl', () => {
    const app = { ttl: '30d', ttlFor: { 'pr-*': '3d', 'feature/*': '7d', '*': '14d' } };
    expect(ttlForTag(app.ttlFor, 'pr-7')).toEqual({ pattern: 'pr-*', ttl: '3d' });
    expect(defaultTtl(app, 'pr-7')).toBe('3d');
    expect(defaultTtl(app, 'feature/x')).toBe('7d');
    expect(defaultTtl(app, 'v2')).toBe('14d');
    expect(defaultTtl({ ttl: '30d', ttlFor: { 'pr-*': '3d' } }, 'v2')).toBe('30d');
    expect(defaultTtl({}, 'pr-7')).toBeUndefined();
  });
});

describe('maxDeployments', () => {
  const running = [
    deployment('v3', '2026-03-09T12:00:00.000Z'),
    deployment('v1', '2026-03-01T12:00:00.000Z'),
    deployment('v2', '2026-03-05T12:00:00.000Z'),
  ];

  it('lets a tag in under the limit, and always lets a running tag be redeployed', () => {
    expect(checkDeploymentLimit({ max: 4, tag: 'v4', deployments: running, now: NOW })).toEqual({
      kind: 'ok',
    });
    expect(checkDeploymentLimit({ max: 3, tag: 'v2', deployments: running, now: NOW })).toEqual({
      kind: 'ok',
    });
    expect(checkDeploymentLimit({ max: undefined, tag: 'v9', deployments: running, now: NOW })).toEqual({
      kind: 'ok',
    });
  });

  it('names the oldest to remove for one more tag at the limit', () => {
    const decision = checkDeploymentLimit({ max: 3, tag: 'v4', deployments: running, now: NOW });
    expect(decision.kind).toBe('full');
    if (decision.kind !== 'full') return;
    expect(decision.remove.map((d) => d.tag)).toEqual(['v1']);
    const over = checkDeploymentLimit({ max: 2, tag: 'v4', deployments: running, now: NOW });
    expect(over.kind === 'full' ? over.remove.map((d) => d.tag) : []).toEqual(['v1', 'v2']);
  });

  it('removes expired ones first, then idle ones, then the oldest', () => {
    const mixed = [
      deployment('old', '2026-01-01T00:00:00.000Z'),
      deployment('idle', '2026-03-09T00:00:00.000Z', { desiredCount: 0, runningCount: 0 }),
      deployment('expired-late', '2026-03-08T00:00:00.000Z', { expiresAt: '2026-03-10T00:00:00.000Z' }),
      deployment('expired-early', '2026-03-09T00:00:00.000Z', { expiresAt: '2026-03-09T06:00:00.000Z' }),
      deployment('not-yet', '2026-02-01T00:00:00.000Z', { expiresAt: '2026-04-01T00:00:00.000Z' }),
    ];
    expect(pruneOrder(mixed, NOW).map((d) => d.tag)).toEqual([
      'expired-early',
      'expired-late',
      'idle',
      'old',
      'not-yet',
    ]);
  });

  it('refuses with exit 2, the list and the commands to prune', () => {
    const decision = checkDeploymentLimit({ max: 3, tag: 'pr-9', deployments: running, now: NOW });
    if (decision.kind !== 'full') throw new Error('expected full');
    const error = limitError('whoami', 'pr-9', 'dev', decision, NOW);
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.code).toBe('MAX_DEPLOYMENTS');
    expect(error.message).toBe(
      "Can't deploy whoami --tag pr-9: whoami has 3 deployments in dev, and apps.whoami.maxDeployments is 3. Remove this one first:",
    );
    expect(error.suggestions).toEqual([
      '  v1 (whoami-v1, deployed 9d ago; the oldest)',
      'traefikctl app destroy whoami --tag v1 --env dev --yes',
      'Or let the deploy remove them: `traefikctl app deploy whoami --tag pr-9 --env dev --prune-oldest`.',
      'Or raise apps.whoami.maxDeployments.',
    ]);
  });

  it('warns at the limit and one short of it', () => {
    expect(limitWarning('whoami', 5, 5)).toContain('whoami is at its limit: 5 of 5 deployments');
    expect(limitWarning('whoami', 4, 5)).toBe(
      'whoami is near its limit: 4 of 5 deployments (maxDeployments).',
    );
    expect(limitWarning('whoami', 3, 5)).toBeUndefined();
    expect(limitWarning('whoami', 1, 2)).toBeUndefined();
    expect(limitWarning('whoami', 9, undefined)).toBeUndefined();
  });
});
