import type { Service } from '@aws-sdk/client-ecs';

import { readDeploymentTags, TAG_KEYS } from '../app/plan-tags.js';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import type { Deployment } from './join.js';

export interface ListDeploymentsOptions {
  clients: AwsClients;
  /** ECS cluster of the environment. */
  cluster: string;
  env: string;
  /** DescribeServices calls in flight at once. */
  concurrency?: number;
}

// DescribeServices takes at most 10 services per call.
const DESCRIBE_BATCH = 10;

/**
 * The deployments traefikctl manages in `env`: the ECS services of the cluster tagged
 * `traefikctl:managed=true` for that env, decoded from their tags, deleted ones (DRAINING,
 * INACTIVE) included so that their routers can be flagged. About N/10 DescribeServices calls, run
 * concurrently. Undefined when the cluster doesn't exist: then nothing can be said about which
 * routers should exist (Traefik may be running somewhere else entirely).
 */
export async function listManagedDeployments(
  options: ListDeploymentsOptions,
): Promise<Deployment[] | undefined> {
  const { ListServicesCommand, DescribeServicesCommand } = await import('@aws-sdk/client-ecs');
  const ecs = await options.clients.ecs();
  const arns: string[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(
        new ListServicesCommand({ cluster: options.cluster, maxResults: 100, nextToken }),
      );
      arns.push(...(page.serviceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    if (awsErrorName(error) === 'ClusterNotFoundException') return undefined;
    throw explainAwsError(error, `list the ECS services of cluster ${options.cluster}`, 'ecs:ListServices');
  }

  const batches: string[][] = [];
  for (let i = 0; i < arns.length; i += DESCRIBE_BATCH) batches.push(arns.slice(i, i + DESCRIBE_BATCH));
  const describe = async (batch: string[]): Promise<Service[]> => {
    try {
      const answer = await ecs.send(
        new DescribeServicesCommand({ cluster: options.cluster, services: batch, include: ['TAGS'] }),
      );
      return answer.services ?? [];
    } catch (error) {
      throw explainAwsError(
        error,
        `describe the ECS services of cluster ${options.cluster}`,
        'ecs:DescribeServices',
      );
    }
  };
  const services = (await mapConcurrently(batches, options.concurrency ?? 8, describe)).flat();

  const deployments: Deployment[] = [];
  for (const service of services) {
    // Tags are decoded by the module that writes them; skip other tools' services cheaply first.
    if (!service.tags?.some((tag) => tag.key === TAG_KEYS.managed && tag.value === 'true')) continue;
    const values = readDeploymentTags(service.tags);
    if (values === undefined || values.env !== options.env || service.serviceName === undefined) continue;
    deployments.push({
      app: values.app,
      tag: values.tag,
      env: values.env,
      host: values.host,
      service: service.serviceName,
      deployedAt: values.deployedAt,
      ...(values.expiresAt === undefined ? {} : { expiresAt: values.expiresAt }),
      ...(service.status === undefined ? {} : { status: service.status }),
    });
  }
  return deployments;
}

/** `work` over `items`, at most `limit` at a time, results in input order. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
