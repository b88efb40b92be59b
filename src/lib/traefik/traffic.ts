import type { Traffic, TrafficReport } from './metrics-rates.js';
import type { TrafficReading } from './metrics.js';

/**
 * Traffic joined to what the views list: routes by router name (a route is a router), falling back
 * to its service; deployments by their ECS service name, which is also their Traefik router and
 * service name (`<service>@ecs`, DESIGN.md).
 */

/** What `--json` carries for a route or a deployment. */
export interface RowTraffic {
  requestsPerSecond: number;
  /** Requests in the window. */
  requests: number;
  windowSeconds: number;
  /** 0..1, null without requests in the window. */
  share4xx: number | null;
  share5xx: number | null;
  /** Seconds; an estimate within the histogram bucket named beside it. */
  p50: RowLatency | null;
  p95: RowLatency | null;
  /** Requests since Traefik started. */
  requestsSinceStart: number;
  counterReset: boolean;
}

export interface RowLatency {
  seconds: number;
  /** The histogram bucket the estimate lies in, [from, to] seconds; `to` null for "over the last bound". */
  bucket: [number, number | null];
  estimate: 'within its bucket';
}

/** How the traffic columns of a view stand: numbers, not yet, or why not (said once). */
export type TrafficStatus =
  | { state: 'ready'; windowSeconds: number; at: number; traefikStartedAt?: number | undefined }
  | { state: 'measuring' }
  | { state: 'unavailable'; message: string; suggestion: string; first: boolean };

export function trafficStatus(reading: TrafficReading): TrafficStatus {
  switch (reading.state) {
    case 'ready':
      if (reading.report.problem !== undefined)
        return {
          state: 'unavailable',
          message: `No traffic figures this time: ${reading.report.problem}.`,
          suggestion: 'They show again with the next read.',
          first: true,
        };
      return {
        state: 'ready',
        windowSeconds: reading.report.windowSeconds,
        at: reading.report.at,
        traefikStartedAt: reading.report.traefikStartedAt,
      };
    case 'measuring':
      return { state: 'measuring' };
    case 'unavailable':
      return {
        state: 'unavailable',
        message: reading.problem.message,
        suggestion: reading.problem.suggestion,
        first: reading.first,
      };
  }
}

export function rowTraffic(traffic: Traffic, windowSeconds: number): RowTraffic {
  const latency = (estimate: Traffic['p50']): RowLatency | null =>
    estimate === null
      ? null
      : {
          seconds: estimate.seconds,
          bucket: [estimate.bucket.from, estimate.bucket.to],
          estimate: 'within its bucket',
        };
  return {
    requestsPerSecond: traffic.requestsPerSecond,
    requests: traffic.requests,
    windowSeconds,
    share4xx: traffic.share4xx,
    share5xx: traffic.share5xx,
    p50: latency(traffic.p50),
    p95: latency(traffic.p95),
    requestsSinceStart: traffic.requestsSinceStart,
    counterReset: traffic.counterReset,
  };
}

/** No request in the window: what a router or service Traefik has no counter for yet shows. */
export function idleTraffic(windowSeconds: number): RowTraffic {
  return {
    requestsPerSecond: 0,
    requests: 0,
    windowSeconds,
    share4xx: null,
    share5xx: null,
    p50: null,
    p95: null,
    requestsSinceStart: 0,
    counterReset: false,
  };
}

/**
 * The traffic of a router, by its qualified name, else of its service. Traefik has counters only
 * for what has had requests since it started: a known router without any has had none.
 */
export function trafficOf(
  report: TrafficReport,
  names: { router?: string | undefined; service?: string | undefined },
): RowTraffic {
  const found =
    (names.router === undefined ? undefined : report.routers.get(names.router)) ??
    (names.service === undefined ? undefined : report.services.get(names.service));
  return found === undefined ? idleTraffic(report.windowSeconds) : rowTraffic(found, report.windowSeconds);
}

/**
 * Sets `traffic` on each HTTP route (`name` is the router, `service` its service); TCP and UDP
 * routers have no request metrics.
 */
export function attachTraffic<
  T extends {
    name: string;
    protocol: string;
    service?: string | undefined;
    traffic?: RowTraffic | undefined;
  },
>(rows: readonly T[], reading: TrafficReading): T[] {
  if (reading.state !== 'ready' || reading.report.problem !== undefined) return [...rows];
  const report = reading.report;
  return rows.map((row) =>
    row.protocol === 'http'
      ? { ...row, traffic: trafficOf(report, { router: row.name, service: row.service }) }
      : row,
  );
}

/**
 * Sets `traffic` on each deployment row by its ECS service name, which is also its Traefik router
 * and service name: `<service>@ecs` on ECS, `<service>@docker` on the local target; the ECS one
 * first when both exist.
 */
export function attachDeploymentTraffic<T extends { service: string }>(
  rows: readonly T[],
  reading: TrafficReading,
): (T & { traffic?: RowTraffic | undefined })[] {
  if (reading.state !== 'ready' || reading.report.problem !== undefined) return [...rows];
  const report = reading.report;
  const routers = byBaseName(report.routers);
  const services = byBaseName(report.services);
  return rows.map((row) => {
    const found = routers.get(row.service) ?? services.get(row.service);
    return {
      ...row,
      traffic:
        found === undefined ? idleTraffic(report.windowSeconds) : rowTraffic(found, report.windowSeconds),
    };
  });
}

/** `name@provider` -> its traffic under `name`, `@ecs` winning over other providers. */
function byBaseName(named: ReadonlyMap<string, Traffic>): Map<string, Traffic> {
  const index = new Map<string, Traffic>();
  for (const [name, traffic] of named) {
    const at = name.lastIndexOf('@');
    if (at <= 0) continue;
    const base = name.slice(0, at);
    if (!index.has(base) || name.slice(at) === '@ecs') index.set(base, traffic);
  }
  return index;
}
