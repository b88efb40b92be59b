import { UserError } from '../errors.js';
import type { Route } from './join.js';

/**
 * How a route is named in tables and by `routes show`: its name, prefixed with `tcp:` or `udp:`
 * for those protocols (an HTTP and a TCP router may share a name).
 */
export function routeLabel(route: Route): string {
  return route.protocol === 'http' ? route.name : `${route.protocol}:${route.name}`;
}

/**
 * The route `routes show` means: its label (`whoami-v2@ecs`, `tcp:db@file`), a name without its
 * provider when only one provider has it (`whoami-v2`), or a host its rule matches
 * (`whoami-v2.dev.example.com`, the table's first column). Not found or ambiguous: a UserError
 * naming candidates.
 */
export function findRoute(routes: readonly Route[], query: string): Route {
  const labelled = routes.find((route) => routeLabel(route) === query);
  if (labelled !== undefined) return labelled;
  const exact = routes.filter((route) => route.name === query);
  if (exact.length === 1 && exact[0] !== undefined) return exact[0];

  const lower = query.toLowerCase();
  const byName = routes.filter(
    (route) => route.name.slice(0, route.name.indexOf('@')).toLowerCase() === lower,
  );
  const byHost = routes.filter((route) => route.hosts.some((host) => host.toLowerCase() === lower));
  const candidates = exact.length > 0 ? exact : byName.length > 0 ? byName : byHost;
  const [only] = candidates;
  if (only !== undefined && candidates.length === 1) return only;
  if (candidates.length > 1) {
    throw new UserError(`${JSON.stringify(query)} matches ${candidates.length} routers.`, {
      suggestions: [`Name one: ${candidates.slice(0, 5).map(routeLabel).join(', ')}.`],
      code: 'ROUTE_AMBIGUOUS',
    });
  }
  const similar = routes
    .filter(
      (route) => route.name.toLowerCase().includes(lower) || route.hosts.some((host) => host.includes(lower)),
    )
    .slice(0, 5)
    .map(routeLabel);
  throw new UserError(`Traefik has no router ${JSON.stringify(query)}.`, {
    suggestions: [
      ...(similar.length > 0 ? [`Did you mean ${similar.join(', ')}?`] : []),
      'List the routers with `traefikctl routes` (or search them with --search).',
    ],
    code: 'ROUTE_NOT_FOUND',
  });
}
