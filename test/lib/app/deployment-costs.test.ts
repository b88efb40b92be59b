import { describe, expect, it } from 'vitest';

import { costsOf } from '../../../src/lib/app/deployment-costs.js';
import { dailyCost, formatDailyCost, totalCost } from '../../../src/lib/pricing/fargate.js';
import { limitWarnings } from '../../../src/lib/status/guardrails.js';

const rates = {
  region: 'us-east-1',
  fetchedAt: '2026-12-05T12:00:00.000Z',
  rates: {
    X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
    ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
  },
};
const apps = {
  whoami: { cpu: 256 as const, memory: 512, platform: 'linux/amd64' },
  api: { cpu: 1024 as const, memory: 2048, platform: 'linux/arm64' },
};

describe('costsOf', () => {
  it("prices each deployment by its app's size, architecture and desired tasks, and sums the env", () => {
    const costs = costsOf(
      [
        { app: 'whoami', desired: 1 },
        { app: 'api', desired: 2 },
        { app: 'whoami', desired: 0 },
      ],
      apps,
      rates,
      dailyCost,
      totalCost,
    );
    // whoami: (0.25 × 0.04048 + 0.5 × 0.004445) × 24; api on ARM64: (1 × 0.03238 + 2 × 0.00356) × 24 × 2
    expect(costs.perDeployment.map(formatDailyCost)).toEqual(['$0.30/day', '$1.90/day', '$0.00/day']);
    expect(formatDailyCost(costs.total)).toBe('$2.19/day');
  });

  it('is unknown for an app the configuration no longer has, and so is the total; or without prices', () => {
    const costs = costsOf(
      [
        { app: 'gone', desired: 1 },
        { app: 'whoami', desired: 1 },
      ],
      apps,
      rates,
      dailyCost,
      totalCost,
    );
    expect(costs.perDeployment.map(formatDailyCost)).toEqual(['unknown', '$0.30/day']);
    expect(formatDailyCost(costs.total)).toBe('unknown');
    const noPrices = costsOf([{ app: 'whoami', desired: 1 }], apps, undefined, dailyCost, totalCost);
    expect(formatDailyCost(noPrices.total)).toBe('unknown');
  });
});

describe('limitWarnings', () => {
  it('warns for the apps at or near their maxDeployments only', () => {
    const deployments = [
      ...Array.from({ length: 3 }, () => ({ app: 'whoami' })),
      ...Array.from({ length: 4 }, () => ({ app: 'api' })),
      { app: 'free' },
    ];
    expect(
      limitWarnings(deployments, { whoami: { maxDeployments: 3 }, api: { maxDeployments: 5 }, free: {} }),
    ).toEqual([
      'api is near its limit: 4 of 5 deployments (maxDeployments).',
      'whoami is at its limit: 3 of 3 deployments (maxDeployments); the next new tag is refused unless deployed with --prune-oldest.',
    ]);
  });
});
