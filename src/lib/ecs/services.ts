import type { ECSClient, Service } from '@aws-sdk/client-ecs';

import { chunks, limiter } from '../async.js';
import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import { suggestKey } from '../config/issues.js';
import { UserError, usageError } from '../errors.js';
import { serviceName, slug } from '../naming.js';
import type { DeploymentRecord } from '../model.js';
import { decodeTagValue, readDeploymentTags, TAG_KEYS } from './tag-codec.js';

/** Moved to lib/async.ts with the other concurrency helpers; kept here for this module's callers. */

/**
 * The managed deployments of an environment, read back from ECS (DESIGN.md "State lives in AWS"):
 * the one place that lists them, for `app urls`, `app destroy`, `app prune`, `app logs` and `routes`.
 */

/** A deployment as its ECS service and tags describe it. */
export interface EcsDeploymentRecord extends DeploymentRecord {
  deployedAt: string;
  deployedBy: string;
  /** Digest-pinned image reference, from `traefikctl:image`. */
  image: string;
  serviceArn: string;
  cluster: string;
  /** The service's task definition (ARN). */
  taskDefinition?: string | undefined;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  /** Of the PRIMARY ECS deployment: IN_PROGRESS, COMPLETED or FAILED. */
  rolloutState?: string | undefined;
  rolloutStateReason?: string | undefined;
}

export interface ListDeploymentsOptions {
  /** The ECS cluster name (from the `traefikctl-<env>` stack outputs). */
  cluster: string;
  env: string;
  /** Only this app's deployments. */
  app?: string | undefined;
  /**
   * Also the services being deleted (DRAINING, INACTIVE), with their `status`: `routes` flags the
   * routers that still point at them. Off for everything that acts on deployments.
   */
  includeInactive?: boolean | undefined;
  /** DescribeServices calls in flight at once. */
  concurrency?: number | undefined;
}

/** ListServices returns at most 100 ARNs per page, DescribeServices takes at most 10 names. */
const LIST_PAGE = 100;
const DESCRIBE_BATCH = 10;
const DEFAULT_CONCURRENCY = 8;

/**
 * Every ACTIVE service of the cluster tagged `traefikctl:managed=true` and `traefikctl:env=<env>`
 * (and `traefikctl:app=<app>` when given), decoded into deployments. Sorted by app, then newest
 * first. A cluster that doesn't exist is a UserError (`isMissingCluster`).
 */
export async function listDeployments(
  clients: AwsClients,
  options: ListDeploymentsOptions,
): Promise<EcsDeploymentRecord[]> {
  const services = await listManagedServices(await clients.ecs(), options);
  const deployments = services.flatMap((service) => {
    const deployment = deploymentFromService(service, options.cluster);
    if (deployment === undefined) return [];
    if (options.app !== undefined && deployment.app !== options.app) return [];
    return [deployment];
  });
  return deployments.sort(newestFirstByApp);
}

/**
 * The ECS services of the cluster that traefikctl manages in `env`, as DescribeServices returns them
 * (with tags). Only `traefikctl:managed` and `traefikctl:env` decide, so a service whose other tags
 * are damaged is still found (`cluster down` must not delete a cluster under it). All ListServices
 * pages, then DescribeServices ten services per call, a bounded number of calls in flight, started
 * while later pages are still being listed: N services cost ceil(N/100) ListServices and
 * ceil(N/10) DescribeServices calls. A missing cluster is a UserError (`isMissingCluster`).
 */
