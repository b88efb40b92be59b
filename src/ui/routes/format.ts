import type { Route, RouteStatus } from '../../lib/routes/join.js';
import { formatAge } from '../../lib/duration.js';

/** Age of the deployment behind a route on a terminal; `-` when no deployment is known. */
export function routeAge(route: Route, now: number): string {
  const at = route.deployment?.deployedAt;
  const time = at === undefined ? Number.NaN : Date.parse(at);
  return Number.isNaN(time) ? '-' : formatAge(now - time);
}

/** What the first column shows: the hosts the rule matches, else the rule, else the router name. */
export function routeTarget(route: Route): string {
  if (route.hosts.length > 0) return route.hosts.join(',');
  return route.rule ?? route.name;
}

export function routeAppTag(route: Route): string {
  const deployment = route.deployment;
  return deployment === undefined ? '-' : `${deployment.app}/${deployment.tag}`;
}

/**
 * A route to one of Traefik's own services (`api@internal`, `prometheus@internal`: the API and metrics
 * routers of every traefikctl cluster) has no servers to count: Traefik answers itself.
 */
export function servedByTraefik(route: Route): boolean {
  return route.serversTotal === 0 && route.service?.endsWith('@internal') === true;
}

/** `1/2` servers UP, or `-` for a route Traefik serves itself. */
export function routeServers(route: Route): string {
  return servedByTraefik(route) ? '-' : `${route.serversUp}/${route.serversTotal}`;
}

export type Tone = 'good' | 'warn' | 'bad' | 'plain';

export function statusTone(status: RouteStatus): Tone {
  switch (status) {
    case 'enabled':
      return 'good';
    case 'warning':
      return 'warn';
    case 'disabled':
    case 'missing':
      return 'bad';
  }
}

/** Red when nothing serves, yellow when some servers are down or of unknown health. */
export function serversTone(route: Route): Tone {
  if (route.serversTotal === 0) return route.attention.length > 0 ? 'bad' : 'plain';
  if (route.serversUp === 0) return route.servers.some((s) => s.status === 'DOWN') ? 'bad' : 'plain';
  return route.serversUp < route.serversTotal ? 'warn' : 'good';
}
