import type { AwsClients } from '../aws/clients.js';
import type { ClusterOutputs } from '../cluster/outputs.js';
import type { AppConfig, TraefikConfig } from '../config/schema.js';
import { describeError } from '../errors.js';
import type { EventSink } from '../events.js';
import type { TraefikState } from '../traefik/state.js';
import { joinRoutes, type Route, type RouteStatus } from '../routes/join.js';
import { listDeployments, notDeployedError, type EcsDeploymentRecord } from '../ecs/services.js';
import { connectToFromEnvironment } from '../traefik/connect-to.js';
import {
  fixedAddress,
  probeUrls,
  type ProbeOptions,
  type ProbeResolver,
  type ProbeResult,
} from './urls-probe.js';
import { formatDailyCost } from '../pricing/fargate.js';
import { envCosts } from './deployment-costs.js';

/**
 * Where `app urls --check` sends its probes: `--probe-address` when given, else TRAEFIKCTL_CONNECT_TO
 * (the env's entry point), else wherever DNS says.
 */
export function probeResolver(
  probeAddress: string | undefined,
  environment: NodeJS.ProcessEnv = process.env,
): ProbeResolver | undefined {
  if (probeAddress !== undefined) return fixedAddress(probeAddress);
  const connectTo = connectToFromEnvironment(environment);
  return connectTo === undefined ? undefined : () => ({ address: connectTo.host, port: connectTo.port });
}

/** Traefik's view of one deployment: its router's status and its servers' health. */
export interface RouteHealth {
  /** `missing`: Traefik has no router for the deployment (no healthy task yet, or labels not read). */
  status: RouteStatus;
  serversUp: number;
  serversTotal: number;
  /** What needs a look, in Traefik's or traefikctl's words; empty when healthy. */
  attention: string[];
}

/** One row of `app urls`, and one item of `app urls --json`. */
export interface DeploymentUrl {
  app: string;
  /** The original tag. */
  tag: string;
  env: string;
  host: string;
  url: string;
  /** ECS service = Traefik router and service name. */
  service: string;
  running: number;
  desired: number;
  pending: number;
  /** The rollout state of the service's primary ECS deployment: IN_PROGRESS, COMPLETED, FAILED. */
  rollout?: string | undefined;
  /** Absent when Traefik's API was not read (not configured, or unreachable). */
  route?: RouteHealth | undefined;
  /** ISO 8601. */
  deployedAt: string;
  deployedBy: string;
  expiresAt?: string | undefined;
  image: string;
  /** Fargate's daily cost of its tasks (`$0.30/day`, `unknown`); absent when not priced. */
  costPerDay?: string | undefined;
  /** With `--check`. */
  check?: ProbeResult | undefined;
}

export interface TraefikReadout {
  status: 'ok' | 'skipped' | 'failed';
  apiUrl?: string | undefined;
  /** Why route status is missing. */
  message?: string | undefined;
  suggestions?: readonly string[] | undefined;
}

export interface AppUrlsResult {
  env: string;
  /** Where the env runs: `ecs`, or `docker` for the local target (running/desired count containers). */
  target: 'ecs' | 'docker';
  cluster: string;
  traefik: TraefikReadout;
  deployments: DeploymentUrl[];
  /** The env's daily total (`$1.20/day`, `unknown`); absent when not priced. */
  totalCostPerDay?: string | undefined;
}

export interface AppUrlsOptions {
  clients: AwsClients;
  env: string;
  outputs: Pick<ClusterOutputs, 'cluster' | 'apiUrl' | 'apiUsername' | 'passwordParameter' | 'urlPattern'>;
  /** The config's `traefik` block (API URL, user, password parameter). */
  traefik: TraefikConfig;
  app?: string | undefined;
  /** Probe each URL. */
  check?: boolean | undefined;
  probe?: (ProbeOptions & { concurrency?: number | undefined }) | undefined;
  /** Where TRAEFIKCTL_TRAEFIK_PASSWORD is read from; defaults to process.env. */
  environment?: NodeJS.ProcessEnv | undefined;
  /** Per Traefik API request. */
  traefikTimeoutMs?: number | undefined;
  onEvent?: EventSink | undefined;
  /** The configuration's apps: their task sizes price each deployment (issue 18). Without it, no cost. */
  apps?: Record<string, AppConfig> | undefined;
  /** The region the prices are for; else the SDK's. */
  region?: string | undefined;
  profile?: string | undefined;
}

/**
 * Every managed deployment of the env with its URL, ECS counts and rollout, joined with Traefik's
 * routers when its API is configured, and probed with `check`. ECS and Traefik are read at the same
 * time. An unreachable Traefik doesn't fail the listing: the readout says why route status is absent.
 * An app with no deployment in the env is a usage error that names the deployed apps.
 */
