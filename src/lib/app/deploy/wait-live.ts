import { UserError } from '../../errors.js';
import { skipPhase, withPhase } from '../../events.js';
import { traefikApiUrl, type StackApiOutputs, type TraefikAccess } from '../../traefik/access.js';
import type { DeployRun } from './context.js';
import { DEFAULT_PROBE_TIMEOUT_MS, DEFAULT_ROUTE_TIMEOUT_MS } from './context.js';
import { PHASES, phaseDeadline } from './phases.js';
import { probeUrl } from './track-probe.js';
import { waitForRoute, type RouteApi } from './track-route.js';

/**
 * The last two waits of a deploy, the same whatever runs the tasks: Traefik shows the route (with its
 * servers UP), then the URL answers. Each look first runs `check` (the target's: is the deployment
 * still ours, has a task of it stopped for good).
 */

export interface LiveTarget {
  /** Traefik's router, e.g. `whoami-v2@ecs`; its service has the same name. */
  router: string;
  /** The name Traefik's provider gives the deployment (the router without `@provider`). */
  name: string;
  host: string;
  url: string;
  /** What the environment's stack says about Traefik's API (the configuration wins). */
  stackApi: StackApiOutputs;
  check: () => Promise<void>;
  /**
   * The server URLs of this deploy's tasks: the route counts once one of them is UP and no other
   * server is (waitForRoute's ownServers and onlyOwnServers).
   */
  ownServers?: () => Promise<ReadonlySet<string> | undefined>;
}

/** Traefik's access (URL, user, password) for a run: read once, by the preflight or the route wait. */
const accessOfRun = new WeakMap<DeployRun, Promise<TraefikAccess>>();

/** The look before the change: one short try (5 s) and one more, not the route wait's patience. */
export const PREFLIGHT_LOOK = { timeoutMs: 5_000, retries: 1 } as const;

/** Whether a deploy asks Traefik at all, before the change and after: not with --no-wait or --skip-route-check. */
export function asksTraefik(options: {
  wait?: boolean | undefined;
  skipRouteCheck?: boolean | undefined;
}): boolean {
  return options.wait !== false && options.skipRouteCheck !== true;
}

/** A client for the look before the change (PREFLIGHT_LOOK). */
export async function quickRouteApi(access: TraefikAccess, signal?: AbortSignal): Promise<RouteApi> {
  const { TraefikClient } = await import('../../traefik/client.js');
  return new TraefikClient({ ...access, signal, ...PREFLIGHT_LOOK });
}

/** Traefik's API as the route wait reads it (lib/traefik/access.ts), unless a test gives its own. */
async function traefikApi(
  run: DeployRun,
  stackApi: StackApiOutputs,
  quick = false,
  stop?: AbortSignal,
): Promise<RouteApi | undefined> {
  const { options } = run;
  if (options.routeApi !== undefined) return options.routeApi;
  if (traefikApiUrl({ traefik: run.spec.context.traefik, outputs: stackApi }) === undefined) return undefined;
  let access = accessOfRun.get(run);
  if (access === undefined) {
    access = run.environment.traefik({ clients: run.clients, outputs: stackApi });
    accessOfRun.set(run, access);
  }
  if (quick) {
    const signals = [options.signal, stop].filter((signal) => signal !== undefined);
    return quickRouteApi(await access, signals.length > 1 ? AbortSignal.any(signals) : signals[0]);
  }
  const [resolved, { TraefikClient }] = await Promise.all([access, import('../../traefik/client.js')]);
  return new TraefikClient({ ...resolved, signal: options.signal });
}

/**
 * One read of the deployment's router (absent is fine), before anything changes: will the route
 * wait be able to ask Traefik at all? An API that is down, hangs or refuses the password would
 * otherwise show only after the service was created, at the end of the route wait (3 minutes).
 * Throws a UserError that says the deploy can't be verified and how to go on.
 */
