import type { Route } from '../../lib/routes/join.js';
import { stylist, type Stylist } from '../style.js';
import { formatAge } from '../../lib/duration.js';
import { visibleData } from '../visible.js';
import { routeServers, servedByTraefik, serversTone, statusTone } from './format.js';
import { paint } from './table.js';

/**
 * `routes show`: one router with its rule, middlewares, service, each server and its status, its
 * errors and why it needs attention. Lines, so that the watch view's detail pane shows the same.
 */
export function routeDetailLines(outside: Route, s: Stylist, now = Date.now()): string[] {
  // Every field of a route is Traefik's or AWS's text.
  const route = visibleData(outside);
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`  ${s.dim(label.padEnd(13))}${value}`);

  lines.push(`${s.bold(route.name)}  ${paint(s, statusTone(route.status), route.status)}`);
  const deployment = route.deployment;
  if (deployment !== undefined) {
    const deployed = deployment.deployedAt === undefined ? Number.NaN : Date.parse(deployment.deployedAt);
    const age = Number.isNaN(deployed) ? '' : `, deployed ${formatAge(now - deployed)} ago`;
    field('App', `${deployment.app}  tag ${deployment.tag}  (env ${deployment.env}${age})`);
    if (deployment.expiresAt !== undefined) field('Expires', deployment.expiresAt);
  }
  field('Protocol', `${route.protocol}  provider ${route.provider}`);
  if (route.rule !== undefined) field('Rule', route.rule);
  field('Entry points', list(route.entryPoints));
  field('Middlewares', list(route.middlewares));
  if (route.tls !== undefined) {
    const tls = route.tls;
    const parts = [
      tls.options === undefined ? undefined : `options ${tls.options}`,
      tls.certResolver === undefined ? undefined : `resolver ${tls.certResolver}`,
      tls.passthrough ? 'passthrough' : undefined,
      ...(tls.domains ?? []).map((d) => [d.main, ...(d.sans ?? [])].filter(Boolean).join(',')),
    ].filter((part): part is string => part !== undefined && part !== '');
    field('TLS', parts.length > 0 ? parts.join('  ') : 'on');
  }
  if (route.priority !== undefined && route.priority !== '0') field('Priority', route.priority);
  if (route.service !== undefined) {
    field('Service', `${route.service}${route.serviceType === undefined ? '' : ` (${route.serviceType})`}`);
  }
  field(
    'Servers',
    servedByTraefik(route)
      ? `none: Traefik answers ${route.service ?? ''} itself`
      : `${paint(s, serversTone(route), routeServers(route))} UP`,
  );
  for (const server of route.servers) {
    const status = paint(
      s,
      server.status === 'UP' ? 'good' : server.status === 'DOWN' ? 'bad' : 'plain',
      server.status,
    );
    const via =
      route.service !== undefined && server.service !== route.service ? s.dim(`  via ${server.service}`) : '';
    lines.push(`    ${status.padEnd(7 + (status.length - server.status.length))} ${server.address}${via}`);
  }
  if (route.errors.length > 0) {
    lines.push(`  ${s.dim('Errors')}`);
    for (const error of route.errors) lines.push(`    ${s.red(error)}`);
  }
  if (route.attention.length > 0) {
    lines.push(`  ${s.dim('Needs attention')}`);
    for (const attention of route.attention) lines.push(`    ${s.yellow('!')} ${attention.message}`);
  }
  return lines;
}

export function formatRouteDetails(route: Route, color: boolean, now = Date.now()): string {
  return `${routeDetailLines(route, stylist(color), now).join('\n')}\n`;
}

function list(items: readonly string[]): string {
  return items.length === 0 ? '-' : items.join(', ');
}
