import { describeError } from '../errors.js';
import type { TraefikClient } from '../traefik/client.js';
import { fetchTraefikState } from '../traefik/state.js';
import type { DeploymentRecord } from '../model.js';
import type { TrafficStatus } from '../traefik/traffic.js';
import { joinRoutes, type Route } from './join.js';

/** The routes at one moment: what `routes` prints and what each `--watch` refresh shows. */
export interface RoutesSnapshot {
  /** Every route, joined, unfiltered (filters are the views' business). */
  routes: Route[];
  /** Traefik's version, e.g. `3.7.9`. */
  version?: string | undefined;
  /** Epoch ms when the answers were complete. */
  fetchedAt: number;
  durationMs: number;
  /** False when ECS could not be read: no app/tag, no missing or orphaned routes. */
  deploymentsKnown: boolean;
  /** Why ECS can't be read right now (the routes then carry the last good deployments, if any). */
  ecsProblem?: string | undefined;
  /** With traffic asked for (src/lib/traffic/open.ts): whether the routes carry it, or why not. */
  traffic?: TrafficStatus | undefined;
}

export interface RoutesSource {
  env: string;
  /** The API's address as users read it (no credentials). */
  apiUrl: string;
  snapshot(options?: { signal?: AbortSignal }): Promise<RoutesSnapshot>;
  /** Releases sockets and AWS clients. */
  close(): Promise<void>;
}

export interface RoutesSourceOptions {
  env: string;
  /** Builds a client per snapshot call, so a watch can abort one refresh without killing the next. */
  client: (signal?: AbortSignal) => TraefikClient;
  /**
   * The managed ECS deployments of the env; undefined when they can't be known (no cluster). Slow
   * to change, so it is read at most every `deploymentsMaxAgeMs`.
   */
  deployments?: (() => Promise<DeploymentRecord[] | undefined>) | undefined;
  deploymentsMaxAgeMs?: number;
  includeInternal?: boolean;
  /** Whose routers the deployments are: `ecs` (default), or `docker` for the local target. */
  provider?: 'ecs' | 'docker' | undefined;
  close?: () => Promise<void>;
  now?: () => number;
}

/**
 * Routes from Traefik, joined with ECS deployments. Traefik is read on every snapshot; ECS at most
 * every 30 s, concurrently with Traefik. An ECS failure doesn't fail the snapshot: the routes are
 * shown with the last good deployments (or without app and tag), and `ecsProblem` says why.
 */
export function createRoutesSource(options: RoutesSourceOptions): RoutesSource {
  const now = options.now ?? Date.now;
  const maxAge = options.deploymentsMaxAgeMs ?? 30_000;
  let deployments: DeploymentRecord[] | undefined;
  let deploymentsAt = -Infinity;
  let ecsProblem: string | undefined;

  const readDeployments = async (): Promise<DeploymentRecord[] | undefined> => {
    if (options.deployments === undefined) return undefined;
    if (now() - deploymentsAt < maxAge) return deployments;
    try {
      deployments = await options.deployments();
      deploymentsAt = now();
      ecsProblem = undefined;
    } catch (error) {
      // Try again on the next snapshot, and keep the last good answer meanwhile.
      ecsProblem = `Can't read the ECS deployments of ${options.env}: ${describeError(error)}`;
    }
    return deployments;
  };

  const first = options.client();
  return {
    env: options.env,
    apiUrl: first.displayUrl,
    async snapshot(call = {}) {
      const started = now();
      const client = call.signal === undefined ? first : options.client(call.signal);
      const [state, version, known] = await Promise.all([
        fetchTraefikState(client),
        client.version().then(
          (answer) => answer.Version,
          () => undefined,
        ),
        readDeployments(),
      ]);
      const routes = joinRoutes(state, {
        deployments: known,
        ...(options.includeInternal === undefined ? {} : { includeInternal: options.includeInternal }),
        ...(options.provider === undefined ? {} : { provider: options.provider }),
      });
      const fetchedAt = now();
      return {
        routes,
        version,
        fetchedAt,
        durationMs: fetchedAt - started,
        deploymentsKnown: known !== undefined,
        ecsProblem,
      };
    },
    close: options.close ?? (() => Promise.resolve()),
  };
}
