import { ExitCode, UserError } from '../../errors.js';
import { TraefikApiError } from '../../traefik/client.js';
import type { TraefikRouter, TraefikService } from '../../traefik/schemas.js';
import type { Poller } from './poll.js';

/**
 * Waits until Traefik routes the deployment: the router `<service>@<provider>` (`@ecs` on ECS) exists
 * and is enabled, and its service has a server that is UP. ECS saying "healthy" still leaves up to
 * one provider refresh (15 s by default) before the route exists (anchors.md §0.5); this is the step
 * no other ECS deploy tool checks.
 */

/** The two reads of Traefik's API this needs (TraefikClient has both). */
export interface RouteApi {
  readonly displayUrl: string;
  httpRouter(name: string): Promise<TraefikRouter | undefined>;
  httpService(name: string): Promise<TraefikService | undefined>;
}

/**
 * The Traefik provider that turns a deployment's labels into its router: `ecs` for the ECS target,
 * `docker` for the local one (the same labels either way, DESIGN.md "Targets").
 */
export type RouteProvider = 'ecs' | 'docker';

export interface WaitForRouteOptions {
  api: RouteApi;
  /** The ECS service name = Traefik router and service name, without `@<provider>`. */
  name: string;
  /** `ecs` unless given. */
  provider?: RouteProvider | undefined;
  host: string;
  poller: Poller;
  /** Epoch ms when this phase gives up. */
  deadline: number;
  /** True when `deadline` is the overall `--timeout` rather than the phase's own limit. */
  deadlineIsOverall?: boolean;
  setDetail?: ((detail: string) => void) | undefined;
  timeoutText: string;
  /** Exact commands for the suggestions. */
  hints?: { routes?: string; env?: string } | undefined;
  /** ECS: `traefik.refreshInterval` as configured (`30s`), for the wait's words; 15 s when unset. */
  refreshInterval?: string | undefined;
  /**
   * Called at each look, before Traefik is asked: throws to stop waiting (the service was deleted or
   * taken over meanwhile).
   */
  check?: (() => Promise<void>) | undefined;
  /**
   * The server URLs (`http://<address>:<port>`) of what this deploy started, read at each look. Given,
   * only those count: a redeploy of a live tag finds the router with the old build's server UP, and
   * that one answering says nothing about the new build. Undefined: can't tell now (look again).
   */
  ownServers?: (() => Promise<ReadonlySet<string> | undefined>) | undefined;
  /**
   * With `ownServers`: the route counts only once no other server is UP either, so that the URL serves
   * this build alone (ECS: the old tasks leave Traefik at its refresh after ECS stops them). Not for
   * the local target, which stops its old container only after the new one is routed.
   */
  onlyOwnServers?: boolean | undefined;
}

export interface RouteResult {
  router: string;
  rule: string | undefined;
  servers: { url: string; status: string }[];
}

function upServers(service: TraefikService | undefined): { url: string; status: string }[] {
  return Object.entries(service?.serverStatus ?? {}).map(([url, status]) => ({ url, status }));
}

/** Connection trouble worth another look on the next poll; a refused password is not. */
function transient(error: unknown): boolean {
  return (
    error instanceof TraefikApiError &&
    (error.failure === 'unreachable' || error.failure === 'timeout' || error.failure === 'server-error')
  );
}

