import { setTimeout as sleep } from 'node:timers/promises';

import { routeLabel } from './find.js';
import type { Route } from './join.js';
import type { RoutesSnapshot, RoutesSource } from './source.js';

/** What changed between two refreshes: the rows the watch view marks for one refresh. */
export interface RouteChanges {
  /** Route labels (`routeLabel`: an HTTP and a TCP router may share a name). */
  added: Set<string>;
  /** Route label -> what changed, e.g. `status enabled -> disabled`, `servers 2/2 -> 1/2`. */
  changed: Map<string, string[]>;
  /** Routes gone since the previous refresh (as they were then). */
  removed: Route[];
}

export const NO_CHANGES: RouteChanges = { added: new Set(), changed: new Map(), removed: [] };

export function changeCount(changes: RouteChanges): number {
  return changes.added.size + changes.changed.size + changes.removed.length;
}

/**
 * Changes from `previous` (the last refresh, by label) to `routes`. Linear: one map lookup per route,
 * and only the previous refresh is kept, so memory stays flat however long the watch runs.
 */
export function diffRoutes(
  previous: ReadonlyMap<string, Route> | undefined,
  routes: readonly Route[],
): RouteChanges {
  if (previous === undefined) return NO_CHANGES;
  const added = new Set<string>();
  const changed = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const route of routes) {
    const key = routeLabel(route);
    seen.add(key);
    const before = previous.get(key);
    if (before === undefined) {
      added.add(key);
      continue;
    }
    const differences = describeChange(before, route);
    if (differences.length > 0) changed.set(key, differences);
  }
  const removed: Route[] = [];
  if (seen.size !== previous.size || added.size > 0) {
    for (const [name, route] of previous) if (!seen.has(name)) removed.push(route);
  }
  return { added, changed, removed };
}

function describeChange(before: Route, after: Route): string[] {
  const changes: string[] = [];
  const was = (label: string, a: string, b: string) => {
    if (a !== b) changes.push(`${label} ${a} -> ${b}`);
  };
  was('status', before.status, after.status);
  was('servers', `${before.serversUp}/${before.serversTotal}`, `${after.serversUp}/${after.serversTotal}`);
  if (before.serversUp === after.serversUp && before.serversTotal === after.serversTotal) {
    // Same counts, other servers: a task was replaced.
    const addresses = (route: Route) => route.servers.map((s) => `${s.address}=${s.status}`).join(' ');
    if (addresses(before) !== addresses(after)) changes.push('servers replaced');
  }
  was('rule', before.rule ?? '-', after.rule ?? '-');
  was('service', before.service ?? '-', after.service ?? '-');
  const tag = (route: Route) =>
    route.deployment === undefined ? '-' : `${route.deployment.app}/${route.deployment.tag}`;
  was('app/tag', tag(before), tag(after));
  if (before.errors.join('\n') !== after.errors.join('\n')) changes.push('errors changed');
  const kinds = (route: Route) => route.attention.map((a) => a.kind).join(',');
  if (kinds(before) !== kinds(after)) {
    changes.push(after.attention.length === 0 ? 'healthy again' : `attention: ${kinds(after)}`);
  }
  return changes;
}

/** The `--interval` flag's parser lives with every other duration's, in lib/duration.ts. */
export { parseInterval } from '../duration.js';

/** One refresh of a watch, good or failed. */
export interface WatchTick {
  /** The last good snapshot; kept while the API fails, so the view keeps its rows. */
  snapshot: RoutesSnapshot | undefined;
  changes: RouteChanges;
  /** The current failure; undefined after a good refresh. */
  error: Error | undefined;
  /** Failed refreshes in a row. */
  failures: number;
  /** When the next refresh starts (epoch ms). */
  nextAt: number;
}

export interface WatchOptions {
  intervalMs: number;
  signal: AbortSignal;
  onTick: (tick: WatchTick) => void;
  now?: () => number;
}

const MAX_FAILURE_DELAY_MS = 30_000;
const MAX_SLOW_DELAY_MS = 60_000;

/**
 * The delay before the next refresh. Refreshes never overlap (the next one is planned when the last
 * one ended); a slow API gets at least twice its answer time of rest, a failing one exponential
 * backoff up to 30 s.
 */
export function nextDelay(intervalMs: number, lastDurationMs: number, failures: number): number {
  if (failures > 0)
    return Math.max(intervalMs, Math.min(intervalMs * 2 ** (failures - 1), MAX_FAILURE_DELAY_MS));
  return Math.max(intervalMs, Math.min(lastDurationMs * 2, Math.max(intervalMs, MAX_SLOW_DELAY_MS)));
}

/** Refreshes `source` until `signal` aborts, reporting each refresh; never throws for API failures. */
export async function watchRoutes(source: RoutesSource, options: WatchOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const { signal } = options;
  let previous: Map<string, Route> | undefined;
  let snapshot: RoutesSnapshot | undefined;
  let failures = 0;
  let lastDuration = 0;
  while (!signal.aborted) {
    let changes = NO_CHANGES;
    let error: Error | undefined;
    try {
      snapshot = await source.snapshot({ signal });
      changes = diffRoutes(previous, snapshot.routes);
      previous = new Map(snapshot.routes.map((route) => [routeLabel(route), route]));
      failures = 0;
      lastDuration = snapshot.durationMs;
    } catch (caught) {
      if (signal.aborted) break;
      failures++;
      error = caught instanceof Error ? caught : new Error(String(caught));
    }
    const delay = nextDelay(options.intervalMs, lastDuration, failures);
    options.onTick({ snapshot, changes, error, failures, nextAt: now() + delay });
    await sleep(delay, undefined, { signal }).catch(() => undefined);
  }
}
