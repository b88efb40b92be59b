import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

import { limitInstanceMetadata } from '../aws/instance-metadata.js';

/**
 * What a deployment costs on Fargate, from the AWS Price List API (issue 18): the on-demand price of
 * a vCPU-hour and a GB-hour in the region for the architecture, times the task size, times 24 hours.
 * Prices are read with GetProducts on the Price List endpoint in us-east-1 and cached for a day under
 * the user's cache dir. When they can't be read (no credentials, no network, an answer that doesn't
 * parse) the cost is unknown: never a guess, never a built-in table.
 */

export type Architecture = 'X86_64' | 'ARM64';

export interface FargateRates {
  /** USD per vCPU-hour and per GB-hour, on demand. */
  vcpuHour: number;
  gbHour: number;
}

export interface RegionRates {
  region: string;
  /** ISO 8601: when the Price List answered. */
  fetchedAt: string;
  rates: Partial<Record<Architecture, FargateRates>>;
}

/** A task size: the task definition's `cpu` units (1024 = 1 vCPU) and `memory` MiB. */
export interface TaskSize {
  cpu: number;
  memory: number;
  architecture: Architecture;
  /** Tasks running (the service's desired count). */
  tasks: number;
}

export type DailyCost = { usd: number } | { unknown: string };

/** usagetype as the Price List names Fargate's on-demand Linux prices: `USE1-Fargate-ARM-GB-Hours`. */
const USAGE = /^[A-Z0-9]+-Fargate-(ARM-)?(vCPU-Hours:perCPU|GB-Hours)$/;

interface PriceListItem {
  product?: { attributes?: Record<string, string> };
  terms?: {
    OnDemand?: Record<
      string,
      { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: Record<string, string> }> }
    >;
  };
}

/**
 * The Fargate rates in GetProducts' `PriceList` (each entry a JSON string, as the API documents it)
 * for a region. An architecture is present only when both its vCPU and GB prices are (in USD, per
 * hour, one on-demand price each).
 */
export function parseFargateRates(priceList: readonly string[], region: string): RegionRates['rates'] {
  const found: Record<string, number> = {};
  for (const text of priceList) {
    let item: PriceListItem;
    try {
      item = JSON.parse(text) as PriceListItem;
    } catch {
      continue;
    }
    const attributes = item.product?.attributes ?? {};
    if (attributes.regionCode !== undefined && attributes.regionCode !== region) continue;
    const match = USAGE.exec(attributes.usagetype ?? '');
    if (match === null) continue;
    const prices = Object.values(item.terms?.OnDemand ?? {}).flatMap((term) =>
      Object.values(term.priceDimensions ?? {}),
    );
    const hourly = prices.filter(
      (p) => /^h(ou)?rs?$/i.test(p.unit ?? '') && p.pricePerUnit?.USD !== undefined,
    );
    const [price] = hourly;
    if (hourly.length !== 1 || price === undefined) continue;
    const usd = Number(price.pricePerUnit?.USD);
    if (!Number.isFinite(usd) || usd <= 0) continue;
    const key = `${match[1] === undefined ? 'X86_64' : 'ARM64'}:${match[2]?.startsWith('vCPU') ? 'cpu' : 'gb'}`;
    found[key] = usd;
  }
  const rates: RegionRates['rates'] = {};
  for (const architecture of ['X86_64', 'ARM64'] as const) {
    const vcpuHour = found[`${architecture}:cpu`];
    const gbHour = found[`${architecture}:gb`];
    if (vcpuHour !== undefined && gbHour !== undefined) rates[architecture] = { vcpuHour, gbHour };
  }
  return rates;
}

/** USD per day for `size`, or why it is unknown. */
export function dailyCost(rates: RegionRates | undefined, size: TaskSize): DailyCost {
  if (rates === undefined) return { unknown: "Fargate prices can't be read" };
  const rate = rates.rates[size.architecture];
  if (rate === undefined)
    return { unknown: `the Price List has no Fargate ${size.architecture} price for ${rates.region}` };
  const perTaskHour = (size.cpu / 1024) * rate.vcpuHour + (size.memory / 1024) * rate.gbHour;
  return { usd: perTaskHour * 24 * size.tasks };
}

/** `$0.97/day`, or `unknown`. */
export function formatDailyCost(cost: DailyCost): string {
  if ('unknown' in cost) return 'unknown';
  return `$${cost.usd < 10 ? cost.usd.toFixed(2) : cost.usd.toFixed(0)}/day`;
}