export async function waitForRoute(options: WaitForRouteOptions): Promise<RouteResult> {
  const { api, name, poller } = options;
  const qualified = `${name}@${options.provider ?? 'ecs'}`;
  let seen = 'no router yet';
  // Whether Traefik's API answered once in this wait: if never, labels and IAM are not the question.
  let answered = false;

  const outcome = await poller.until<RouteResult>(
    async () => {
      await options.check?.();
      const router = await api.httpRouter(qualified);
      answered = true;
      if (router === undefined) {
        seen = `Traefik has no router ${qualified} yet`;
        options.setDetail?.(
          (options.provider ?? 'ecs') === 'ecs'
            ? `waiting for Traefik to find the tasks (it looks at ECS every ${options.refreshInterval === undefined ? 'refresh interval, 15s by default' : `${options.refreshInterval}, traefik.refreshInterval`})`
            : 'waiting for Traefik to find the container',
        );
        return undefined;
      }
      if (router.status !== undefined && router.status !== 'enabled') {
        const errors = router.error?.join('; ');
        seen = `router ${qualified} is ${router.status}${errors ? `: ${errors}` : ''}`;
        options.setDetail?.(seen);
        return undefined;
      }
      const service = await api.httpService(qualified);
      const all = upServers(service);
      const own = all.length === 0 ? undefined : await options.ownServers?.();
      if (all.length > 0 && options.ownServers !== undefined && own === undefined) {
        seen = `router ${qualified} has ${all.length} server${all.length === 1 ? '' : 's'}; which are this deploy's can't be told yet`;
        options.setDetail?.(seen);
        return undefined;
      }
      const servers = own === undefined ? all : all.filter((server) => own.has(server.url));
      const up = servers.filter((server) => server.status === 'UP');
      if (up.length === 0) {
        const count = `${all.length} server${all.length === 1 ? '' : 's'}`;
        seen =
          all.length === 0
            ? `router ${qualified} has no servers`
            : own !== undefined && servers.length === 0
              ? `router ${qualified} has ${count}, none yet of this deploy (${[...own].join(', ') || 'no task of it runs'})`
              : `router ${qualified} has ${count}, none UP`;
        options.setDetail?.(seen);
        return undefined;
      }
      const others =
        options.onlyOwnServers === true && own !== undefined
          ? all.filter((server) => server.status === 'UP' && !own.has(server.url))
          : [];
      if (others.length > 0) {
        seen = `router ${qualified} routes this deploy's task and still ${others.length} other server${others.length === 1 ? '' : 's'} UP (${others.map((server) => server.url).join(', ')})`;
        options.setDetail?.(seen);
        return undefined;
      }
      return { router: qualified, rule: router.rule, servers };
    },
    { deadline: options.deadline, isTransient: transient },
  );
  if (outcome.status === 'done') return outcome.value;

  const lastError = outcome.lastError instanceof Error ? ` (last error: ${outcome.lastError.message})` : '';
  const env = options.hints?.env ?? '<env>';
  const ecs = (options.provider ?? 'ecs') === 'ecs';
  const message = answered
    ? `Traefik at ${api.displayUrl} doesn't route ${options.host} after ${options.timeoutText}: ${seen}${lastError}.`
    : `Traefik's API at ${api.displayUrl} didn't answer in ${options.timeoutText}, so whether it routes ${options.host} is unknown${lastError}.`;
  throw new UserError(message, {
    suggestions: [
      ...(answered
        ? [
            ecs
              ? `Check that the tasks carry the label traefikctl.env=${env} that Traefik's constraint selects, and that Traefik's task role may call ecs:ListTasks, ecs:DescribeTasks and ecs:DescribeTaskDefinition.`
              : `Check that the container carries the label traefikctl.env=${env} that Traefik's constraint selects and is on traefikctl's Docker network.`,
            ...(options.hints?.routes ? [`See what Traefik routes: \`${options.hints.routes}\`.`] : []),
          ]
        : [
            `See how Traefik runs: \`traefikctl status --env ${env}\`; \`traefikctl doctor --env ${env}\` checks its API and password.`,
          ]),
      ecs
        ? 'The ECS deployment itself succeeded and stays in place.'
        : 'The container itself runs and stays in place.',
    ],
    exitCode: options.deadlineIsOverall ? ExitCode.TimedOut : ExitCode.RouteNotDiscovered,
    code: options.deadlineIsOverall ? 'ROUTE_TIMED_OUT' : 'ROUTE_NOT_DISCOVERED',
  });
}
