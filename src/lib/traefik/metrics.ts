import { setTimeout as sleep } from 'node:timers/promises';

import { TraefikApiError, type TraefikClient } from './client.js';
import { MetricsParseError, parseTraefikMetrics } from './metrics-parse.js';
import { trafficBetween, type MetricsScrape, type TrafficReport } from './metrics-rates.js';

/**
 * Traefik's Prometheus metrics, read through the API's own router and credentials (`cluster up`
 * serves `/metrics` on the API host behind the same basic auth), turned into traffic per router and
 * service from two reads: the previous refresh in a watch, or two reads `windowMs` apart.
 */

export type MetricsProblemKind = 'unauthorized' | 'forbidden' | 'not-exposed' | 'not-traefik' | 'unreachable';

export interface MetricsProblem {
  kind: MetricsProblemKind;
  /** One sentence for the user, e.g. "Traefik doesn't serve /metrics at https://…". */
  message: string;
  /** What to do about it. */
  suggestion: string;
  /** A problem another read won't fix (no permission, no router): the sampler stops reading. */
  permanent: boolean;
}

export class MetricsUnavailableError extends Error {
  override name = 'MetricsUnavailableError';
  constructor(readonly problem: MetricsProblem) {
    super(problem.message);
  }
}

/** Reads and parses `/metrics` once; a MetricsUnavailableError says why it can't be read. */
export async function scrapeMetrics(
  client: TraefikClient,
  now: () => number = Date.now,
): Promise<MetricsScrape> {
  let text: string;
  try {
    text = await client.metricsText();
  } catch (error) {
    if (error instanceof TraefikApiError)
      throw new MetricsUnavailableError(problemOf(error, client.displayUrl));
    throw error;
  }
  const at = now();
  let metrics;
  try {
    metrics = parseTraefikMetrics(text);
  } catch (error) {
    if (!(error instanceof MetricsParseError)) throw error;
    throw new MetricsUnavailableError(notTraefik(client.displayUrl, error.message));
  }
  if (!metrics.isTraefik)
    throw new MetricsUnavailableError(notTraefik(client.displayUrl, 'no traefik_ metric in it'));
  return { at, metrics };
}

function notTraefik(url: string, why: string): MetricsProblem {
  return {
    kind: 'not-traefik',
    message: `${url}/metrics doesn't answer with Traefik's metrics (${why}).`,
    suggestion: 'Check that the API URL points at Traefik itself, not at a proxy in front of it.',
    permanent: true,
  };
}

function problemOf(error: TraefikApiError, url: string): MetricsProblem {
  switch (error.failure) {
    case 'unauthorized':
      return {
        kind: 'unauthorized',
        message: `Traefik refuses the API password for ${url}/metrics (401).`,
        suggestion: 'Run `traefikctl cluster up` to serve /metrics behind the API password.',
        permanent: true,
      };
    case 'forbidden':
      return {
        kind: 'forbidden',
        message: `Traefik forbids ${url}/metrics (403).`,
        suggestion:
          'A middleware in front of /metrics refuses this machine; check the router of prometheus@internal.',
        permanent: true,
      };
    case 'not-found':
      return {
        kind: 'not-exposed',
        message: `Traefik doesn't serve /metrics at ${url} (404): a cluster made before traffic views, or metrics turned off.`,
        suggestion: 'Run `traefikctl cluster up` to add the /metrics router behind the API password.',
        permanent: true,
      };
    case 'bad-request':
    case 'bad-url':
    case 'not-json':
    case 'redirect':
    case 'server-error':
    case 'timeout':
    case 'too-large':
    case 'too-many-pages':
    case 'unexpected-status':
    case 'unreachable':
    case 'unreadable':
    case 'url-credentials':
      return {
        kind: 'unreachable',
        message: `Can't read ${url}/metrics: ${error.message}`,
        suggestion: 'Traffic shows again once /metrics answers.',
        permanent: false,
      };
  }
}

/** What a read of the traffic gives. */
export type TrafficReading =
  | { state: 'ready'; report: TrafficReport }
  /** The first read of a watch: rates come with the next refresh. */
  | { state: 'measuring' }
  /** `first` is true the first time this problem is seen, so views say it once. */
  | { state: 'unavailable'; problem: MetricsProblem; first: boolean };

export interface TrafficSamplerOptions {
  /** Seconds between the two reads when there is no previous one (`--window`); 3 s by default. */
  windowMs?: number;
  now?: () => number;
  /** For tests: how to wait out the window. */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_TRAFFIC_WINDOW_MS = 3_000;

/**
 * Keeps the previous read, so that each refresh of a watch gives the traffic since the one before;
 * memory stays flat (one read kept). A permanent problem (no permission, no router) stops the
 * reads: it is reported once, and the views go on without traffic.
 */
export class TrafficSampler {
  readonly windowMs: number;
  #previous: MetricsScrape | undefined;
  #primed: Promise<MetricsScrape> | undefined;
  #problem: MetricsProblem | undefined;
  #said = new Set<string>();
  readonly #now: () => number;
  readonly #wait: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: TrafficSamplerOptions = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_TRAFFIC_WINDOW_MS;
    this.#now = options.now ?? Date.now;
    this.#wait = options.wait ?? ((ms, signal) => sleep(ms, undefined, signal ? { signal } : undefined));
  }

  /**
   * Starts the first read now, so that a one-shot view's window runs while it reads everything
   * else. Its failure is the next `read`'s to report.
   */
  prime(client: TraefikClient): void {
    if (this.#previous !== undefined || this.#primed !== undefined || this.#problem !== undefined) return;
    this.#primed = scrapeMetrics(client, this.#now);
    this.#primed.catch(() => undefined);
  }

  /**
   * The traffic since the previous read. Without one: with `waitForWindow`, reads twice `windowMs`
   * apart; otherwise reads once and answers `measuring`.
   */
  async read(
    client: TraefikClient,
    options: { waitForWindow: boolean; signal?: AbortSignal | undefined },
  ): Promise<TrafficReading> {
    if (this.#problem !== undefined) return { state: 'unavailable', problem: this.#problem, first: false };
    try {
      let previous = this.#previous;
      if (previous === undefined) {
        const primed = this.#primed;
        this.#primed = undefined;
        previous = await (primed ?? scrapeMetrics(client, this.#now));
        if (!options.waitForWindow) {
          this.#previous = previous;
          return { state: 'measuring' };
        }
        const left = previous.at + this.windowMs - this.#now();
        if (left > 0) await this.#wait(left, options.signal);
      }
      const current = await scrapeMetrics(client, this.#now);
      this.#previous = current;
      return { state: 'ready', report: trafficBetween(previous, current) };
    } catch (error) {
      if (!(error instanceof MetricsUnavailableError)) throw error;
      const problem = error.problem;
      if (problem.permanent) this.#problem = problem;
      const first = !this.#said.has(problem.kind);
      this.#said.add(problem.kind);
      return { state: 'unavailable', problem, first };
    }
  }
}
