import type { TraefikClient } from './client.js';
import {
  providerOf,
  type TraefikOverview,
  type TraefikRawData,
  type TraefikRouter,
  type TraefikService,
  type TraefikVersion,
} from './schemas.js';

export interface TraefikLists {
  routers: TraefikRouter[];
  services: TraefikService[];
}

/** Everything the route views read from Traefik at one moment. */
export interface TraefikState {
  http: TraefikLists;
  tcp: TraefikLists;
  udp: TraefikLists;
  overview?: TraefikOverview | undefined;
  version?: TraefikVersion | undefined;
}

export interface FetchStateOptions {
  /** Also read /api/overview and /api/version (the watch header shows them). */
  withSummary?: boolean;
}

/**
 * Reads routers and services of all three protocols, concurrently: each list pages on its own
 * connection, so a large installation costs the longest list, not the sum of them.
 */
export async function fetchTraefikState(
  client: TraefikClient,
  options: FetchStateOptions = {},
): Promise<TraefikState> {
  const summary = options.withSummary ?? false;
  const [httpRouters, httpServices, tcpRouters, tcpServices, udpRouters, udpServices, overview, version] =
    await Promise.all([
      client.httpRouters(),
      client.httpServices(),
      client.tcpRouters(),
      client.tcpServices(),
      client.udpRouters(),
      client.udpServices(),
      summary ? client.overview() : undefined,
      summary ? client.version() : undefined,
    ]);
  return {
    http: { routers: httpRouters, services: httpServices },
    tcp: { routers: tcpRouters, services: tcpServices },
    udp: { routers: udpRouters, services: udpServices },
    overview,
    version,
  };
}

/**
 * `/api/rawdata` as list items: its maps are keyed by qualified name and their items carry no
 * `name` or `provider` (shared/notes/traefik.md §2.5), which the list endpoints do.
 */
export function stateFromRawData(raw: TraefikRawData): TraefikState {
  return {
    http: { routers: named(raw.routers), services: named(raw.services) },
    tcp: { routers: named(raw.tcpRouters), services: named(raw.tcpServices) },
    udp: { routers: named(raw.udpRouters), services: named(raw.udpServices) },
  };
}

function named<T extends { name?: string | undefined; provider?: string | undefined }>(
  map: Record<string, T> | null | undefined,
): T[] {
  return Object.entries(map ?? {}).map(([name, item]) => ({
    ...item,
    name: item.name ?? name,
    provider: item.provider ?? providerOf(name),
  }));
}
