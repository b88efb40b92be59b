import type { EcsDeploymentRecord as ManagedDeployment } from '../ecs/services.js';
import { deploymentUrl, type AppUrlsResult, type DeploymentUrl, type TraefikReadout } from '../app/urls.js';
import { probeUrls, type ProbeOptions } from '../app/urls-probe.js';
import { describeError, usageError } from '../errors.js';
import type { EventSink } from '../events.js';
import { parseTraefikLabels } from '../labels.js';
import { slugTag } from '../naming.js';
import { joinRoutes, type Route } from '../routes/join.js';
import type { TraefikState } from '../traefik/state.js';
import { TAG_KEYS } from '../ecs/tag-codec.js';
import { ROLE_LABEL, localTraefikClient } from './cluster.js';
import { containerName, findContainers, labelsOf, type ContainerInfo } from './engine.js';
import { localUrl, type LocalEnvironment } from '../env/local.js';
import { localLabel, readDeploymentLabels } from './state.js';

/**
 * The deployments of a `docker` env, read back from the containers' labels (no state files): the
 * local counterpart of src/lib/app/list.ts, in the same shapes, for `app urls|destroy|prune|logs`,
 * `routes` and `status`.
 */

/** A deployment and the containers that run it (two while a redeploy replaces one). */
export interface LocalDeployment extends ManagedDeployment {
  /** Container names, newest first. */
  containers: string[];
}

/** Every container traefikctl runs for the env's apps, stopped ones included. */
export async function appContainers(local: LocalEnvironment): Promise<ContainerInfo[]> {
  const all = await findContainers(
    { [localLabel(TAG_KEYS.managed)]: 'true', [localLabel(TAG_KEYS.env)]: local.env },
    { all: true },
  );
  return all.filter((info) => labelsOf(info)[ROLE_LABEL] === undefined);
}

/** Sorted by app, then newest first, as the ECS listing is. */
export async function listLocalDeployments(
  local: LocalEnvironment,
  options: { app?: string | undefined } = {},
): Promise<LocalDeployment[]> {
  const byService = new Map<
    string,
    { values: NonNullable<ReturnType<typeof readDeploymentLabels>>; infos: ContainerInfo[] }
  >();
  for (const info of await appContainers(local)) {
    const labels = labelsOf(info);
    const values = readDeploymentLabels(labels);
    const service = parseTraefikLabels(labels)?.name;
    if (values === undefined || service === undefined || values.env !== local.env) continue;
    if (options.app !== undefined && values.app !== options.app) continue;
    const slot = byService.get(service);
    if (slot === undefined) byService.set(service, { values, infos: [info] });
    else {
      slot.infos.push(info);
      if (values.deployedAt > slot.values.deployedAt) slot.values = values;
    }
  }
  const deployments: LocalDeployment[] = [];
  for (const [service, { values, infos }] of byService) {
    infos.sort((a, b) => b.Created.localeCompare(a.Created));
    const running = infos.filter((info) => info.State.Running).length;
    const starting = infos.filter(
      (info) => info.State.Running && info.State.Health?.Status === 'starting',
    ).length;
    const newest = infos[0];
    deployments.push({
      ...values,
      service,
      serviceArn: newest === undefined ? service : containerName(newest),
      cluster: local.network,
      desiredCount: 1,
      runningCount: running - starting,
      pendingCount: starting,
      rolloutState: running === 0 ? 'FAILED' : running > 1 ? 'IN_PROGRESS' : 'COMPLETED',
      ...(running === 0 && newest !== undefined
        ? {
            rolloutStateReason: `container ${containerName(newest)} exited with code ${newest.State.ExitCode}`,
          }
        : {}),
      containers: infos.map(containerName),
    });
  }
  return deployments.sort((a, b) => a.app.localeCompare(b.app) || b.deployedAt.localeCompare(a.deployedAt));
}

/** The deployment of `app` at `tag` (as deployed, or its slug); a usage error naming what exists. */
export async function findLocalDeployment(
  local: LocalEnvironment,
  app: string,
  tag: string,
): Promise<LocalDeployment> {
  const all = await listLocalDeployments(local, { app });
  const found =
    all.find((deployment) => deployment.tag === tag) ?? all.find((d) => slugTag(d.tag) === slugTag(tag));
  if (found !== undefined) return found;
  throw usageError(
    all.length === 0
      ? `${app} has no deployment in the local environment ${local.env}.`
      : `${app} has no deployment at tag ${JSON.stringify(tag)} in ${local.env} (deployed: ${all.map((d) => d.tag).join(', ')}).`,
    [`See what is deployed: \`traefikctl app urls --env ${local.env}\`.`],
    'NOT_DEPLOYED',
  );
}

/** Traefik's routers and services, or why they can't be read (which never fails a listing). */
export async function readLocalTraefik(
  local: LocalEnvironment,
  onEvent?: EventSink,
): Promise<{ readout: TraefikReadout; routes?: TraefikState }> {
  try {
    const client = await localTraefikClient(local, { timeoutMs: 5_000, retries: 1 });
    const { fetchTraefikState } = await import('../traefik/state.js');
    const routes = await fetchTraefikState(client);
    return { readout: { status: 'ok', apiUrl: local.apiUrl }, routes };
  } catch (error) {
    const suggestions = (error as { suggestions?: readonly string[] }).suggestions;
    onEvent?.({ type: 'warning', message: `Route status is unavailable: ${describeError(error)}` });
    return {
      readout: {
        status: 'failed',
        apiUrl: local.apiUrl,
        message: describeError(error),
        ...(suggestions === undefined ? {} : { suggestions }),
      },
    };
  }
}

export interface LocalUrlsOptions {
  app?: string | undefined;
  check?: boolean | undefined;
  probe?: (ProbeOptions & { concurrency?: number | undefined }) | undefined;
  onEvent?: EventSink | undefined;
}

/** `app urls` of a `docker` env, in the shape of `appUrls`. */
export async function localUrls(
  local: LocalEnvironment,
  options: LocalUrlsOptions = {},
): Promise<AppUrlsResult> {
  const [all, traefik] = await Promise.all([
    listLocalDeployments(local),
    readLocalTraefik(local, options.onEvent),
  ]);
  const deployments = options.app === undefined ? all : all.filter((d) => d.app === options.app);
  if (options.app !== undefined && deployments.length === 0) {
    throw usageError(
      `${options.app} has no deployment in the local environment ${local.env}${all.length === 0 ? '' : ` (deployed: ${[...new Set(all.map((d) => d.app))].join(', ')})`}.`,
      [`Deploy it: \`traefikctl app deploy ${options.app} --tag <tag> --env ${local.env}\`.`],
      'NOT_DEPLOYED',
    );
  }
  const routes = new Map<string, Route>();
  if (traefik.routes !== undefined) {
    for (const route of joinRoutes(traefik.routes, { deployments, provider: 'docker' })) {
      if (route.deployment !== undefined) routes.set(route.deployment.service, route);
    }
  }
  const rows: DeploymentUrl[] = deployments.map((deployment) =>
    deploymentUrl(deployment, localUrl(local, deployment.host), routes.get(deployment.service)),
  );
  if (options.check) {
    // `*.localhost` is loopback: every probe goes to the published entry point, Host kept.
    const results = await probeUrls(
      rows.map((row) => row.url),
      { resolve: () => ({ address: '127.0.0.1', port: local.port }), ...options.probe },
    );
    rows.forEach((row, index) => (row.check = results[index]));
  }
  return {
    env: local.env,
    target: 'docker',
    cluster: local.network,
    traefik: traefik.readout,
    deployments: rows,
  };
}
