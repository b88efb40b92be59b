import type { Bucket, SeriesSet, TraefikMetrics } from './metrics-parse.js';

/**
 * Rates from two scrapes of Traefik's counters, per router or service. Counters only grow while
 * Traefik runs; a series that went down was reset (Traefik restarted, or the router was recreated),
 * and its new value is what it counted since: a rate is never negative.
 */

/** A quantile of the request duration, estimated within the histogram bucket it falls in. */
export interface LatencyEstimate {
  /** Linear interpolation within the bucket (Prometheus' `histogram_quantile`); seconds. */
  seconds: number;
  /** The bucket the quantile falls in: (from, to] seconds; `to` is null for the `+Inf` bucket. */
  bucket: { from: number; to: number | null };
}

export interface Traffic {
  /** Requests answered in the window, per second. */
  requestsPerSecond: number;
  /** Requests answered in the window. */
  requests: number;
  /** Share (0..1) of the window's requests answered 4xx / 5xx; null when there were none. */
  share4xx: number | null;
  share5xx: number | null;
  /** Request duration quantiles over the window, null without requests or without a histogram. */
  p50: LatencyEstimate | null;
  p95: LatencyEstimate | null;
  /** Requests since Traefik started (the current scrape's counters). */
  requestsSinceStart: number;
  /** True when a counter went down between the scrapes (a reset; its new value was counted). */
  counterReset: boolean;
}

export interface MetricsScrape {
  /** Epoch ms when the answer was complete. */
  at: number;
  metrics: TraefikMetrics;
}

export interface TrafficReport {
  /** Seconds between the two scrapes. */
  windowSeconds: number;
  /** Epoch ms of the current scrape. */
  at: number;
  /** By qualified service name. */
  services: Map<string, Traffic>;
  /** By qualified router name (empty when Traefik has no router labels). */
  routers: Map<string, Traffic>;
  /** Traefik's start, epoch ms, when it says. */
  traefikStartedAt: number | undefined;
  /** Why there are no rates although both scrapes were read (else undefined). */
  problem?: string | undefined;
}

/**
 * The traffic between two scrapes. When Traefik's start time differs between them: a restart
 * within the window counts everything since it; an older start time means the two answers came
 * from different Traefik tasks (a load balancer in front of several), whose counters can't be
 * subtracted: no rates then, and `problem` says why.
 */
export function trafficBetween(previous: MetricsScrape, current: MetricsScrape): TrafficReport {
  const seconds = Math.max((current.at - previous.at) / 1000, 0.001);
  const startedBefore = previous.metrics.startedAt;
  const startedNow = current.metrics.startedAt;
  const report: TrafficReport = {
    windowSeconds: seconds,
    at: current.at,
    services: new Map(),
    routers: new Map(),
    traefikStartedAt: startedNow === undefined ? undefined : startedNow * 1000,
  };
  let base: TraefikMetrics | undefined = previous.metrics;
  if (startedBefore !== undefined && startedNow !== undefined && startedBefore !== startedNow) {
    // A restart between the scrapes: its counters began at zero within the window.
    if (startedNow * 1000 >= previous.at - 1000) base = undefined;
    else {
      report.problem =
        'the two reads of /metrics reached different Traefik tasks, whose counters differ; rates need two reads from the same task';
      return report;
    }
  }
  for (const [name, set] of current.metrics.services)
    report.services.set(name, seriesTraffic(base?.services.get(name), set, seconds, base === undefined));
  for (const [name, set] of current.metrics.routers)
    report.routers.set(name, seriesTraffic(base?.routers.get(name), set, seconds, base === undefined));
  return report;
}

function seriesTraffic(
  before: SeriesSet | undefined,
  now: SeriesSet,
  seconds: number,
  restarted: boolean,
): Traffic {
  let requests = 0;
  let total = 0;
  let r4xx = 0;
  let r5xx = 0;
  let reset = restarted;
  const buckets = new Map<number, number>();
  for (const series of now.values()) {
    total += series.requests;
    const prior = before?.get(series.key);
    const decreased =
      prior !== undefined &&
      (series.requests < prior.requests ||
        series.buckets.some((b, i) => b.count < (prior.buckets[i]?.count ?? 0)));
    if (decreased) reset = true;
    const delta = prior === undefined || decreased ? series.requests : series.requests - prior.requests;
    requests += delta;
    if (series.code !== undefined && series.code >= 400 && series.code < 500) r4xx += delta;
    if (series.code !== undefined && series.code >= 500 && series.code < 600) r5xx += delta;
    for (const [i, bucket] of series.buckets.entries()) {
      const was =
        prior === undefined || decreased || prior.buckets[i]?.le !== bucket.le ? 0 : prior.buckets[i].count;
      buckets.set(bucket.le, (buckets.get(bucket.le) ?? 0) + bucket.count - was);
    }
  }
  const window = [...buckets].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  return {
    requestsPerSecond: requests / seconds,
    requests,
    share4xx: requests > 0 ? r4xx / requests : null,
    share5xx: requests > 0 ? r5xx / requests : null,
    p50: estimateQuantile(0.5, window),
    p95: estimateQuantile(0.95, window),
    requestsSinceStart: total,
    counterReset: reset,
  };
}

/**
 * The q-quantile of cumulative buckets, as Prometheus' `histogram_quantile` estimates it: find the
 * bucket holding the rank, interpolate linearly within it (the first bucket starts at 0). A rank in
 * the `+Inf` bucket is reported as the highest finite bound: all that is known is "more than that".
 */
export function estimateQuantile(q: number, buckets: readonly Bucket[]): LatencyEstimate | null {
  const last = buckets.at(-1);
  if (last === undefined || last.count <= 0) return null;
  const rank = q * last.count;
  let from = 0;
  let below = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank && bucket.count > below) {
      if (bucket.le === Number.POSITIVE_INFINITY) return { seconds: from, bucket: { from, to: null } };
      const within = (rank - below) / (bucket.count - below);
      return { seconds: from + (bucket.le - from) * within, bucket: { from, to: bucket.le } };
    }
    from = bucket.le;
    below = bucket.count;
  }
  return null;
}
