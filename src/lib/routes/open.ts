import { isMissingCluster, listDeployments } from '../ecs/services.js';
import type { Environment } from '../env/open.js';
import type { EventSink } from '../events.js';
import { TraefikClient } from '../traefik/client.js';
import type { DeploymentRecord } from '../model.js';
import { createRoutesSource, type RoutesSource } from './source.js';

export type { Route } from './join.js';

export interface OpenRoutesOptions {
  /** Keep Traefik's `@internal` routers (`routes show api@internal`). */
  includeInternal?: boolean;
  /** Per API request. */
  timeoutMs?: number;
  /** Items per page of Traefik's lists (the client's default otherwise). */
  perPage?: number;
  onEvent?: EventSink | undefined;
}

/**
 * The routes of an opened environment, ready to read: the API's address and password found (with
 * the opener's `--api-url`), ECS deployments read through the user's AWS credentials. Closing the
 * source closes the environment.
 */
export async function openRoutesSource(
  environment: Environment,
  options: OpenRoutesOptions = {},
): Promise<RoutesSource> {
  const { context: ctx, clients } = environment;
  // Deleted services too, so their routers show as orphaned; no cluster: nothing can be said.
  const listEcs = () =>
    listDeployments(clients, { cluster: ctx.cluster, env: ctx.env, includeInactive: true }).catch(
      (error: unknown) => {
        if (isMissingCluster(error)) return undefined;
        throw error;
      },
    );
  // The first snapshot reads ECS anyway: start now, beside the password and stack reads that must
  // come before Traefik's, rather than after them, when its SDK import would hold up Traefik's pages.
  let early: Promise<DeploymentRecord[] | undefined> | undefined = listEcs();
  // Its failure is the first snapshot's to report; if no snapshot comes, it is dropped.
  early.catch(() => undefined);
  try {
    const access = await environment.traefik();
    const client = (signal?: AbortSignal) =>
      new TraefikClient({
        ...access,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.perPage === undefined ? {} : { perPage: options.perPage }),
        signal,
        onEvent: options.onEvent,
      });
    return createRoutesSource({
      env: ctx.env,
      client,
      deployments: () => {
        const started = early;
        early = undefined;
        return started ?? listEcs();
      },
      ...(options.includeInternal === undefined ? {} : { includeInternal: options.includeInternal }),
      close: () => environment.close(),
    });
  } catch (error) {
    await environment.close();
    throw error;
  }
}
