import { describeError } from '../../lib/errors.js';
import { matchesFilter, type RouteFilter } from '../../lib/routes/filter.js';
import { routeLabel } from '../../lib/routes/find.js';
import { countRoutes, type Route } from '../../lib/routes/join.js';
import type { WatchTick } from '../../lib/routes/watch.js';
import { formatLatency, formatRate, formatShare, trafficNote } from '../traffic.js';
import { visible } from '../visible.js';
import { routeAppTag, routeServers, routeTarget } from './format.js';
import { countsLine } from './watch-model.js';

/**
 * `routes --watch` without a terminal (a pipe, a log, CI): one line per change, never a redraw.
 * The first refresh lists every route (`=`); later ones print `+` new, `~` changed (with what
 * changed), `-` removed. API failures and recoveries go to stderr, once per transition.
 */
export class WatchLines {
  #first = true;
  #lastError: string | undefined;
  #lastEcsProblem: string | undefined;

  constructor(private readonly filter: RouteFilter) {}

  lines(tick: WatchTick, at: number): { stdout: string[]; stderr: string[] } {
    const time = new Date(at).toISOString();
    const stdout: string[] = [];
    const stderr: string[] = [];
    if (tick.error !== undefined) {
      const message = visible(describeError(tick.error));
      if (message !== this.#lastError) stderr.push(`${time} ! ${message}`);
      this.#lastError = message;
      return { stdout, stderr };
    }
    if (this.#lastError !== undefined) {
      stderr.push(`${time} Traefik's API answers again.`);
      this.#lastError = undefined;
    }
    const snapshot = tick.snapshot;
    if (snapshot === undefined) return { stdout, stderr };
    if (snapshot.ecsProblem !== this.#lastEcsProblem && snapshot.ecsProblem !== undefined) {
      stderr.push(`${time} ! ${visible(snapshot.ecsProblem)}`);
    }
    this.#lastEcsProblem = snapshot.ecsProblem;
    // Said once: a 404 or 401 on /metrics doesn't change between refreshes.
    const note = trafficNote(snapshot.traffic);
    if (note !== undefined) stderr.push(`${time} ! ${visible(note.replace('\n', ' '))}`);

    const matching = (route: Route) => matchesFilter(route, this.filter);
    if (this.#first) {
      this.#first = false;
      for (const route of snapshot.routes) if (matching(route)) stdout.push(`${time} = ${describe(route)}`);
      return { stdout, stderr };
    }
    for (const route of snapshot.routes) {
      if (!matching(route)) continue;
      const key = routeLabel(route);
      if (tick.changes.added.has(key)) stdout.push(`${time} + ${describe(route)}`);
      const changed = tick.changes.changed.get(key);
      if (changed !== undefined) stdout.push(`${time} ~ ${describe(route)} (${changed.join(', ')})`);
    }
    for (const route of tick.changes.removed)
      if (matching(route)) stdout.push(`${time} - ${visible(routeLabel(route))} removed`);
    return { stdout, stderr };
  }
}

function describe(route: Route): string {
  const attention = route.attention.length > 0 ? ` ! ${route.attention.map((a) => a.kind).join(',')}` : '';
  const t = route.traffic;
  const traffic =
    t === undefined
      ? ''
      : ` ${formatRate(t)} req/s 4xx ${formatShare(t.share4xx)} 5xx ${formatShare(t.share5xx)} p50 ${formatLatency(t.p50)} p95 ${formatLatency(t.p95)}`;
  return visible(
    `${routeLabel(route)} ${route.status} ${routeServers(route)} ${routeAppTag(route)} ${routeTarget(route)}${attention}${traffic}`,
  );
}

/** The one line a watch ends with (stderr). */
export function watchSummary(tick: WatchTick | undefined): string {
  const snapshot = tick?.snapshot;
  if (snapshot === undefined) {
    return tick?.error === undefined
      ? 'Stopped before the first refresh.'
      : `Stopped: ${visible(describeError(tick.error))}`;
  }
  const counts = countRoutes(snapshot.routes);
  const attention = counts.attention === 0 ? 'none need attention' : `${counts.attention} need attention`;
  const version = snapshot.version === undefined ? '' : ` (Traefik ${visible(snapshot.version)})`;
  return `${counts.total} routes: ${countsLine(counts)}; ${attention}${version}.`;
}