export async function listManagedServices(
  ecs: ECSClient,
  options: Omit<ListDeploymentsOptions, 'app'>,
): Promise<Service[]> {
  const { ListServicesCommand } = await import('@aws-sdk/client-ecs');
  const limit = limiter(options.concurrency ?? DEFAULT_CONCURRENCY);
  const described: Promise<Service[]>[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ecs.send(
        new ListServicesCommand({ cluster: options.cluster, maxResults: LIST_PAGE, nextToken }),
      );
      for (const batch of chunks(page.serviceArns ?? [], DESCRIBE_BATCH)) {
        const pending = limit(() => describeServices(ecs, options.cluster, batch));
        // Awaited below with the others; this only keeps an early failure from being "unhandled".
        pending.catch(() => undefined);
        described.push(pending);
      }
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw clusterError(error, options.cluster, options.env, 'ecs:ListServices');
  }
  return (await Promise.all(described)).flat().filter((service) => {
    if (service.status !== 'ACTIVE' && !options.includeInactive) return false;
    const tag = (key: string) => service.tags?.find((candidate) => candidate.key === key)?.value;
    const env = tag(TAG_KEYS.env);
    return tag(TAG_KEYS.managed) === 'true' && env !== undefined && decodeTagValue(env) === options.env;
  });
}

/** DescribeServices with tags, for at most ten names or ARNs. Unknown ones are simply absent. */
export async function describeServices(
  ecs: ECSClient,
  cluster: string,
  services: readonly string[],
): Promise<Service[]> {
  const { DescribeServicesCommand } = await import('@aws-sdk/client-ecs');
  try {
    const answer = await ecs.send(
      new DescribeServicesCommand({ cluster, services: [...services], include: ['TAGS'] }),
    );
    return answer.services ?? [];
  } catch (error) {
    throw explainAwsError(error, `describe the services of cluster ${cluster}`, 'ecs:DescribeServices');
  }
}

/** The deployment an ECS service stands for, or undefined when traefikctl doesn't manage it. Pure. */
export function deploymentFromService(service: Service, cluster: string): EcsDeploymentRecord | undefined {
  const values = readDeploymentTags(service.tags);
  if (values === undefined || service.serviceName === undefined || service.serviceArn === undefined)
    return undefined;
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  return {
    app: values.app,
    tag: values.tag,
    env: values.env,
    host: values.host,
    service: service.serviceName,
    deployedAt: values.deployedAt,
    deployedBy: values.deployedBy,
    expiresAt: values.expiresAt,
    image: values.image,
    status: service.status,
    serviceArn: service.serviceArn,
    cluster,
    taskDefinition: service.taskDefinition,
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    rolloutState: primary?.rolloutState,
    rolloutStateReason: primary?.rolloutStateReason,
  };
}

/** A service being deleted (DRAINING) or deleted (INACTIVE): nothing to scale or delete any more. */
export function isDeleted(deployment: Pick<EcsDeploymentRecord, 'status'>): boolean {
  return deployment.status === 'DRAINING' || deployment.status === 'INACTIVE';
}

export interface FindDeploymentOptions {
  cluster: string;
  env: string;
  app: string;
  /** As the user passed it: the original tag (`feature/Login_Page`) or its slug. */
  tag: string;
  /**
   * Also a service that is being deleted or was deleted (DRAINING, INACTIVE), when no live one
   * matches and this says yes: what is left of a removal that stopped halfway (`app destroy`
   * finishes it while revisions of it are left).
   */
  acceptDeleted?: ((deployment: EcsDeploymentRecord) => Promise<boolean>) | undefined;
}

/**
 * The one deployment of `app` at `tag`. Looks up the service its name says first (one call); when
 * that isn't ours, lists the env to match the tag as recorded, and to say what does exist. An app or
 * tag with no deployment is a usage error that names the known ones.
 */
