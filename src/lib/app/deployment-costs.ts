import type { AppConfig } from '../config/schema.js';
import type { Architecture, DailyCost, RegionRates } from '../pricing/fargate.js';

/**
 * What the deployments of an env cost per day on Fargate (issue 18), for `app urls` and `status`:
 * each deployment's task size comes from its app's configuration (cpu, memory, platform), its task
 * count from ECS (desired: a tag scaled to 0 costs nothing), and the prices from the Price List. A
 * deployment of an app the configuration no longer has is unknown, and so is the total then.
 */

export interface CostedRow {
  app: string;
  desired: number;
}

export interface EnvCosts {
  /** One per row, in order. */
  perDeployment: DailyCost[];
  total: DailyCost;
}

function architecture(platform: string): Architecture {
  return platform.endsWith('/arm64') ? 'ARM64' : 'X86_64';
}

/** Pure: the costs of `rows` at `rates` (undefined: prices unknown). */
export function costsOf(
  rows: readonly CostedRow[],
  apps: Readonly<Record<string, Pick<AppConfig, 'cpu' | 'memory' | 'platform'>>>,
  rates: RegionRates | undefined,
  dailyCost: (
    rates: RegionRates | undefined,
    size: { cpu: number; memory: number; architecture: Architecture; tasks: number },
  ) => DailyCost,
  totalCost: (costs: readonly DailyCost[]) => DailyCost,
): EnvCosts {
  const perDeployment = rows.map((row): DailyCost => {
    if (row.desired === 0) return { usd: 0 };
    const app = apps[row.app];
    if (app === undefined)
      return { unknown: `${row.app} is not in the configuration: its task size is unknown` };
    return dailyCost(rates, {
      cpu: app.cpu,
      memory: app.memory,
      architecture: architecture(app.platform),
      tasks: row.desired,
    });
  });
  return { perDeployment, total: totalCost(perDeployment) };
}

/** Reads the region's prices (cached for a day) and prices every row; never throws. */
export async function envCosts(options: {
  rows: readonly CostedRow[];
  apps: Readonly<Record<string, AppConfig>>;
  region: string | undefined;
  profile: string | undefined;
  /** Reads the prices instead (a watch reads them once, not on every tick). */
  prices?: (() => Promise<RegionRates | undefined>) | undefined;
}): Promise<EnvCosts> {
  const { dailyCost, fargatePrices, totalCost } = await import('../pricing/fargate.js');
  const { region, profile } = options;
  const read =
    options.prices ?? (() => (region === undefined ? undefined : fargatePrices({ region, profile })));
  const rates = options.rows.every((row) => row.desired === 0) ? undefined : await read();
  return costsOf(options.rows, options.apps, rates, dailyCost, totalCost);
}
