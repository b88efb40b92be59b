import type { DestroyedDeployment, DestroyTarget } from '../app/destroy.js';
import { silentSink, withPhase, type EventSink } from '../events.js';
import { dockerVersion } from '../docker/docker.js';
import { removeContainers } from './engine.js';
import type { LocalEnvironment } from '../env/local.js';
import { findLocalDeployment, type LocalDeployment } from './list.js';

/**
 * `app destroy` (and `app prune`) of a `docker` env: the deployment's containers are stopped and
 * removed, and with them its route (Traefik's Docker provider sees them go). The shapes are the ECS
 * ones (src/lib/app/destroy.ts); there are no task definitions to deregister.
 */

export async function planLocalDestroy(
  local: LocalEnvironment,
  options: { app: string; tag: string },
): Promise<DestroyTarget> {
  await dockerVersion();
  return localDestroyTarget(await findLocalDeployment(local, options.app, options.tag));
}

export function localDestroyTarget(deployment: LocalDeployment): DestroyTarget {
  return { deployment, family: deployment.service, taskDefinitions: [], keptTaskDefinitions: [] };
}

export async function destroyLocalDeployments(
  targets: readonly DestroyTarget[],
  options: { onEvent?: EventSink | undefined } = {},
): Promise<DestroyedDeployment[]> {
  const emit = options.onEvent ?? silentSink;
  const results: DestroyedDeployment[] = [];
  for (const { deployment } of targets) {
    const containers = (deployment as Partial<LocalDeployment>).containers ?? [deployment.serviceArn];
    await withPhase(
      emit,
      { id: `destroy-${deployment.service}`, title: `Remove ${deployment.service}` },
      async (setDetail) => {
        await removeContainers(containers);
        setDetail(containers.join(', '));
      },
    );
    results.push({
      app: deployment.app,
      tag: deployment.tag,
      env: deployment.env,
      service: deployment.service,
      serviceArn: deployment.serviceArn,
      status: 'removed',
      taskDefinitions: [],
    });
  }
  return results;
}
