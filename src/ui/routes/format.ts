import type { Route, RouteStatus } from '../../lib/routes/join.js';

/** `45s`, `12m`, `3h`, `5d`: how long ago, in one short unit (table cells). */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

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

export function routeServers(route: Route): string {
  return `${route.serversUp}/${route.serversTotal}`;
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
