import type { Stack } from '@aws-sdk/client-cloudformation';

import {
  describeServices,
  isMissingCluster,
  listDeployments,
  type EcsDeploymentRecord,
} from '../ecs/services.js';
import { urlScheme } from '../app/urls.js';
import type { AwsClients } from '../aws/clients.js';
import {
  describeClusterStack,
  noClusterError,
  parseClusterOutputs,
  type ClusterOutputs,
} from '../cluster/outputs.js';
import type { Environment } from '../env/open.js';
import { describeError, isUserError } from '../errors.js';
import {
  countRoutes,
  joinRoutes,
  type AttentionKind,
  type Route,
  type RouteStatus,
  type StatusCounts,
} from '../routes/join.js';
import { traefikApiUrl } from '../traefik/access.js';
import { redactUrl } from '../traefik/api-url.js';
import { TraefikClient } from '../traefik/client.js';
import { fetchTraefikState, type TraefikState } from '../traefik/state.js';
import { pricesOnce, statusGuardrails, type StatusGuardrails } from './guardrails.js';

/**
 * `traefikctl status`: one environment at a glance. The cluster stack and Traefik's own ECS service,
 * Traefik's API, and every deployment joined with its route: rollout, tasks, route status, servers
 * UP, expiry; each with the problems a person should look at, problems first. Each part reports its
 * own failure; only a missing cluster is an error.
 */

export interface StatusDeployment {
  app: string;
  tag: string;
  url: string;
  service: string;
  /** Of the primary ECS deployment: IN_PROGRESS, COMPLETED, FAILED. */
  rollout?: string | undefined;
  running: number;
  desired: number;
  /** Absent when Traefik's API could not be read. */
  route?: { status: RouteStatus; serversUp: number; serversTotal: number } | undefined;
  deployedAt: string;
  expiresAt?: string | undefined;
  /** Empty when healthy. */
  problems: string[];
}

/** A router that needs a look and belongs to no live deployment (a deleted one, another tool's). */
export interface StatusStray {
  name: string;
  host?: string | undefined;
  status: RouteStatus;
  problems: string[];
}

export interface EnvStatus {
  env: string;
  /**
   * Where the env runs: `ecs`, or `docker` for the local target, where the Traefik container and its
   * network stand in for the stack and Traefik's ECS service (and containers for tasks).
   */
  target: 'ecs' | 'docker';
  /** ISO 8601. */
  checkedAt: string;
  cluster: {
    stackName: string;
    stackStatus: string;
    name: string;
    /** Traefik's ECS service; undefined when it can't be found. */
    traefikTasks?: { running: number; desired: number } | undefined;
    problems: string[];
  };
  traefik: {
    apiUrl?: string | undefined;
    version?: string | undefined;
    /** Routes by status (internal ones left out); absent when the API could not be read. */
    routes?: StatusCounts | undefined;
    problems: string[];
  };
  deployments: StatusDeployment[];
  strays: StatusStray[];
  /** Problems in total: zero means all is well. */
  problems: number;
  /** issue 18: apps near their maxDeployments, and the env's daily Fargate cost. */
  guardrails?: StatusGuardrails | undefined;
}

export interface EnvStatusInput {
  env: string;
  now: number;
  stack: { name: string; status: string; reason?: string | undefined };
  outputs: Pick<ClusterOutputs, 'cluster' | 'apiUrl' | 'urlPattern'> | undefined;
  outputsProblem?: string | undefined;
  traefikTasks?: { running: number; desired: number } | undefined;
  deployments: readonly EcsDeploymentRecord[];
  traefik: {
    apiUrl?: string | undefined;
    version?: string | undefined;
    state?: TraefikState | undefined;
    /** Why the API could not be read. */
    problem?: string | undefined;
  };
  /** Whose routers the deployments are: `ecs` (default), `docker` for the local target. */
  provider?: 'ecs' | 'docker' | undefined;
  /** A deployment's URL; by default `<scheme>://<host>` from the stack outputs. */
  urlFor?: ((host: string) => string) | undefined;
  /** Whether the cluster stands, when the env has no stack to judge by (the local target). */
  clusterHealthy?: boolean | undefined;
}

/**
 * What the status says of the env's parts on each target: on `docker` a container and its network stand
 * in for the stack (`stack.name` names both) and Traefik's ECS service, and containers for tasks.
 */
export const TARGET_WORDS = {
  ecs: { stack: 'stack ', traefik: 'ECS service', tasks: 'tasks' },
  docker: { stack: '', traefik: 'container', tasks: 'containers' },
} as const;

