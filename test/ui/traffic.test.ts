import { describe, expect, it } from 'vitest';

import type { RowTraffic } from '../../src/lib/traefik/traffic.js';
import {
  formatLatency,
  formatRate,
  formatShare,
  sparkline,
  TrafficHistory,
  trafficNote,
} from '../../src/ui/traffic.js';

const traffic = (requestsPerSecond: number): RowTraffic => ({
  requestsPerSecond,
  requests: 0,
  windowSeconds: 1,
  share4xx: null,
  share5xx: null,
  p50: null,
  p95: null,
  requestsSinceStart: 0,
  counterReset: false,
});

describe('traffic cells', () => {
  it('writes rates, shares and latency estimates briefly', () => {
    expect([0, 0.333, 16.26, 1234.5].map((rate) => formatRate(traffic(rate)))).toEqual([
      '0',
      '0.33',
      '16.3',
      '1.2k',
    ]);
    expect(formatRate(undefined)).toBe('-');
    expect([null, 0, 0.1, 0.005, 0.456].map(formatShare)).toEqual(['-', '0%', '10%', '0.5%', '46%']);
    expect(formatLatency({ seconds: 0.0562, bucket: [0, 0.1], estimate: 'within its bucket' })).toBe('~56ms');
    expect(formatLatency({ seconds: 2.5, bucket: [1.2, 5], estimate: 'within its bucket' })).toBe('~2.5s');
    expect(formatLatency({ seconds: 5, bucket: [5, null], estimate: 'within its bucket' })).toBe('>5.0s');
  });

  it('draws a sparkline scaled to the largest value, padded to its width', () => {
    expect(sparkline([0, 5, 10])).toBe('     ▁▅█');
    expect(sparkline([0, 0])).toBe('      ▁▁');
  });

  it('keeps a few points per route and forgets routes that are gone', () => {
    const history = new TrafficHistory(3);
    for (const rate of [1, 2, 3, 4])
      history.update([{ name: 'a', traffic: traffic(rate) }], (row) => row.name);
    expect(history.values('a')).toEqual([2, 3, 4]);
    history.update([{ name: 'b', traffic: traffic(1) }], (row) => row.name);
    expect(history.values('a')).toEqual([]);
    expect(history.size).toBe(1);
  });

  it('says why traffic is missing only the first time', () => {
    const status = { state: 'unavailable', message: 'No /metrics.', suggestion: 'Run cluster up.' } as const;
    expect(trafficNote({ ...status, first: true })).toBe(
      'No /metrics. Everything else is shown as usual.\nRun cluster up.',
    );
    expect(trafficNote({ ...status, first: false })).toBeUndefined();
    expect(trafficNote({ state: 'measuring' })).toBeUndefined();
  });
});
