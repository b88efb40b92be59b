import type { ECSClient, Service } from '@aws-sdk/client-ecs';

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

const DESCRIBE_BATCH = 10;

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
  const { DescribeServicesCommand, ListServicesCommand } = await import('@aws-sdk/client-ecs');
  const arns: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ecs.send(new ListServicesCommand({ cluster, maxResults: 100, nextToken }));
      arns.push(...(page.serviceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (awsErrorName(error) === 'ClusterNotFoundException') return [];
    throw explainAwsError(error, `list the services of cluster ${cluster}`, 'ecs:ListServices');
  }
  const batches: string[][] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_BATCH) batches.push(arns.slice(i, i + DESCRIBE_BATCH));
  const described = await Promise.all(
    batches.map(async (services) => {
      try {
        const answer = await ecs.send(new DescribeServicesCommand({ cluster, services, include: ['TAGS'] }));
        return answer.services ?? [];
      } catch (error) {
        throw explainAwsError(error, `describe the services of cluster ${cluster}`, 'ecs:DescribeServices');
      }
    }),
  );
  return described
    .flat()
    .filter((service) => service.status === 'ACTIVE' && isManagedIn(service, env))
    .map(toLiveDeployment)
    .sort((a, b) => a.service.localeCompare(b.service));
}

function tagValue(service: Service, key: string): string | undefined {
  return service.tags?.find((tag) => tag.key === key)?.value;
}

function isManagedIn(service: Service, env: string): boolean {
  return tagValue(service, 'traefikctl:managed') === 'true' && tagValue(service, 'traefikctl:env') === env;
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