/** The sum of known costs; unknown when any is. */
export function totalCost(costs: readonly DailyCost[]): DailyCost {
  let usd = 0;
  for (const cost of costs) {
    if ('unknown' in cost) return cost;
    usd += cost.usd;
  }
  return { usd };
}

/** The CLI's cache dir as oclif lays it out (XDG on Linux, Library/Caches on macOS, LOCALAPPDATA on Windows). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'traefikctl');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'traefikctl');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'traefikctl');
  return join(homedir(), '.cache', 'traefikctl');
}

const DAY_MS = 24 * 3_600_000;
const MAX_PAGES = 10;

export interface PriceReader {
  /** One GetProducts page: `PriceList` and `NextToken`. */
  getProducts(input: {
    ServiceCode: string;
    Filters: { Type: 'TERM_MATCH' | 'CONTAINS'; Field: string; Value: string }[];
    NextToken?: string | undefined;
    MaxResults: number;
  }): Promise<{ PriceList?: string[] | undefined; NextToken?: string | undefined }>;
}

export interface FargatePricesOptions {
  region: string;
  cacheDir?: string | undefined;
  now?: Date | undefined;
  /** AWS profile for the Price List call (prices need credentials, any account's). */
  profile?: string | undefined;
  /** For tests; defaults to a PricingClient in us-east-1. */
  reader?: PriceReader | undefined;
  /** How long the Price List may take (ms). */
  timeoutMs?: number | undefined;
}

function cacheFile(cacheDir: string, region: string): string {
  return join(cacheDir, 'pricing', `fargate-${region}.json`);
}

async function readCache(file: string, region: string, now: Date): Promise<RegionRates | undefined> {
  try {
    const cached = JSON.parse(await readFile(file, 'utf8')) as RegionRates;
    const age = now.getTime() - Date.parse(cached.fetchedAt);
    if (cached.region !== region || !(age >= 0 && age < DAY_MS)) return undefined;
    return cached;
  } catch {
    return undefined;
  }
}

async function sdkReader(
  profile: string | undefined,
  timeoutMs: number,
): Promise<PriceReader & { destroy(): void }> {
  const { PricingClient, GetProductsCommand } = await import('@aws-sdk/client-pricing');
  limitInstanceMetadata();
  // The Price List answers in us-east-1 (and ap-south-1) whatever region the deployment is in.
  const client = new PricingClient({
    region: 'us-east-1',
    ...(profile ? { profile } : {}),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: Math.min(timeoutMs, 5_000), requestTimeout: timeoutMs },
  });
  return {
    getProducts: (input) => client.send(new GetProductsCommand(input)),
    destroy: () => client.destroy(),
  };
}

/**
 * The region's Fargate rates: from the cache when it is less than a day old, else from the Price
 * List (then cached). Undefined when they can't be read; never throws.
 */
export async function fargatePrices(options: FargatePricesOptions): Promise<RegionRates | undefined> {
  const now = options.now ?? new Date();
  const file = cacheFile(options.cacheDir ?? defaultCacheDir(), options.region);
  const cached = await readCache(file, options.region, now);
  if (cached !== undefined) return cached;
  const timeoutMs = options.timeoutMs ?? 8_000;
  let owned: (PriceReader & { destroy(): void }) | undefined;
  try {
    const reader = options.reader ?? (owned = await sdkReader(options.profile, timeoutMs));
    const priceList: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await reader.getProducts({
        ServiceCode: 'AmazonECS',
        Filters: [
          { Type: 'TERM_MATCH', Field: 'regionCode', Value: options.region },
          { Type: 'CONTAINS', Field: 'usagetype', Value: 'Fargate' },
        ],
        MaxResults: 100,
        ...(token === undefined ? {} : { NextToken: token }),
      });
      priceList.push(...(answer.PriceList ?? []));
      token = answer.NextToken;
      if (!token) break;
    }
    const rates = parseFargateRates(priceList, options.region);
    if (Object.keys(rates).length === 0) return undefined;
    const result: RegionRates = { region: options.region, fetchedAt: now.toISOString(), rates };
    await writeCache(file, result).catch(() => undefined);
    return result;
  } catch {
    return undefined;
  } finally {
    owned?.destroy();
  }
}

async function writeCache(file: string, rates: RegionRates): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(rates));
  await rename(temporary, file);
}
