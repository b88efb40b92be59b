import { skipPhase, withPhase } from '../../events.js';
import { traefikApiUrl, type StackApiOutputs } from '../../traefik/access.js';
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

/** Traefik's API as the route wait reads it: lib/traefik/access.ts, unless a test gives its own. */
async function traefikApi(run: DeployRun, target: LiveTarget): Promise<RouteApi | undefined> {
  const { options } = run;
  if (options.routeApi !== undefined) return options.routeApi;
  if (traefikApiUrl({ traefik: run.spec.context.traefik, outputs: target.stackApi }) === undefined)
    return undefined;
  const [access, { TraefikClient }] = await Promise.all([
    run.environment.traefik({ clients: run.clients, outputs: target.stackApi }),
    import('../../traefik/client.js'),
  ]);
  return new TraefikClient({ ...access, signal: options.signal });
}

export async function waitForLiveRoute(run: DeployRun, target: LiveTarget): Promise<void> {
  const { options, emit, poller } = run;
  const env = run.spec.context.env;
  const api = options.skipRouteCheck ? undefined : await traefikApi(run, target);
  if (options.skipRouteCheck) return skipPhase(emit, PHASES.route, '--skip-route-check');
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