const HEALTHY_STACK = /^(CREATE|UPDATE|IMPORT)_COMPLETE$|^UPDATE_ROLLBACK_COMPLETE$/;

/** The status screen's data from what was read (pure: tested without AWS). */
export function buildEnvStatus(input: EnvStatusInput): EnvStatus {
  const target = input.provider === 'docker' ? 'docker' : 'ecs';
  const words = TARGET_WORDS[target];
  const clusterProblems: string[] = [];
  if (!(input.clusterHealthy ?? HEALTHY_STACK.test(input.stack.status))) {
    clusterProblems.push(
      `${words.stack}${input.stack.name} is ${input.stack.status}${input.stack.reason ? ` (${input.stack.reason})` : ''}`,
    );
  }
  if (input.outputsProblem !== undefined) clusterProblems.push(input.outputsProblem);
  const tasks = input.traefikTasks;
  if (tasks === undefined) clusterProblems.push(`Traefik's ${words.traefik} is missing`);
  else if (tasks.running < tasks.desired || tasks.desired === 0) {
    clusterProblems.push(`Traefik runs ${tasks.running} of ${tasks.desired} ${words.tasks}`);
  }

  const traefikProblems: string[] = [];
  if (input.traefik.problem !== undefined) traefikProblems.push(input.traefik.problem);

  const live = input.deployments.filter(
    (deployment) => deployment.status === undefined || deployment.status === 'ACTIVE',
  );
  const state = input.traefik.state;
  const routes =
    state === undefined
      ? undefined
      : joinRoutes(state, {
          deployments: input.deployments,
          ...(input.provider === undefined ? {} : { provider: input.provider }),
        });
  const byService = new Map<string, Route>();
  for (const route of routes ?? [])
    if (route.deployment !== undefined) byService.set(route.deployment.service, route);

  const scheme = urlScheme(input.outputs ?? {});
  const urlFor = input.urlFor ?? ((host: string) => `${scheme}://${host}`);
  const deployments = live.map((deployment) => {
    const route = routes === undefined ? undefined : byService.get(deployment.service);
    return statusOf(deployment, route, urlFor, input.now, words.tasks);
  });
  // Worst first: most problems, then by app, newest deployment first.
  deployments.sort(
    (a, b) =>
      b.problems.length - a.problems.length ||
      compare(a.app, b.app) ||
      compare(b.deployedAt, a.deployedAt) ||
      compare(a.tag, b.tag),
  );

  const strays: StatusStray[] = (routes ?? [])
    .filter(
      (route) =>
        route.attention.length > 0 &&
        (route.deployment === undefined ||
          (route.deployment.status !== undefined && route.deployment.status !== 'ACTIVE')),
    )
    .map((route) => ({
      name: route.name,
      host: route.hosts[0],
      status: route.status,
      problems: route.attention.map((attention) => attention.message),
    }));

  const problems =
    clusterProblems.length +
    traefikProblems.length +
    deployments.reduce((sum, row) => sum + row.problems.length, 0) +
    strays.length;
  return {
    env: input.env,
    target,
    checkedAt: new Date(input.now).toISOString(),
    cluster: {
      stackName: input.stack.name,
      stackStatus: input.stack.status,
      name: input.outputs?.cluster ?? '',
      traefikTasks: tasks,
      problems: clusterProblems,
    },
    traefik: {
      apiUrl: input.traefik.apiUrl,
      version: input.traefik.version,
      routes: routes === undefined ? undefined : countRoutes(routes),
      problems: traefikProblems,
    },
    deployments,
    strays,
    problems,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A route's attention as a problem in `status`'s table, where the route's own message is too long. */
const ROUTE_PROBLEMS: Partial<Record<AttentionKind, string>> = {
  'not-discovered': 'Traefik has no router for it',
  'scaled-to-zero': 'scaled to 0 tasks: nothing serves its URL',
};

function statusOf(
  deployment: EcsDeploymentRecord,
  route: Route | undefined,
  urlFor: (host: string) => string,
  now: number,
  tasksWord: string,
): StatusDeployment {
  const problems: string[] = [];
  if (deployment.rolloutState === 'FAILED') {
    problems.push(
      `rollout failed${deployment.rolloutStateReason ? `: ${deployment.rolloutStateReason}` : ''}`,
    );
  }
  if (deployment.runningCount < deployment.desiredCount) {
    problems.push(`${deployment.runningCount} of ${deployment.desiredCount} ${tasksWord} running`);
  }
  if (route !== undefined) {
    for (const attention of route.attention) {
      problems.push(ROUTE_PROBLEMS[attention.kind] ?? attention.message);
    }
  }
  const expires = deployment.expiresAt === undefined ? Number.NaN : Date.parse(deployment.expiresAt);
  if (!Number.isNaN(expires) && expires <= now)
    problems.push(`expired ${deployment.expiresAt ?? ''}; \`app prune --expired\` removes it`);
  return {
    app: deployment.app,
    tag: deployment.tag,
    url: urlFor(deployment.host),
    service: deployment.service,
    rollout: deployment.rolloutState,
    running: deployment.runningCount,
    desired: deployment.desiredCount,
    route:
      route === undefined
        ? undefined
        : { status: route.status, serversUp: route.serversUp, serversTotal: route.serversTotal },
    deployedAt: deployment.deployedAt,
    expiresAt: deployment.expiresAt,
    problems,
  };
}

export interface OpenEnvStatusOptions {
  now?: () => number;
}

export interface EnvStatusSource {
  env: string;
  read(): Promise<EnvStatus>;
  close(): Promise<void>;
}

/**
 * One or many status reads of an opened env (with the opener's `--api-url`); closing the source
 * closes the environment.
 */
export function openEnvStatus(environment: Environment, options: OpenEnvStatusOptions = {}): EnvStatusSource {
  const { context: ctx, clients } = environment;
  const now = options.now ?? Date.now;
  const prices = pricesOnce(
    async () => ctx.region ?? (await (await clients.ecs()).config.region()),
    ctx.profile,
  );
  return {
    env: ctx.env,
    close: () => environment.close(),
    async read() {
      const stack = await describeClusterStack(clients, ctx.env);
      if (stack === undefined) throw noClusterError(ctx.env);
      let outputs: ClusterOutputs | undefined;
      let outputsProblem: string | undefined;
      try {
        outputs = parseClusterOutputs(stack, ctx.env);
      } catch (error) {
        if (!isUserError(error)) throw error;
        outputsProblem = error.message;
      }
      const cluster = outputs?.cluster ?? ctx.cluster;
      const [traefikTasks, deployments, traefik] = await Promise.all([
        traefikService(clients, cluster, stack),
        listDeployments(clients, { cluster, env: ctx.env, includeInactive: true }).catch((error: unknown) => {
          if (isMissingCluster(error)) return [];
          throw error;
        }),
        readTraefik(environment, outputs),
      ]);
      const status = buildEnvStatus({
        env: ctx.env,
        now: now(),
        stack: {
          name: stack.StackName ?? `traefikctl-${ctx.env}`,
          status: stack.StackStatus ?? 'UNKNOWN',
          reason: stack.StackStatusReason,
        },
        outputs,
        outputsProblem,
        traefikTasks,
        deployments,
        traefik,
      });
      // issue 18: limits and cost, from the configuration's apps and the Price List.
      const guardrails = await statusGuardrails({
        deployments: status.deployments,
        apps: ctx.apps,
        region: ctx.region,
        profile: ctx.profile,
        prices,
      });
      return { ...status, guardrails };
    },
  };
}

async function traefikService(
  clients: AwsClients,
  cluster: string,
  stack: Stack,
): Promise<{ running: number; desired: number } | undefined> {
  const name =
    stack.Outputs?.find((output) => output.OutputKey === 'TraefikService')?.OutputValue ?? 'traefik';
  try {
    const [service] = await describeServices(await clients.ecs(), cluster, [name]);
    if (service === undefined || service.status !== 'ACTIVE') return undefined;
    return { running: service.runningCount ?? 0, desired: service.desiredCount ?? 0 };
  } catch (error) {
    if (isUserError(error)) return undefined;
    throw error;
  }
}

async function readTraefik(
  environment: Environment,
  outputs: ClusterOutputs | undefined,
): Promise<EnvStatusInput['traefik']> {
  const { traefik } = environment.context;
  const apiUrl = environment.apiUrl;
  const given = traefikApiUrl({ apiUrl, traefik, outputs });
  if (given === undefined) return { problem: 'no Traefik API is configured: route status is unknown' };
  // Until the client has checked it, the URL may hold a password (refused, and never shown).
  let shownUrl = given === undefined ? undefined : redactUrl(given);
  try {
    // Each read asks again (with this read's outputs): a password rotated by `cluster up` is picked up.
    const access = await environment.traefik(outputs === undefined ? {} : { outputs });
    // Status waits for Traefik only so long: one retry, a short timeout.
    const client = new TraefikClient({ ...access, retries: 1, timeoutMs: 5_000 });
    shownUrl = client.displayUrl;
    const [state, version] = await Promise.all([fetchTraefikState(client), client.version()]);
    return { apiUrl: shownUrl, version: version.Version, state };
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { apiUrl: shownUrl, problem: describeError(error) };
  }
}
