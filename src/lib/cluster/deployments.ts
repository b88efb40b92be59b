import type { ECSClient, Service } from '@aws-sdk/client-ecs';

import { isMissingCluster, listManagedServices } from '../ecs/services.js';
import { decodeTagValue } from '../ecs/tag-codec.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import type { EventSink } from '../events.js';

/** A live app deployment in the cluster, as far as `cluster status` and `cluster down` care. */
export interface LiveDeployment {
  service: string;
  serviceArn: string;
  app: string | undefined;
  tag: string | undefined;
  host: string | undefined;
  desiredCount: number;
  runningCount: number;
}

/**
 * Every ACTIVE service in `cluster` tagged `traefikctl:managed=true` and `traefikctl:env=<env>`.
 * Only those two tags decide: `cluster down` must see a deployment even when its other tags are
 * damaged, or it would delete the cluster under it. A missing cluster has none.
 */
export async function listLiveDeployments(
  ecs: ECSClient,
  cluster: string,
  env: string,
): Promise<LiveDeployment[]> {
  try {
    const services = await listManagedServices(ecs, { cluster, env });
    return services.map(toLiveDeployment).sort((a, b) => a.service.localeCompare(b.service));
  } catch (error) {
    if (isMissingCluster(error)) return [];
    throw error;
  }
}

function tagValue(service: Service, key: string): string | undefined {
  const value = service.tags?.find((tag) => tag.key === key)?.value;
  return value === undefined ? undefined : decodeTagValue(value);
}

function toLiveDeployment(service: Service): LiveDeployment {
  return {
    service: service.serviceName ?? '',
    serviceArn: service.serviceArn ?? '',
    app: tagValue(service, 'traefikctl:app'),
    tag: tagValue(service, 'traefikctl:tag'),
    host: tagValue(service, 'traefikctl:host'),
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
  };
}

/**
 * Stops and deletes deployments (`cluster down --force`): scale to 0 so the tasks drain, then
 * delete the service. One `progress` event per step and service.
 */
export async function destroyDeployments(
  ecs: ECSClient,
  cluster: string,
  deployments: readonly LiveDeployment[],
  phase: string,
  onEvent?: EventSink,
): Promise<void> {
  const { DeleteServiceCommand, UpdateServiceCommand } = await import('@aws-sdk/client-ecs');
  for (const deployment of deployments) {
    const item = deployment.service;
    try {
      onEvent?.({ type: 'progress', phase, item, status: 'scaling to 0' });
      await ecs.send(new UpdateServiceCommand({ cluster, service: deployment.service, desiredCount: 0 }));
      onEvent?.({ type: 'progress', phase, item, status: 'deleting' });
      await ecs.send(new DeleteServiceCommand({ cluster, service: deployment.service }));
      onEvent?.({ type: 'progress', phase, item, status: 'deleted' });
    } catch (error) {
      if (awsErrorName(error) === 'ServiceNotFoundException') {
        onEvent?.({ type: 'progress', phase, item, status: 'already gone' });
        continue;
      }
      throw explainAwsError(
        error,
        `remove the deployment ${deployment.service}`,
        'ecs:UpdateService and ecs:DeleteService',
      );
    }
  }
}
