import type { DeploymentRecord } from '../model.js';
import {
  priorityText,
  providerOf,
  qualify,
  routerStatus,
  type RouterStatus,
  type TraefikRouter,
  type TraefikService,
} from '../traefik/schemas.js';
import type { TraefikLists, TraefikState } from '../traefik/state.js';
import type { RowTraffic } from '../traefik/traffic.js';

/**
 * Router -> service -> servers, joined with the ECS deployments of the environment: the data behind
 * `routes`, `routes show` and `routes --watch`. Pure and linear in the number of routers: services
 * are indexed by name, and each service's servers are resolved once however many routers use it.
 */

export type Protocol = 'http' | 'tcp' | 'udp';
/** Traefik's status of the router, or `missing`: a deployment Traefik has no router for. */
export type RouteStatus = RouterStatus | 'missing';
export type ServerStatus = 'UP' | 'DOWN' | 'UNKNOWN';

export interface RouteServer {
  /** URL (HTTP) or host:port (TCP, UDP). */
  address: string;
  /** UNKNOWN where Traefik reports no status (UDP, services without a health check map). */
  status: ServerStatus;
  /** The load-balancer service the server belongs to (differs from the router's for weighted services). */
  service: string;
}

export type AttentionKind =
  | 'router-error'
  | 'router-warning'
  | 'service-missing'
  | 'no-servers'
  | 'no-server-up'
  | 'not-discovered'
  | 'scaled-to-zero'
  | 'orphaned';

export interface Attention {
  kind: AttentionKind;
  message: string;
}

export interface RouteTls {
  options?: string | undefined;
  certResolver?: string | undefined;
  passthrough?: boolean | undefined;
  domains?: { main?: string | undefined; sans?: string[] | undefined }[] | undefined;
}

export interface Route {
  /** `name@provider`, e.g. `whoami-v2@ecs`. */
  name: string;
  protocol: Protocol;
  provider: string;
  status: RouteStatus;
  rule?: string | undefined;
  /** The hosts the rule matches (`Host(...)`, `HostSNI(...)`), in rule order. */
  hosts: string[];
  /** Exact int64 as text (internal routers exceed 2^53). */
  priority?: string | undefined;
  entryPoints: string[];
  middlewares: string[];
  tls?: RouteTls | undefined;
  /** Qualified service name. */
  service?: string | undefined;
  serviceType?: string | undefined;
  servers: RouteServer[];
  serversUp: number;
  serversTotal: number;
  /** Traefik's own error and warning messages for the router. */
  errors: string[];
  deployment?: DeploymentRecord | undefined;
  /** Why the route needs a look; empty when it is healthy. */
  attention: Attention[];
  /** Requests, errors and latency from Traefik's metrics, when asked for (HTTP routes only). */
  traffic?: RowTraffic | undefined;
}

export interface JoinOptions {
  /**
   * The managed ECS deployments of the environment, when AWS could be read. Undefined: routes are
   * shown without app/tag, and missing or orphaned routers can't be told.
   */
  deployments?: readonly DeploymentRecord[] | undefined;
  /** Keep Traefik's own routers (`@internal`: api, dashboard, ping); off by default. */
  includeInternal?: boolean;
  /** The provider whose routers are the deployments': `ecs` (default), `docker` for the local target. */
  provider?: 'ecs' | 'docker' | undefined;
}

