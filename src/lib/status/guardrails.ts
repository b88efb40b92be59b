import type { AppConfig } from '../config/schema.js';
import { envCosts } from '../app/deployment-costs.js';
import { limitWarning } from '../app/limits.js';
import { fargatePrices, formatDailyCost, type RegionRates } from '../pricing/fargate.js';

/**
 * `status`'s guardrails (issue 18): apps at or near their `maxDeployments`, and the env's daily
 * Fargate cost (`unknown` when prices or a task size can't be read).
 */
export interface StatusGuardrails {
  /** One sentence per app near or at its limit. */
  warnings: string[];
  /** `$1.20/day` or `unknown`. */
  costPerDay: string;
}

/** Pure: the limit warnings for the live deployments' apps. */
export function limitWarnings(
  deployments: readonly { app: string }[],
  apps: Readonly<Record<string, Pick<AppConfig, 'maxDeployments'>>>,
): string[] {
  const counts = new Map<string, number>();
  for (const { app } of deployments) counts.set(app, (counts.get(app) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([app, count]) => limitWarning(app, count, apps[app]?.maxDeployments) ?? []);
}

export async function statusGuardrails(options: {
  deployments: readonly { app: string; desired: number }[];
  apps: Readonly<Record<string, AppConfig>>;
  region: string | undefined;
  profile: string | undefined;
  prices?: (() => Promise<RegionRates | undefined>) | undefined;
}): Promise<StatusGuardrails> {
  const costs = await envCosts({
    rows: options.deployments,
    apps: options.apps,
    region: options.region,
    profile: options.profile,
    prices: options.prices,
  });
  return {
    warnings: limitWarnings(options.deployments, options.apps),
    costPerDay: formatDailyCost(costs.total),
  };
}

/** The prices read once for a watch: `status --watch` asks the Price List (or its cache) one time. */
export function pricesOnce(region: () => Promise<string | undefined>, profile: string | undefined) {
  let read: Promise<RegionRates | undefined> | undefined;
  return (): Promise<RegionRates | undefined> =>
    (read ??= region().then((name) =>
      name === undefined ? undefined : fargatePrices({ region: name, profile }),
    ));
}
