import { ENV_LABEL } from '../labels.js';

/**
 * Traefik v3 on ECS is configured by its command line only: no custom image, no file, no `sed`.
 * The stack receives the arguments as one space-separated parameter (`TraefikArguments`), which
 * the template splits into the container's command.
 */
export interface TraefikCommandInput {
  /** The ECS cluster Traefik polls (never auto-discovered: that needs ecs:ListClusters). */
  cluster: string;
  region: string;
  /** Only tasks labelled `traefikctl.env=<env>` are routed. */
  env: string;
  /** The entry point behind the load balancer, on port 80. */
  entryPoint: string;
  /** The VPC's CIDR blocks: X-Forwarded-* headers are trusted from the load balancer only. */
  trustedIps: readonly string[];
  /** How often Traefik polls ECS; a new deployment is routed within this many seconds. */
  refreshSeconds?: number | undefined;
  /**
   * Route only tasks whose ECS health status is HEALTHY; false by default, because tasks without a
   * container health check report UNKNOWN and would then never be routed (shared/notes/traefik.md
   * §1.1). Server health is then Traefik's own health check (the app's `healthCheck` labels).
   */
  healthyTasksOnly?: boolean;
}

/** The request-duration histogram of the tutorial (seconds); also Traefik's default. */
export const PROMETHEUS_BUCKETS = ['0.1', '0.3', '1.2', '5.0'] as const;

/**
 * Polling ECS every 15 s (Traefik's default) costs each Traefik task one ListTasks and one
 * DescribeTasks per refresh, and makes a new deployment routable within about 17 s.
 */
export const DEFAULT_REFRESH_SECONDS = 15;

/**
 * Metrics, access log, log and update settings: the same for every Traefik traefikctl runs (the ECS
 * service here, the local target's container in lib/local/cluster.ts).
 */
export const OBSERVABILITY_ARGUMENTS: readonly string[] = [
  '--metrics.prometheus=true',
  `--metrics.prometheus.buckets=${PROMETHEUS_BUCKETS.join(',')}`,
  '--metrics.prometheus.addEntryPointsLabels=true',
  '--metrics.prometheus.addServicesLabels=true',
  // Per router too, so that a deployment's router and service can both be read.
  '--metrics.prometheus.addRoutersLabels=true',
  // /metrics only where a router puts it: the `traefikctl-metrics` router on the Traefik task's
  // labels, behind the API's basic auth. Without this, Traefik serves it unauthenticated on the
  // `traefik` entry point.
  '--metrics.prometheus.manualRouting=true',
  '--accessLog=true',
  '--accessLog.format=json',
  // Request headers (Authorization among them) never reach the logs.
  '--accessLog.fields.headers.defaultMode=drop',
  '--log.level=INFO',
  '--log.format=json',
  '--global.checkNewVersion=false',
  '--global.sendAnonymousUsage=false',
];

const ENTRY_POINT = /^[A-Za-z0-9_-]+$/;
const CLUSTER = /^[A-Za-z0-9_-]{1,255}$/;
const ENV = /^[a-z][a-z0-9-]{0,19}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/**
 * The arguments of the Traefik container, in a stable order (pure; snapshot-tested, and every
 * option is checked against Traefik v3's option reference in the tests).
 */
export function renderTraefikArguments(input: TraefikCommandInput): string[] {
  const refreshSeconds = input.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;
  check(CLUSTER.test(input.cluster), 'cluster', input.cluster);
  check(REGION.test(input.region), 'region', input.region);
  check(ENV.test(input.env), 'env', input.env);
  check(
    ENTRY_POINT.test(input.entryPoint) && input.entryPoint !== 'traefik',
    'entry point',
    input.entryPoint,
  );
  check(
    input.trustedIps.length > 0 && input.trustedIps.every((ip) => CIDR.test(ip)),
    'trusted IPs',
    input.trustedIps.join(','),
  );
  check(Number.isInteger(refreshSeconds) && refreshSeconds >= 1, 'refresh seconds', String(refreshSeconds));
  const web = `--entryPoints.${input.entryPoint}`;
  const args = [
    // Proxied traffic from the load balancer. Its X-Forwarded-Proto/-For are kept, so apps see
    // https and the client's address; from anywhere else they are overwritten.
    `${web}.address=:80`,
    `${web}.forwardedHeaders.trustedIPs=${input.trustedIps.join(',')}`,
    // Internal entry point: /ping only (load balancer and container health checks).
    '--entryPoints.traefik.address=:8080',
    // A task Traefik still routes to after ECS stopped it (until the next refresh) has an address
    // nothing answers on: in a VPC a dial takes milliseconds, so give up after 5 s (the client gets a
    // 502) rather than Go's 30 s, which outlasts most clients' own timeouts.
    '--serversTransport.forwardingTimeouts.dialTimeout=5s',
    '--ping=true',
    // The API and dashboard are served through the `api@internal` router on the Traefik
    // container's labels, behind basic auth; never `api.insecure`.
    '--api=true',
    '--api.dashboard=true',
    '--providers.ecs=true',
    `--providers.ecs.clusters=${input.cluster}`,
    `--providers.ecs.region=${input.region}`,
    '--providers.ecs.autoDiscoverClusters=false',
    '--providers.ecs.exposedByDefault=false',
    `--providers.ecs.healthyTasksOnly=${input.healthyTasksOnly ?? false}`,
    `--providers.ecs.constraints=Label(\`${ENV_LABEL}\`,\`${input.env}\`)`,
    `--providers.ecs.refreshSeconds=${refreshSeconds}`,
    ...OBSERVABILITY_ARGUMENTS,
  ];
  for (const arg of args) {
    // The template splits the parameter on single spaces.
    if (/\s/.test(arg)) throw new Error(`A Traefik argument contains whitespace: ${JSON.stringify(arg)}`);
  }
  return args;
}

/** The form the stack parameter `TraefikArguments` takes. */
export function traefikArgumentsParameter(args: readonly string[]): string {
  return args.join(' ');
}

function check(ok: boolean, what: string, value: string): void {
  if (!ok) throw new Error(`Not a valid ${what} for Traefik's command line: ${JSON.stringify(value)}`);
}