export async function appUrls(options: AppUrlsOptions): Promise<AppUrlsResult> {
  const { clients, env, outputs } = options;
  const [all, traefik] = await Promise.all([
    listDeployments(clients, { cluster: outputs.cluster, env }),
    readTraefik(options),
  ]);
  const deployments = options.app === undefined ? all : all.filter((d) => d.app === options.app);
  if (options.app !== undefined && deployments.length === 0) {
    throw notDeployedError({ env, app: options.app }, all);
  }

  const routes = new Map<string, Route>();
  if (traefik.routes !== undefined) {
    for (const route of joinRoutes(traefik.routes, { deployments })) {
      if (route.deployment !== undefined) routes.set(route.deployment.service, route);
    }
  }
  const scheme = urlScheme(outputs);
  const rows = deployments.map((deployment) =>
    deploymentUrl(deployment, `${scheme}://${deployment.host}`, routes.get(deployment.service)),
  );
  if (options.check) {
    const results = await probeUrls(
      rows.map((row) => row.url),
      options.probe ?? {},
    );
    rows.forEach((row, index) => (row.check = results[index]));
  }
  const costs =
    options.apps === undefined
      ? undefined
      : await envCosts({
          rows,
          apps: options.apps,
          region: options.region ?? (await (await clients.ecs()).config.region()),
          profile: options.profile,
        });
  costs?.perDeployment.forEach((cost, index) => {
    const row = rows[index];
    if (row !== undefined) row.costPerDay = formatDailyCost(cost);
  });
  return {
    env,
    target: 'ecs',
    cluster: outputs.cluster,
    traefik: traefik.readout,
    deployments: rows,
    ...(costs === undefined ? {} : { totalCostPerDay: formatDailyCost(costs.total) }),
  };
}

/**
 * `https` when the cluster's load balancer serves the deployments over TLS: its `UrlPattern` output
 * (`https://{app}-{tag}.dev.example.com`) says so, else its API URL does; `http` otherwise.
 */
export function urlScheme(outputs: Pick<ClusterOutputs, 'urlPattern' | 'apiUrl'>): 'http' | 'https' {
  const hint = outputs.urlPattern ?? outputs.apiUrl;
  return hint?.startsWith('https://') ? 'https' : 'http';
}

/** A row of `app urls`: a deployment (ECS's or the local engine's) at its URL, with its route. */
export function deploymentUrl(
  deployment: EcsDeploymentRecord,
  url: string,
  route: Route | undefined,
): DeploymentUrl {
  return {
    app: deployment.app,
    tag: deployment.tag,
    env: deployment.env,
    host: deployment.host,
    url,
    service: deployment.service,
    running: deployment.runningCount,
    desired: deployment.desiredCount,
    pending: deployment.pendingCount,
    rollout: deployment.rolloutState,
    route:
      route === undefined
        ? undefined
        : {
            status: route.status,
            serversUp: route.serversUp,
            serversTotal: route.serversTotal,
            attention: route.attention.map((item) => item.message),
          },
    deployedAt: deployment.deployedAt,
    deployedBy: deployment.deployedBy,
    expiresAt: deployment.expiresAt,
    image: deployment.image,
  };
}

async function readTraefik(options: AppUrlsOptions): Promise<{
  readout: TraefikReadout;
  routes?: TraefikState;
}> {
  // No API anywhere (a cluster without a domain): route status is skipped, which is no error here.
  if (options.traefik.apiUrl === undefined && options.outputs.apiUrl === undefined) {
    return {
      readout: {
        status: 'skipped',
        message: 'no Traefik API is configured',
        suggestions: [
          'Set traefik.apiUrl in the configuration, or give the environment a domain and run `traefikctl cluster up`.',
        ],
      },
    };
  }
  const [
    { resolveTraefikAccess, traefikApiUrl },
    { defaultPasswordParameter },
    { TraefikClient },
    { fetchTraefikState },
  ] = await Promise.all([
    import('../traefik/access.js'),
    import('../cluster/password.js'),
    import('../traefik/client.js'),
    import('../traefik/state.js'),
  ]);
  let apiUrl = traefikApiUrl({ traefik: options.traefik, outputs: options.outputs });
  try {
    const access = await resolveTraefikAccess(options.clients, {
      env: options.env,
      traefik: options.traefik,
      environment: options.environment,
      defaultPasswordParameter: defaultPasswordParameter(options.env),
      outputs: () => Promise.resolve(options.outputs),
    });
    const client = new TraefikClient({
      ...access,
      timeoutMs: options.traefikTimeoutMs ?? 10_000,
      // A listing waits for Traefik only so long: route status is a bonus, not the point.
      retries: 1,
    });
    apiUrl = client.displayUrl;
    const routes = await fetchTraefikState(client);
    return { readout: { status: 'ok', apiUrl }, routes };
  } catch (error) {
    const suggestions = (error as { suggestions?: readonly string[] }).suggestions;
    options.onEvent?.({ type: 'warning', message: `Route status is unavailable: ${describeError(error)}` });
    return {
      readout: {
        status: 'failed',
        apiUrl,
        message: describeError(error),
        ...(suggestions === undefined ? {} : { suggestions }),
      },
    };
  }
}
