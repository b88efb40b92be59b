import { durationMs } from '../duration.js';
import { describeError, isUserError, usageError } from '../errors.js';
import type { RoutesSnapshot, RoutesSource } from '../routes/source.js';
import type { TraefikAccess } from '../traefik/access.js';
import { TraefikClient } from '../traefik/client.js';
import { DEFAULT_TRAFFIC_WINDOW_MS, TrafficSampler, type TrafficReading } from '../traefik/metrics.js';
import {
  attachDeploymentTraffic,
  attachTraffic,
  trafficStatus,
  type RowTraffic,
  type TrafficStatus,
} from '../traefik/traffic.js';

export type { TrafficStatus };

/**
 * Opening the traffic of an environment for a view: where Traefik's API is and its password, as
 * `routes` and `app urls` find them (src/lib/traefik/access.ts), and a sampler that keeps the
 * previous read. Kept apart from how the views open everything else, so that traffic is an add-on:
 * when it can't be read, the view says so once and shows the rest as before.
 */

export interface TrafficReader {
  read(options: { waitForWindow: boolean; signal?: AbortSignal | undefined }): Promise<TrafficReading>;
}

export interface OpenTrafficOptions {
  /** Where the API is and how to log in: the opened environment's `traefik()` (lib/env/open.ts). */
  access: () => Promise<TraefikAccess>;
  windowMs?: number | undefined;
  timeoutMs?: number | undefined;
}

/**
 * A reader of the env's traffic; the first read of `/metrics` starts at once, so that a one-shot
 * view's window runs while it reads ECS and the API. No API address or password at all: a reader
 * that answers "unavailable" with why, rather than an error.
 */
export async function openTrafficReader(options: OpenTrafficOptions): Promise<TrafficReader> {
  const sampler = new TrafficSampler({ windowMs: options.windowMs ?? DEFAULT_TRAFFIC_WINDOW_MS });
  let client: TraefikClient;
  try {
    const access = await options.access();
    client = new TraefikClient({ ...access, retries: 1, timeoutMs: options.timeoutMs ?? 10_000 });
  } catch (error) {
    if (!isUserError(error)) throw error;
    const message = `Traffic is unavailable: ${describeError(error)}`;
    let said = false;
    return {
      read: () => {
        const first = !said;
        said = true;
        return Promise.resolve({
          state: 'unavailable',
          problem: { kind: 'unreachable', message, suggestion: error.suggestions[0] ?? '', permanent: true },
          first,
        });
      },
    };
  }
  sampler.prime(client);
  return { read: (call) => sampler.read(client, call) };
}

/** A routes source whose snapshots carry traffic per route (read beside the API, not after it). */
export function routesWithTraffic(
  source: RoutesSource,
  reader: TrafficReader,
  options: { waitForWindow: boolean },
): RoutesSource {
  let waitForWindow = options.waitForWindow;
  return {
    ...source,
    async snapshot(call = {}): Promise<RoutesSnapshot> {
      const [snapshot, reading] = await Promise.all([
        source.snapshot(call),
        reader.read({ waitForWindow, signal: call.signal }),
      ]);
      // After the first read, a watch's refreshes give the window.
      waitForWindow = false;
      return {
        ...snapshot,
        routes: attachTraffic(snapshot.routes, reading),
        traffic: trafficStatus(reading),
      };
    },
  };
}

/**
 * A listing of deployments (`app urls`) with traffic on each row and `traffic` saying how it
 * stands; unchanged without a reading (no --traffic).
 */
export function withDeploymentTraffic<T extends { deployments: readonly { service: string }[] }>(
  result: T,
  reading: TrafficReading | undefined,
): Omit<T, 'deployments'> & {
  deployments: (T['deployments'][number] & { traffic?: RowTraffic | undefined })[];
  traffic?: TrafficStatus | undefined;
} {
  if (reading === undefined) return { ...result, deployments: [...result.deployments] };
  return {
    ...result,
    deployments: attachDeploymentTraffic(result.deployments, reading),
    traffic: trafficStatus(reading),
  };
}

/** `--window`: between 1s and 1m; the time between the two reads of a one-shot view. */
export function parseWindow(text: string): number {
  const ms = durationMs(text) ?? Number.NaN;
  if (!Number.isFinite(ms) || ms < 1_000 || ms > 60_000) {
    throw usageError(
      `--window ${JSON.stringify(text)} is not a duration between 1s and 1m.`,
      ['Pass one such as --window 3s (the default), --window 10s or --window 1m.'],
      'WINDOW_INVALID',
    );
  }
  return Math.round(ms);
}
