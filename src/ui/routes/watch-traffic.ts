import type { Route } from '../../lib/routes/join.js';
import type { TrafficStatus } from '../../lib/traefik/traffic.js';
import { formatLatency, formatRate, formatShare, sparkline, SPARK_POINTS } from '../traffic.js';

/**
 * The traffic part of `routes --watch` (with --traffic): five fixed-width cells and a sparkline of
 * req/s after the usual columns, sorting by each, and what the header says about the numbers.
 */

export const TRAFFIC_SORTS = ['req/s', '4xx', '5xx', 'p50', 'p95'] as const;
export type TrafficSortKey = (typeof TRAFFIC_SORTS)[number];

const CELLS = [
  { header: 'REQ/S', width: 6 },
  { header: '4XX', width: 5 },
  { header: '5XX', width: 5 },
  { header: 'P50', width: 6 },
  { header: 'P95', width: 6 },
] as const;
const GAP = 2;

/** Columns the traffic cells take, gaps included. */
export const TRAFFIC_WIDTH = CELLS.reduce((sum, cell) => sum + cell.width + GAP, 0) + SPARK_POINTS + GAP;

export function hasTraffic(routes: readonly { traffic?: unknown }[]): boolean {
  return routes.some((route) => route.traffic !== undefined);
}

const right = (text: string, width: number) =>
  text.length <= width ? text.padStart(width) : `${text.slice(0, width - 1)}…`;

export function trafficHeaderCells(): string {
  return [...CELLS.map((cell) => right(cell.header, cell.width)), 'TREND'.padEnd(SPARK_POINTS)].join(
    ' '.repeat(GAP),
  );
}

/** The cells of one route, and whether its 5xx share is over the threshold (drawn red). */
export function trafficCells(
  route: Route,
  trend: readonly number[],
  maxShare5xx: number,
): { text: string[]; hot: boolean } {
  const traffic = route.traffic;
  const values = [
    formatRate(traffic),
    formatShare(traffic?.share4xx),
    formatShare(traffic?.share5xx),
    formatLatency(traffic?.p50),
    formatLatency(traffic?.p95),
  ];
  return {
    text: [
      ...values.map((value, index) => right(value, CELLS[index]?.width ?? 6)),
      traffic === undefined ? ' '.repeat(SPARK_POINTS) : sparkline(trend),
    ],
    hot: (traffic?.share5xx ?? 0) > maxShare5xx,
  };
}

/** Higher first (the busiest, the most failing, the slowest); routes without numbers last. */
export function compareTraffic(sort: TrafficSortKey): (a: Route, b: Route) => number {
  const value = (route: Route): number | undefined => {
    const traffic = route.traffic;
    switch (sort) {
      case 'req/s':
        return traffic?.requestsPerSecond;
      case '4xx':
        return traffic?.share4xx ?? undefined;
      case '5xx':
        return traffic?.share5xx ?? undefined;
      case 'p50':
        return traffic?.p50?.seconds;
      case 'p95':
        return traffic?.p95?.seconds;
    }
  };
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    return y - x;
  };
}

/** What the header says about traffic; undefined without --traffic. */
export function trafficHeadline(
  status: TrafficStatus | undefined,
): { text: string; warn: boolean } | undefined {
  switch (status?.state) {
    case undefined:
      return undefined;
    case 'measuring':
      return { text: 'traffic: measuring until the next refresh', warn: false };
    case 'ready':
      return {
        text: `traffic over ${status.windowSeconds.toFixed(1)}s (p50/p95: estimates within their bucket)`,
        warn: false,
      };
    case 'unavailable':
      return { text: status.message, warn: true };
  }
}