const ECS_PROVIDER = 'ecs';
const INTERNAL_PROVIDER = 'internal';
const AT = '@'.charCodeAt(0);
const PROTOCOLS: readonly Protocol[] = ['http', 'tcp', 'udp'];
// `Host(...)` and `HostSNI(...)`, not `HostRegexp(...)` or `HostHeader(...)`.
const HOST_MATCHER = /(?<![A-Za-z])Host(?:SNI)?\(([^)]*)\)/g;
const QUOTED = /`([^`]*)`|"([^"]*)"/g;

interface Resolved {
  servers: RouteServer[];
  /** Servers UP and DOWN, counted once per service rather than once per router. */
  up: number;
  down: number;
  /** Qualified names of services referenced but not present (the router's own, or children). */
  missing: readonly string[];
  type: string | undefined;
}

/** A service of the index, with its resolution once it has been computed. */
interface Indexed {
  service: TraefikService;
  resolved: Resolved | undefined;
  resolving: boolean;
}

/**
 * Resolves services to their servers once each, following weighted, mirroring and failover services.
 * One map lookup per router: the index entry carries the memo and the cycle guard.
 */
class ServiceResolver {
  readonly #index = new Map<string, Indexed>();

  constructor(services: readonly TraefikService[]) {
    for (const service of services) {
      const name = service.name;
      if (name !== undefined) this.#index.set(name, { service, resolved: undefined, resolving: false });
    }
  }

  /** Undefined for a service that isn't in the list (resolved as missing). */
  entry(name: string): Indexed | undefined {
    return this.#index.get(name);
  }

  resolve(name: string, entry: Indexed | undefined = this.#index.get(name)): Resolved {
    if (entry === undefined) return resolved([], [name], undefined);
    if (entry.resolved !== undefined) return entry.resolved;
    // A weighted service that (indirectly) contains itself: Traefik refuses it; don't loop.
    if (entry.resolving) return resolved([], [], entry.service.type);
    entry.resolving = true;
    const result = this.#compute(name, entry.service);
    entry.resolving = false;
    entry.resolved = result;
    return result;
  }

  #compute(name: string, service: TraefikService): Resolved {
    const type = service.type;
    const lb = service.loadBalancer;
    if (lb) {
      const statuses = service.serverStatus;
      const servers: RouteServer[] = [];
      let up = 0;
      let down = 0;
      for (const server of lb.servers ?? []) {
        const address = server.url ?? server.address;
        if (address === undefined) continue;
        const status = statuses?.[address];
        if (status === 'UP') up++;
        else if (status === 'DOWN') down++;
        servers.push({
          address,
          status: status === 'UP' || status === 'DOWN' ? status : 'UNKNOWN',
          service: name,
        });
      }
      return { servers, up, down, missing: NONE, type };
    }
    const provider = service.provider ?? providerOf(name);
    const children: string[] = [];
    for (const child of service.weighted?.services ?? service.highestRandomWeight?.services ?? []) {
      if (child.name !== undefined) children.push(child.name);
    }
    // Mirrors only receive copies; answers come from the main service.
    if (service.mirroring?.service !== undefined) children.push(service.mirroring.service);
    if (service.failover?.service !== undefined) children.push(service.failover.service);
    if (service.failover?.fallback !== undefined) children.push(service.failover.fallback);

    const seen = new Set<string>();
    const servers: RouteServer[] = [];
    const missing: string[] = [];
    for (const child of children) {
      const resolved = this.resolve(qualify(child, provider));
      missing.push(...resolved.missing);
      for (const server of resolved.servers) {
        if (seen.has(server.address)) continue;
        seen.add(server.address);
        servers.push(server);
      }
    }
    return resolved(servers, [...new Set(missing)], type);
  }
}

function resolved(servers: RouteServer[], missing: readonly string[], type: string | undefined): Resolved {
  let up = 0;
  let down = 0;
  for (const server of servers) {
    if (server.status === 'UP') up++;
    else if (server.status === 'DOWN') down++;
  }
  return { servers, up, down, missing, type };
}

/** Shared by every resolution that misses nothing; never mutated. */
const NONE: readonly string[] = Object.freeze([]);
const NO_SERVICE: Resolved = resolved([], [], undefined);

/** The hosts a rule matches: `Host(\`a\`) && PathPrefix(\`/x\`)` -> [a]. */
export function ruleHosts(rule: string | undefined): string[] {
  if (rule === undefined) return [];
  // The rule traefikctl writes (src/lib/labels.ts), one host in backticks, needs no regex: at
  // 10,000 routers the two scans per rule were a tenth of `routes`' time. A property test holds
  // this to scanRuleHosts for any rule.
  const host = singleHost(rule, 'Host(`') ?? singleHost(rule, 'HostSNI(`');
  if (host !== undefined) return host === '' ? [] : [host];
  return scanRuleHosts(rule);
}

/** `x` of a rule that is exactly `<opening>x\`)`, where x holds no backtick and no `)`. */
function singleHost(rule: string, opening: string): string | undefined {
  const end = rule.length - 2;
  if (end < opening.length || !rule.startsWith(opening) || !rule.endsWith('`)')) return undefined;
  const host = rule.slice(opening.length, end);
  return host.includes('`') || host.includes(')') ? undefined : host;
}

/** The general reading of any rule: every `Host(...)` and `HostSNI(...)`, each quoted argument. */
export function scanRuleHosts(rule: string | undefined): string[] {
  if (rule === undefined || !rule.includes('Host')) return [];
  const hosts: string[] = [];
  for (const match of rule.matchAll(HOST_MATCHER)) {
    for (const quoted of (match[1] ?? '').matchAll(QUOTED)) {
      const host = quoted[1] ?? quoted[2];
      if (host !== undefined && host !== '' && !hosts.includes(host)) hosts.push(host);
    }
  }
  return hosts;
}

/**
 * Joins Traefik's routers with their services and servers, and with the ECS deployments when given.
 * Returns HTTP routes, then TCP, then UDP, each sorted by name; deployments without a router are
 * added as `missing` HTTP routes in name order.
 */
export function joinRoutes(state: TraefikState, options: JoinOptions = {}): Route[] {
  const deployments = options.deployments;
  const { byService, slots } = deploymentSlots(deployments ?? []);
  const includeInternal = options.includeInternal ?? false;
  const deploymentProvider = options.provider ?? ECS_PROVIDER;

  const routes: Route[] = [];
  for (const protocol of PROTOCOLS) {
    const lists: TraefikLists = state[protocol];
    const resolver = new ServiceResolver(lists.services);
    const joined: Route[] = [];
    for (const router of lists.routers) {
      const route = joinRouter(router, protocol, resolver, includeInternal);
      if (route === undefined) continue;
      if (protocol === 'http' && route.provider === deploymentProvider && deployments !== undefined) {
        const plainName = route.name.slice(0, -(deploymentProvider.length + 1));
        const slot = byService.get(plainName);
        if (slot !== undefined) {
          slot.discovered = true;
          const deployment = slot.deployment;
          route.deployment = deploymentOf(deployment);
          if (isDeleted(deployment)) {
            route.attention.push({
              kind: 'orphaned',
              message: `its ECS service ${deployment.service} is being deleted (${deployment.status ?? ''}).`,
            });
          }
        } else if (!route.service?.endsWith(`@${INTERNAL_PROVIDER}`)) {
          route.attention.push({
            kind: 'orphaned',
            message: `no traefikctl deployment named ${plainName} exists: it was removed, or something else runs it.`,
          });
        }
      }
      joined.push(route);
    }
    if (protocol === 'http' && deployments !== undefined) {
      for (let i = 0; i < deployments.length; i++) {
        const deployment = deployments[i] as DeploymentRecord;
        if (slots[i]?.discovered === true || isDeleted(deployment)) continue;
        joined.push(missingRoute(deployment, deploymentProvider));
      }
    }
    // Traefik's lists come sorted by name: checking is one pass, sorting only when they aren't.
    if (!isSortedByName(joined)) joined.sort(byName);
    for (const route of joined) routes.push(route);
  }
  return routes;
}

/** The deployment of a service name (the last one given), and whether a router of it was found. */
interface DeploymentSlot {
  deployment: DeploymentRecord;
  discovered: boolean;
}

/** Slots by service name, and each deployment's slot at its index (names given twice share one). */
function deploymentSlots(deployments: readonly DeploymentRecord[]): {
  byService: Map<string, DeploymentSlot>;
  slots: DeploymentSlot[];
} {
  const byService = new Map<string, DeploymentSlot>();
  const slots: DeploymentSlot[] = [];
  for (const deployment of deployments) {
    const slot = { deployment, discovered: false };
    byService.set(deployment.service, slot);
    slots.push(slot);
  }
  if (byService.size === deployments.length) return { byService, slots };
  // A name given twice: one slot per name, holding the last deployment, as a map of names would.
  for (let i = 0; i < deployments.length; i++) {
    const slot = byService.get((deployments[i] as DeploymentRecord).service) as DeploymentSlot;
    slot.deployment = deployments[i] as DeploymentRecord;
    slots[i] = slot;
  }
  return { byService, slots };
}

/**
 * The declared fields only: callers pass richer objects (`app`'s EcsDeploymentRecord), and
 * `routes --json` must not grow whatever they carry. Optional fields are added only when set.
 */
function deploymentOf(deployment: DeploymentRecord): DeploymentRecord {
  const own: DeploymentRecord = {
    app: deployment.app,
    tag: deployment.tag,
    env: deployment.env,
    host: deployment.host,
    service: deployment.service,
  };
  if (deployment.deployedAt !== undefined) own.deployedAt = deployment.deployedAt;
  if (deployment.expiresAt !== undefined) own.expiresAt = deployment.expiresAt;
  if (deployment.status !== undefined) own.status = deployment.status;
  return own;
}

function isDeleted(deployment: DeploymentRecord): boolean {
  return deployment.status !== undefined && deployment.status !== 'ACTIVE';
}

function byName(a: Route, b: Route): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function isSortedByName(routes: readonly Route[]): boolean {
  for (let i = 1; i < routes.length; i++) {
    if (byName(routes[i - 1] as Route, routes[i] as Route) > 0) return false;
  }
  return true;
}

/** `name@provider`'s provider is `provider` (what providerOf says), without slicing the name. */
function hasProvider(name: string, provider: string): boolean {
  const at = name.indexOf('@');
  return at !== -1 && name.length - at - 1 === provider.length && name.endsWith(provider);
}

/**
 * `reference` qualified with `provider`: the router's own name when they are the same text
 * (`whoami-v2` of `whoami-v2@ecs`, the usual case), so no new string is built and hashed.
 */
function qualifyLike(reference: string, provider: string, name: string): string {
  if (
    name.length === reference.length + 1 + provider.length &&
    name.charCodeAt(reference.length) === AT &&
    name.startsWith(reference) &&
    name.endsWith(provider) &&
    !reference.includes('@')
  ) {
    return name;
  }
  return qualify(reference, provider);
}

function joinRouter(
  router: TraefikRouter,
  protocol: Protocol,
  resolver: ServiceResolver,
  includeInternal: boolean,
): Route | undefined {
  const name = router.name;
  if (name === undefined) return undefined;
  const provider = router.provider ?? providerOf(name) ?? '';
  if (provider === INTERNAL_PROVIDER && !includeInternal) return undefined;
  const status = routerStatus(router.status);
  const errors = router.error ?? [];
  const service = router.service === undefined ? undefined : qualifyLike(router.service, provider, name);
  const attention: Attention[] = [];

  if (status === 'disabled') {
    attention.push({
      kind: 'router-error',
      message: errors.length > 0 ? errors.join('; ') : 'Traefik disabled this router.',
    });
  } else if (status === 'warning') {
    attention.push({
      kind: 'router-warning',
      message: errors.length > 0 ? errors.join('; ') : 'Traefik reports a warning for this router.',
    });
  }

  let target = NO_SERVICE;
  if (service !== undefined) {
    const entry = resolver.entry(service);
    target = resolver.resolve(service, entry);
    const internal = hasProvider(service, INTERNAL_PROVIDER);
    if (target.missing.length > 0) {
      // A disabled router's errors already say which service is missing; a missing internal service
      // (api@internal without the API enabled) disables the router in Traefik itself.
      const missing = target.missing.filter((name) => !hasProvider(name, INTERNAL_PROVIDER));
      if (missing.length > 0 && status !== 'disabled') {
        attention.push({
          kind: 'service-missing',
          message: `${missing.map((name) => `the service ${name}`).join(' and ')} ${missing.length > 1 ? 'do' : 'does'} not exist.`,
        });
      }
    }
    if (!internal && entry !== undefined) {
      const { up, down } = target;
      if (target.servers.length === 0 && target.missing.length === 0) {
        attention.push({ kind: 'no-servers', message: `its service ${service} has no servers.` });
      } else if (up === 0 && down > 0) {
        attention.push({
          kind: 'no-server-up',
          message: `no server of ${service} is UP (${down} DOWN).`,
        });
      }
    }
  }

  const middlewares: string[] = [];
  if (router.middlewares)
    for (const middleware of router.middlewares) middlewares.push(qualify(middleware, provider));
  const tls = router.tls;
  return {
    name,
    protocol,
    provider,
    status,
    rule: router.rule,
    hosts: ruleHosts(router.rule),
    priority: priorityText(router),
    entryPoints: router.entryPoints ?? [],
    middlewares,
    tls:
      tls === undefined || tls === null
        ? undefined
        : {
            options: tls.options,
            certResolver: tls.certResolver,
            passthrough: tls.passthrough,
            domains: tls.domains?.map((domain) => ({ main: domain.main, sans: domain.sans })),
          },
    service,
    serviceType: target.type,
    servers: target.servers,
    serversUp: target.up,
    serversTotal: target.servers.length,
    errors,
    attention,
  };
}

function missingRoute(deployment: DeploymentRecord, provider: string): Route {
  const name = `${deployment.service}@${provider}`;
  const words = `${deployment.app} --tag ${deployment.tag} --env ${deployment.env}`;
  const attention: Attention =
    deployment.desiredCount === 0
      ? {
          kind: 'scaled-to-zero',
          message: `ECS service ${deployment.service} is scaled to 0 tasks, so Traefik has no router ${name} and nothing serves ${deployment.host}: \`traefikctl app deploy ${words} --force\` runs it again, \`traefikctl app destroy ${words}\` removes it.`,
        }
      : {
          kind: 'not-discovered',
          message:
            provider === ECS_PROVIDER
              ? `ECS service ${deployment.service} is deployed, but Traefik has no router ${name}: no task is running and healthy, or its labels are not read.`
              : `${deployment.service} is deployed, but Traefik has no router ${name}: its container is not running and healthy, or its labels are not read.`,
        };
  return {
    name,
    protocol: 'http',
    provider,
    status: 'missing',
    hosts: [deployment.host],
    entryPoints: [],
    middlewares: [],
    servers: [],
    serversUp: 0,
    serversTotal: 0,
    errors: [],
    deployment: deploymentOf(deployment),
    attention: [attention],
  };
}

export type StatusCounts = Record<RouteStatus, number> & { attention: number; total: number };

/** Routes per status, and how many need attention: the watch header and `status` summary. */
export function countRoutes(routes: readonly Route[]): StatusCounts {
  const counts: StatusCounts = { enabled: 0, warning: 0, disabled: 0, missing: 0, attention: 0, total: 0 };
  for (const route of routes) {
    counts[route.status]++;
    counts.total++;
    if (route.attention.length > 0) counts.attention++;
  }
  return counts;
}
