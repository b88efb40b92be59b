import type { RowTraffic, RowLatency, TrafficStatus } from '../lib/traefik/traffic.js';
import type { Column } from './table.js';

/**
 * How traffic looks in the views: the columns `routes`, `app urls` and `routes --watch` append
 * (req/s, 4xx%, 5xx%, p50, p95), the sparkline of a watch, and the line that says what the numbers
 * are. Latencies are estimates within a histogram bucket, so they are shown with `~`, and `>5s`
 * when all that is known is "over the last bound".
 */

/** Above this share of 5xx in the window, the 5xx cell is red (and `status` flags the deployment). */
export const DEFAULT_MAX_5XX_SHARE = 0.05;

export function formatRate(traffic: RowTraffic | undefined): string {
  if (traffic === undefined) return '-';
  const rate = traffic.requestsPerSecond;
  if (rate === 0) return '0';
  if (rate < 10) return rate.toFixed(2);
  if (rate < 1000) return rate.toFixed(1);
  return `${(rate / 1000).toFixed(1)}k`;
}

export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined) return '-';
  if (share === 0) return '0%';
  const percent = share * 100;
  return `${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}%`;
}

export function formatLatency(latency: RowLatency | null | undefined): string {
  if (latency === null || latency === undefined) return '-';
  const [from, to] = latency.bucket;
  if (to === null) return `>${seconds(from)}`;
  return `~${seconds(latency.seconds)}`;
}

function seconds(value: number): string {
  if (value < 1) return `${Math.round(value * 1000)}ms`;
  return `${value.toFixed(value < 10 ? 1 : 0)}s`;
}

/** The traffic columns, for any row that may carry `traffic`. */
export function trafficColumns<Row extends { traffic?: RowTraffic | undefined }>(
  maxShare5xx = DEFAULT_MAX_5XX_SHARE,
): Column<Row>[] {
  return [
    { header: 'req/s', value: (row) => formatRate(row.traffic), align: 'right' },
    {
      header: '4xx',
      value: (row) => formatShare(row.traffic?.share4xx),
      align: 'right',
    },
    {
      header: '5xx',
      value: (row) => formatShare(row.traffic?.share5xx),
      styled: (row, s, text) => ((row.traffic?.share5xx ?? 0) > maxShare5xx ? s.red(text) : text),
      align: 'right',
    },
    { header: 'p50', value: (row) => formatLatency(row.traffic?.p50), align: 'right' },
    { header: 'p95', value: (row) => formatLatency(row.traffic?.p95), align: 'right' },
  ];
}

/** One stderr line under a table with traffic: the window, and what p50/p95 are. */
export function trafficLegend(status: TrafficStatus | undefined): string | undefined {
  if (status?.state !== 'ready') return undefined;
  return `Traffic over the last ${status.windowSeconds.toFixed(1)}s; p50/p95 are estimates within their histogram bucket.`;
}

const BARS = '▁▂▃▄▅▆▇█';
export const SPARK_POINTS = 8;

/** A bar per value, scaled to the largest; blank for points not yet measured. */
export function sparkline(values: readonly number[], points = SPARK_POINTS): string {
  const max = Math.max(0, ...values);
  const bars = values.slice(-points).map((value) => {
    if (max <= 0) return BARS[0];
    const index = Math.min(BARS.length - 1, Math.round((value / max) * (BARS.length - 1)));
    return BARS[Math.max(0, index)];
  });
  return bars.join('').padStart(points);
}

/**
 * The last few req/s of each route, for the watch's sparklines. Routes that are gone are forgotten,
 * so memory stays flat however long the watch runs.
 */
export class TrafficHistory {
  readonly #points: number;
  #byKey = new Map<string, number[]>();

  constructor(points = SPARK_POINTS) {
    this.#points = points;
  }

  /** Adds one point per route that has traffic; `key` identifies a route across refreshes. */
  update<Row extends { traffic?: RowTraffic | undefined }>(
    rows: readonly Row[],
    key: (row: Row) => string,
  ): void {
    const next = new Map<string, number[]>();
    for (const row of rows) {
      if (row.traffic === undefined) continue;
      const id = key(row);
      const values = this.#byKey.get(id) ?? [];
      values.push(row.traffic.requestsPerSecond);
      if (values.length > this.#points) values.splice(0, values.length - this.#points);
      next.set(id, values);
    }
    this.#byKey = next;
  }

  values(key: string): readonly number[] {
    return this.#byKey.get(key) ?? [];
  }

  get size(): number {
    return this.#byKey.size;
  }
}

/** The note a view prints once when traffic can't be shown (undefined when there is nothing to say). */
export function trafficNote(status: TrafficStatus | undefined): string | undefined {
  if (status?.state !== 'unavailable' || !status.first) return undefined;
  const next = status.suggestion === '' ? '' : `\n${status.suggestion}`;
  return `${status.message} Everything else is shown as usual.${next}`;
}