export async function findDeployment(
  clients: AwsClients,
  options: FindDeploymentOptions,
): Promise<EcsDeploymentRecord> {
  const name = serviceName(options.app, options.tag);
  const ecs = await clients.ecs();
  let direct: Service[];
  try {
    direct = await describeServices(ecs, options.cluster, [name]);
  } catch (error) {
    throw clusterError(error, options.cluster, options.env, 'ecs:DescribeServices');
  }
  const matches = (deployment: EcsDeploymentRecord | undefined): deployment is EcsDeploymentRecord =>
    deployment !== undefined &&
    deployment.status === 'ACTIVE' &&
    deployment.env === options.env &&
    deployment.app === options.app &&
    (deployment.tag === options.tag || slug(deployment.tag) === slug(options.tag));
  const named = direct.map((service) => deploymentFromService(service, options.cluster));
  const found = named.find(matches);
  if (found !== undefined) return found;
  const deleted = options.acceptDeleted
    ? named.find(
        (deployment) =>
          deployment !== undefined && isDeleted(deployment) && matches({ ...deployment, status: 'ACTIVE' }),
      )
    : undefined;

  const all = await listDeployments(clients, { cluster: options.cluster, env: options.env });
  const byTag = all.find(matches);
  if (byTag !== undefined) return byTag;
  if (deleted !== undefined && (await options.acceptDeleted?.(deleted)) === true) return deleted;
  throw notDeployedError(options, all);
}

/** "No deployment of ..." with what does exist in the env and the command that lists it. */
export function notDeployedError(
  options: { env: string; app: string; tag?: string | undefined },
  deployments: readonly EcsDeploymentRecord[],
): UserError {
  const listCommand = `traefikctl app urls --env ${options.env}`;
  const ofApp = deployments.filter((deployment) => deployment.app === options.app);
  if (ofApp.length === 0) {
    const apps = [...new Set(deployments.map((deployment) => deployment.app))].sort();
    const suggestion = suggestKey(options.app, apps);
    return usageError(
      `The app ${options.app} has no deployment in env ${options.env}${apps.length > 0 ? ` (deployed apps: ${apps.join(', ')})` : ''}.`,
      [
        ...(suggestion === undefined ? [] : [`Did you mean ${suggestion}?`]),
        apps.length === 0
          ? `Deploy it with \`traefikctl app deploy ${options.app} --tag <tag> --env ${options.env}\`, or pick another env with --env.`
          : `See what is deployed with \`${listCommand}\`, or pick another env with --env.`,
      ],
      'APP_NOT_DEPLOYED',
    );
  }
  const tags = ofApp.map((deployment) => deployment.tag);
  const suggestion = options.tag === undefined ? undefined : suggestKey(options.tag, tags);
  return usageError(
    `The app ${options.app} has no deployment tagged ${options.tag ?? ''} in env ${options.env} (tags: ${tags.join(', ')}).`,
    [
      ...(suggestion === undefined ? [] : [`Did you mean --tag ${suggestion}?`]),
      `See every tag with \`traefikctl app urls ${options.app} --env ${options.env}\`.`,
    ],
    'TAG_NOT_DEPLOYED',
  );
}

/** Whether `error` is the UserError `listDeployments` throws for a cluster that doesn't exist. */
export function isMissingCluster(error: unknown): boolean {
  return error instanceof UserError && error.code === 'CLUSTER_MISSING';
}

/** A missing ECS cluster as a UserError that says how to create it; other errors explained. */
function clusterError(error: unknown, cluster: string, env: string, permission: string): unknown {
  if (awsErrorName(error) === 'ClusterNotFoundException') {
    return new UserError(`The ECS cluster ${cluster} of env ${env} doesn't exist.`, {
      suggestions: [
        `Create it with \`traefikctl cluster up --env ${env}\`; \`traefikctl cluster status --env ${env}\` shows its stack.`,
      ],
      code: 'CLUSTER_MISSING',
      cause: error,
    });
  }
  return explainAwsError(error, `list the services of cluster ${cluster}`, permission);
}

function newestFirstByApp(a: EcsDeploymentRecord, b: EcsDeploymentRecord): number {
  if (a.app !== b.app) return a.app < b.app ? -1 : 1;
  const time = Date.parse(b.deployedAt) - Date.parse(a.deployedAt);
  if (time !== 0 && !Number.isNaN(time)) return time;
  return a.service < b.service ? -1 : a.service > b.service ? 1 : 0;
}
