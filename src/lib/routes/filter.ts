import type { Route, RouteStatus } from './join.js';

export interface RouteFilter {
  /** Routes of this app (from the ECS tags). */
  app?: string | undefined;
  status?: RouteStatus | undefined;
  /** `ecs`, `file`, `docker`...: the part after `@`, case-insensitive. */
  provider?: string | undefined;
  /** Case-insensitive substring of the name, rule, hosts, service, app or tag. */
  search?: string | undefined;
}

/**
 * Whether the filter asks for Traefik's own routers (`--provider internal`): the join leaves them out
 * unless told to keep them, so the filter alone would find none.
 */
export function wantsInternalRouters(filter: RouteFilter): boolean {
  return filter.provider?.toLowerCase() === 'internal';
}

export function isEmptyFilter(filter: RouteFilter): boolean {
  return !filter.app && !filter.status && !filter.provider && !filter.search;
}

export function matchesFilter(route: Route, filter: RouteFilter): boolean {
  if (filter.app && route.deployment?.app !== filter.app) return false;
  if (filter.status && route.status !== filter.status) return false;
  if (filter.provider && route.provider.toLowerCase() !== filter.provider.toLowerCase()) return false;
  if (filter.search) {
    const needle = filter.search.toLowerCase();
    const haystack = [
      route.name,
      route.rule,
      route.service,
      ...route.hosts,
      route.deployment?.app,
      route.deployment?.tag,
    ];
    if (!haystack.some((text) => text?.toLowerCase().includes(needle))) return false;
  }
  return true;
}

export function filterRoutes(routes: readonly Route[], filter: RouteFilter): Route[] {
  return isEmptyFilter(filter) ? [...routes] : routes.filter((route) => matchesFilter(route, filter));
}
