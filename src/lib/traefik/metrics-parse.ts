import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

/**
 * Traefik's request metrics (Prometheus text format) per router and per service.
 *
 * The text is parsed by parse-prometheus-text-format (a port of the Prometheus Python client's
 * parser: escapes in label values, `+Inf`, timestamps). No maintained npm parser exists; this one is
 * the most used. Its histogram grouping keeps one label set per family (it merges the buckets of
 * every series into one object), which would mix every service's latencies: so histogram families
 * are handed to it untyped, and each `_bucket` line comes back as a sample with its own labels,
 * regrouped here by series.
 */

/** One cumulative histogram bucket: requests that took at most `le` seconds (`Infinity` for `+Inf`). */
export interface Bucket {
  le: number;
  count: number;
}

/** One series of a router's or service's request metrics: one status code, method and protocol. */
export interface RequestSeries {
  /** The series' labels other than the router/service and `le`, e.g. `code=500,method=GET,protocol=http`. */
  key: string;
  /** The HTTP status code (`code` label), when it is a number. */
  code: number | undefined;
  /** `traefik_<kind>_requests_total`: requests since Traefik started. */
  requests: number;
  /** `traefik_<kind>_request_duration_seconds_bucket`, ascending by `le`, `+Inf` last; empty when absent. */
  buckets: Bucket[];
}

/** Series by key, for one router or service. */
export type SeriesSet = Map<string, RequestSeries>;

export interface TraefikMetrics {
  /** By qualified service name (`whoami-v2@ecs`). */
  services: Map<string, SeriesSet>;
  /** By qualified router name; present when Traefik runs with `addRoutersLabels`. */
  routers: Map<string, SeriesSet>;
  /** Traefik's process start (epoch seconds, `process_start_time_seconds`), when it says. */
  startedAt: number | undefined;
  /** Whether the text has any `traefik_` metric: false for another server's metrics or a page. */
  isTraefik: boolean;
}

/** The text isn't Prometheus' text format. */
export class MetricsParseError extends Error {
  override name = 'MetricsParseError';
}

type Kind = 'service' | 'router';
const FAMILIES: Readonly<Record<string, { kind: Kind; part: 'requests' | 'bucket' }>> = {
  traefik_service_requests_total: { kind: 'service', part: 'requests' },
  traefik_service_request_duration_seconds_bucket: { kind: 'service', part: 'bucket' },
  traefik_router_requests_total: { kind: 'router', part: 'requests' },
  traefik_router_request_duration_seconds_bucket: { kind: 'router', part: 'bucket' },
};
const START_TIME = 'process_start_time_seconds';
const HISTOGRAM_TYPE = /^#\s+TYPE\s+\S+\s+histogram\s*$/i;

/**
 * Reads Traefik's `/metrics` text. Only the lines traefikctl uses reach the parser (Traefik's own
 * `traefik_*` metrics and its start time); everything else (Go runtime metrics) is skipped.
 */
export function parseTraefikMetrics(text: string): TraefikMetrics {
  const kept: string[] = [];
  let isTraefik = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('traefik_')) {
      isTraefik = true;
      if (isRequestFamilyLine(line)) kept.push(line);
    } else if (line.startsWith(START_TIME)) kept.push(line);
    else if (line.startsWith('#') && HISTOGRAM_TYPE.test(line)) continue;
    else if (line !== '' && !line.startsWith('#') && !/^[A-Za-z_:][A-Za-z0-9_:]*[\s{]/.test(line))
      throw new MetricsParseError(`not Prometheus' text format: ${JSON.stringify(line.slice(0, 80))}`);
  }

  let families: ParsedFamily[];
  try {
    // The final newline matters: without it, the parser drops the last line's sample.
    families = parsePrometheusTextFormat(`${kept.join('\n')}\n`);
  } catch (error) {
    throw new MetricsParseError(error instanceof Error ? error.message : String(error));
  }

  const metrics: TraefikMetrics = {
    services: new Map(),
    routers: new Map(),
    startedAt: undefined,
    isTraefik,
  };
  for (const family of families) {
    if (family.name === START_TIME) {
      const value = sampleNumber(family.metrics[0]?.value);
      if (Number.isFinite(value)) metrics.startedAt = value;
      continue;
    }
    const known = FAMILIES[family.name];
    if (known === undefined) continue;
    const owners = known.kind === 'service' ? metrics.services : metrics.routers;
    for (const sample of family.metrics) {
      const labels = sample.labels ?? {};
      const owner = labels[known.kind];
      if (owner === undefined) continue;
      const value = sampleNumber(sample.value);
      if (Number.isNaN(value)) continue;
      const { key, code } = seriesKey(labels, known.kind);
      let set = owners.get(owner);
      if (set === undefined) owners.set(owner, (set = new Map<string, RequestSeries>()));
      let series = set.get(key);
      if (series === undefined) set.set(key, (series = { key, code, requests: 0, buckets: [] }));
      if (known.part === 'requests') series.requests = value;
      else {
        const le = sampleNumber(labels.le);
        if (!Number.isNaN(le)) series.buckets.push({ le, count: value });
      }
    }
  }
  for (const owners of [metrics.services, metrics.routers])
    for (const set of owners.values())
      for (const series of set.values()) series.buckets.sort((a, b) => a.le - b.le);
  return metrics;
}

function isRequestFamilyLine(line: string): boolean {
  const end = line.search(/[\s{]/);
  const name = end === -1 ? line : line.slice(0, end);
  return FAMILIES[name] !== undefined;
}

/** The series' identity within its router or service: its other labels, sorted. */
function seriesKey(
  labels: Readonly<Record<string, string>>,
  kind: Kind,
): { key: string; code: number | undefined } {
  const parts: string[] = [];
  for (const name of Object.keys(labels).sort()) {
    if (name === kind || name === 'le') continue;
    // A router's series also carry its service: the same for every series of the router.
    if (kind === 'router' && name === 'service') continue;
    parts.push(`${name}=${JSON.stringify(labels[name])}`);
  }
  const code = labels.code === undefined ? undefined : Number.parseInt(labels.code, 10);
  return { key: parts.join(','), code: code === undefined || Number.isNaN(code) ? undefined : code };
}

/** A sample value as the text format writes it: Go's float formatting, `+Inf`, `-Inf`, `NaN`. */
export function sampleNumber(text: string | undefined): number {
  switch (text) {
    case undefined:
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    default:
      return text.trim() === '' ? Number.NaN : Number(text);
  }
}