export async function lookAtTraefik(api: RouteApi, router: string, env: string): Promise<void> {
  try {
    await api.httpRouter(router);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(
      `${error.message.replace(/\.$/, '')}: the deploy can't be verified, so nothing was changed.`,
      {
        suggestions: [
          ...error.suggestions,
          `See how Traefik runs: \`traefikctl status --env ${env}\`; \`traefikctl doctor --env ${env}\` checks its API and password.`,
          "Or deploy without Traefik's word: --skip-route-check (the URL is still probed), or --no-wait.",
        ],
        code: error.code ?? 'TRAEFIK_UNREACHABLE',
        exitCode: error.exitCode,
        cause: error,
      },
    );
  }
}

/**
 * The preflight's look at Traefik (lookAtTraefik); what answered, for its line, or undefined if none
 * asked. `stop` ends the look early: the preflight runs it beside its other reads and stops it when
 * one of those fails first.
 */
export async function checkTraefikAnswers(
  run: DeployRun,
  stackApi: StackApiOutputs,
  router: string,
  stop?: AbortSignal,
): Promise<string | undefined> {
  if (!asksTraefik(run.options)) return undefined;
  const api = await traefikApi(run, stackApi, true, stop);
  if (api === undefined) return undefined;
  await lookAtTraefik(api, router, run.spec.context.env);
  return `Traefik's API answers`;
}

export async function waitForLiveRoute(run: DeployRun, target: LiveTarget): Promise<void> {
  const { options, emit, poller } = run;
  const env = run.spec.context.env;
  if (options.skipRouteCheck) return skipPhase(emit, PHASES.route, '--skip-route-check');
  const api = await traefikApi(run, target.stackApi);
  if (api === undefined) return skipPhase(emit, PHASES.route, 'no Traefik API configured (traefik.apiUrl)');
  const limit = phaseDeadline(
    poller.now(),
    run.deadline,
    options.routeTimeoutMs ?? DEFAULT_ROUTE_TIMEOUT_MS,
    options.timeoutMs,
  );
  await withPhase(
    emit,
    { ...PHASES.route, title: `Route ${target.router} in Traefik` },
    async (setDetail) => {
      const route = await waitForRoute({
        api,
        name: target.name,
        host: target.host,
        poller,
        deadline: limit.deadline,
        deadlineIsOverall: limit.overall,
        timeoutText: limit.text,
        setDetail,
        hints: { routes: `traefikctl routes --env ${env}`, env },
        refreshInterval: run.spec.context.traefik.refreshInterval,
        check: target.check,
        ownServers: target.ownServers,
        onlyOwnServers: target.ownServers !== undefined,
      });
      run.progress.routed = true;
      const up = route.servers.filter((server) => server.status === 'UP').length;
      setDetail(`${up}/${route.servers.length} server${route.servers.length === 1 ? '' : 's'} UP`);
    },
  );
}

/** Probes the URL until it answers; false when --skip-probe left it unprobed. */
export async function probeLiveUrl(run: DeployRun, target: LiveTarget): Promise<boolean> {
  const { options, emit, poller } = run;
  if (options.skipProbe) {
    skipPhase(emit, PHASES.probe, '--skip-probe');
    emit({ type: 'info', message: `Rolled out: ${target.url} (not probed)` });
    return false;
  }
  const limit = phaseDeadline(
    poller.now(),
    run.deadline,
    options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    options.timeoutMs,
  );
  const path = run.spec.appConfig.healthCheck?.path ?? '/';
  await withPhase(
    emit,
    { ...PHASES.probe, title: `Probe ${target.url}${path === '/' ? '' : path}` },
    async (setDetail) => {
      const answer = await probeUrl({
        url: target.url,
        path,
        address: run.probeAddress,
        poller,
        deadline: limit.deadline,
        deadlineIsOverall: limit.overall,
        timeoutText: limit.text,
        setDetail,
        check: target.check,
      });
      setDetail(`HTTP ${answer.status} in ${answer.ms}ms`);
    },
  );
  emit({ type: 'info', message: `Live: ${target.url}` });
  return true;
}
