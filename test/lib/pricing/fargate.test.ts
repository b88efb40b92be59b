/**
 * Fargate's daily cost from the Price List. moto has no Pricing API and tests never reach AWS, so the
 * SDK's PricingClient talks to a stand-in on 127.0.0.1 (test/support/price-list-stand-in.ts) that
 * answers GetProducts in the API's documented format (PriceList entries as JSON strings), through
 * AWS_ENDPOINT_URL_PRICING as a user's emulator would be set.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  dailyCost,
  fargatePrices,
  formatDailyCost,
  parseFargateRates,
  totalCost,
} from '../../../src/lib/pricing/fargate.js';
import {
  priceListEntry,
  startPriceListStandIn,
  US_EAST_1,
  type PriceListStandIn,
} from '../../support/price-list-stand-in.js';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const SMALL = { cpu: 256, memory: 512, architecture: 'X86_64' as const, tasks: 1 };

describe('parseFargateRates', () => {
  it('reads the vCPU and GB hour prices per architecture, and nothing else', () => {
    const rates = parseFargateRates(
      US_EAST_1.map((product, index) => priceListEntry(product, index)),
      'us-east-1',
    );
    expect(rates).toEqual({
      X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
      ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
    });
  });

  it('leaves out an architecture with only one of its prices, another region, and what does not parse', () => {
    const rates = parseFargateRates(
      [
        priceListEntry(
          { region: 'us-east-1', usagetype: 'USE1-Fargate-vCPU-Hours:perCPU', usd: '0.04048' },
          1,
        ),
        priceListEntry({ region: 'eu-west-1', usagetype: 'EUW1-Fargate-GB-Hours', usd: '0.004865' }, 2),
        priceListEntry({ region: 'us-east-1', usagetype: 'USE1-Fargate-ARM-GB-Hours', usd: 'free' }, 3),
        '{not json',
      ],
      'us-east-1',
    );
    expect(rates).toEqual({});
  });
});

describe('dailyCost', () => {
  const rates = {
    region: 'us-east-1',
    fetchedAt: NOW.toISOString(),
    rates: { X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 } },
  };

  it('is the task size times the hourly rates times 24, per task', () => {
    // 0.25 vCPU × 0.04048 + 0.5 GB × 0.004445 = 0.0123425 per hour
    const one = dailyCost(rates, SMALL);
    expect('usd' in one && one.usd).toBeCloseTo(0.29622, 5);
    expect(formatDailyCost(one)).toBe('$0.30/day');
    const three = dailyCost(rates, { ...SMALL, cpu: 1024, memory: 2048, tasks: 3 });
    expect(formatDailyCost(three)).toBe('$3.55/day');
    expect(formatDailyCost(totalCost([one, three]))).toBe('$3.85/day');
  });

  it('is unknown without prices, or without the architecture, never a guess', () => {
    expect(formatDailyCost(dailyCost(undefined, SMALL))).toBe('unknown');
    expect(dailyCost(rates, { ...SMALL, architecture: 'ARM64' })).toEqual({
      unknown: 'the Price List has no Fargate ARM64 price for us-east-1',
    });
    expect(formatDailyCost(totalCost([dailyCost(rates, SMALL), dailyCost(undefined, SMALL)]))).toBe(
      'unknown',
    );
  });
});

describe('fargatePrices through the SDK, against the Price List stand-in', () => {
  let standIn: PriceListStandIn;
  let cacheDir: string;
  const saved = process.env.AWS_ENDPOINT_URL_PRICING;

  beforeAll(async () => {
    standIn = await startPriceListStandIn();
    process.env.AWS_ENDPOINT_URL_PRICING = standIn.url;
  });
  afterEach(async () => {
    standIn.fail(undefined);
    standIn.requests.length = 0;
    await rm(cacheDir, { recursive: true, force: true });
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_PRICING;
    else process.env.AWS_ENDPOINT_URL_PRICING = saved;
    await standIn.close();
  });

  it('asks GetProducts for the region once, pages through, and caches the answer for a day', async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'traefikctl-pricing-'));

    const first = await fargatePrices({ region: 'us-east-1', cacheDir, now: NOW });
    expect(first?.rates.X86_64).toEqual({ vcpuHour: 0.04048, gbHour: 0.004445 });
    expect(standIn.requests).toHaveLength(1);
    expect(standIn.requests[0]).toEqual({
      target: 'AWSPriceListService.GetProducts',
      body: {
        ServiceCode: 'AmazonECS',
        Filters: [
          { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' },
          { Type: 'CONTAINS', Field: 'usagetype', Value: 'Fargate' },
        ],
        MaxResults: 100,
      },
    });
    const cached: unknown = JSON.parse(
      await readFile(path.join(cacheDir, 'pricing', 'fargate-us-east-1.json'), 'utf8'),
    );
    expect(cached).toMatchObject({ region: 'us-east-1', fetchedAt: NOW.toISOString() });

    // the same day, the API failing: the cache answers
    standIn.fail(500);
    const later = new Date(NOW.getTime() + 23 * 3_600_000);
    expect((await fargatePrices({ region: 'us-east-1', cacheDir, now: later }))?.rates).toEqual(first?.rates);
    expect(standIn.requests).toHaveLength(1);

    // a day later with the API failing: unknown, not the stale prices
    const tomorrow = new Date(NOW.getTime() + 25 * 3_600_000);
    expect(await fargatePrices({ region: 'us-east-1', cacheDir, now: tomorrow })).toBeUndefined();
    expect(standIn.requests).toHaveLength(2);
  });

  it('follows NextToken when the answer comes in pages', async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'traefikctl-pricing-'));
    const reader = {
      calls: [] as (string | undefined)[],
      getProducts(input: { NextToken?: string | undefined }) {
        this.calls.push(input.NextToken);
        const page = input.NextToken === undefined ? 0 : Number(input.NextToken);
        const entries = US_EAST_1.map((product, index) => priceListEntry(product, index));
        return Promise.resolve({
          PriceList: entries.slice(page * 2, page * 2 + 2),
          ...(page * 2 + 2 < entries.length ? { NextToken: String(page + 1) } : {}),
        });
      },
    };
    const prices = await fargatePrices({ region: 'us-east-1', cacheDir, now: NOW, reader });
    expect(reader.calls).toEqual([undefined, '1', '2']);
    expect(prices?.rates.ARM64).toEqual({ vcpuHour: 0.03238, gbHour: 0.00356 });
  });

  it('is undefined (unknown) for a region the Price List has no Fargate prices for', async () => {
    cacheDir = await mkdtemp(path.join(tmpdir(), 'traefikctl-pricing-'));
    expect(await fargatePrices({ region: 'eu-west-1', cacheDir, now: NOW })).toBeUndefined();
    expect(standIn.requests).toHaveLength(1);
  });
});
