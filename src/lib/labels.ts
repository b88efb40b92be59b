import { goDuration } from './duration.js';
import { isHostname } from './naming.js';

/**
 * The Traefik labels of one deployment (DESIGN.md "Labels"). The same map works as ECS `dockerLabels`
 * and as local Docker container labels: both providers decode labels with the same code
 * (shared/notes/traefik.md §5). Names are explicit so nothing depends on Traefik's default rule.
 */

/** Traefik on ECS runs with `exposedByDefault=false` and a constraint on this label, one env per cluster. */
export const ENV_LABEL = 'traefikctl.env';

export interface LabelHealthCheck {
  /** Path Traefik probes on each server, e.g. `/health`. */
  path: string;
  /** Durations as the config writes them: `10s`, `5m`, `1h`, `1d`, `2w`. */
  interval: string;
  timeout: string;
}

export interface TraefikLabelsInput {
  /** Router and service name (the ECS service name): [A-Za-z0-9_-] only. */
  name: string;
  host: string;
  /** The container port Traefik forwards to. */
  port: number;
  entryPoints: readonly string[];
  env: string;
  healthCheck?: LabelHealthCheck | undefined;
}

export interface ParsedTraefikLabels {
  name: string;
  host: string;
  port: number;
  env: string;
}

// `@` is reserved for provider suffixes (`name@ecs`) and `.` would split the label key.
const TRAEFIK_NAME = /^[A-Za-z0-9_-]+$/;
// Entry point names come from `--entrypoints.<name>.address`, so they can't hold `.`; `,` separates them.
const ENTRY_POINT = /^[A-Za-z0-9_-]+$/;
const ENV_NAME = /^[A-Za-z0-9_-]+$/;
const HOST_RULE = /^Host\(`([^`]*)`\)$/;
const ROUTER_RULE_KEY = /^traefik\.http\.routers\.([^.]+)\.rule$/;

/**
 * Traefik parses durations with Go's time.ParseDuration, which has no days or weeks: those become hours.
 */
export function traefikDuration(duration: string): string {
  return goDuration(duration);
}

/**
 * The labels for router and service `name` on `host`. Inputs come from naming.ts and the validated config,
 * so a bad one is a bug and throws a plain Error. Checking the host here is what makes the `Host(...)`
 * rule safe: a valid hostname can't hold a backtick, so nothing can break out of the rule.
 */
export function traefikLabels(input: TraefikLabelsInput): Record<string, string> {
  const { name, host, port, entryPoints, env, healthCheck } = input;
  if (!TRAEFIK_NAME.test(name)) throw new Error(`Not a Traefik router name: ${JSON.stringify(name)}`);
  if (!isHostname(host)) throw new Error(`Not a hostname: ${JSON.stringify(host)}`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Not a port: ${port}`);
  if (entryPoints.length === 0) throw new Error('A router needs at least one entry point.');
  const badEntryPoint = entryPoints.find((entryPoint) => !ENTRY_POINT.test(entryPoint));
  if (badEntryPoint !== undefined)
    throw new Error(`Not an entry point name: ${JSON.stringify(badEntryPoint)}`);
  if (!ENV_NAME.test(env)) throw new Error(`Not an environment name: ${JSON.stringify(env)}`);

  const router = `traefik.http.routers.${name}`;
  const loadBalancer = `traefik.http.services.${name}.loadbalancer`;
  return {
    'traefik.enable': 'true',
    [`${router}.rule`]: `Host(\`${host}\`)`,
    [`${router}.entrypoints`]: entryPoints.join(','),
    [`${router}.service`]: name,
    [`${loadBalancer}.server.port`]: String(port),
    ...(healthCheck === undefined
      ? {}
      : {
          [`${loadBalancer}.healthcheck.path`]: healthCheck.path,
          [`${loadBalancer}.healthcheck.interval`]: traefikDuration(healthCheck.interval),
          [`${loadBalancer}.healthcheck.timeout`]: traefikDuration(healthCheck.timeout),
        }),
    [ENV_LABEL]: env,
  };
}

/**
 * The deployment that a label map describes, for joining Traefik routers and task definitions back to
 * deployments; undefined when the labels are not a complete traefikctl set (another tool's container,
 * a hand-written rule such as `Host(a) || Path(b)`, a disabled router).
 */
export function parseTraefikLabels(
  labels: Readonly<Record<string, string | undefined>> | undefined,
): ParsedTraefikLabels | undefined {
  if (labels === undefined || labels['traefik.enable']?.toLowerCase() !== 'true') return undefined;
  const env = labels[ENV_LABEL];
  if (env === undefined || !ENV_NAME.test(env)) return undefined;

  for (const [key, value] of Object.entries(labels)) {
    const name = ROUTER_RULE_KEY.exec(key)?.[1];
    if (name === undefined || value === undefined || !TRAEFIK_NAME.test(name)) continue;
    const host = HOST_RULE.exec(value)?.[1];
    if (host === undefined || !isHostname(host)) continue;
    if (labels[`traefik.http.routers.${name}.service`] !== name) continue;
    const portText = labels[`traefik.http.services.${name}.loadbalancer.server.port`];
    if (portText === undefined || !/^\d{1,5}$/.test(portText)) continue;
    const port = Number(portText);
    if (port < 1 || port > 65535) continue;
    return { name, host, port, env };
  }
  return undefined;
}
