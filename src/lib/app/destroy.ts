import type { ECSClient } from '@aws-sdk/client-ecs';

import { limiter } from '../async.js';
import type { AwsClients } from '../aws/clients.js';
import { explainAwsError } from '../aws/errors.js';
import { describeError, isUserError, UserError } from '../errors.js';
import { silentSink, skipPhase, withPhase, type EventSink } from '../events.js';
import {
  describeServices,
  deploymentFromService,
  findDeployment,
  isDeleted,
  type EcsDeploymentRecord,
} from '../ecs/services.js';
import { readDeploymentTags } from '../ecs/tag-codec.js';

/**
 * `app destroy` and `app prune`: what removing a deployment means (its ECS service, and the
 * revisions of its task definition family that this env registered), planned first so the user sees
 * exactly that list, then carried out on exactly that list.
 */

/** A task definition revision that stays, and why. */
export interface KeptTaskDefinition {
  arn: string;
  reason: string;
}

/** One deployment to remove, and everything that goes with it. */
export interface DestroyTarget {
  deployment: EcsDeploymentRecord;
  /** The task definition family of the service. */
  family: string;
  /** ACTIVE revisions of the family registered for this env's deployment: deregistered. */
  taskDefinitions: string[];
  /**
   * Revisions of the same family that are not this deployment's: task definition families are
   * account-wide, so the same app and tag deployed to another env shares the family name.
   */
  keptTaskDefinitions: KeptTaskDefinition[];
}

export interface DestroyedDeployment {
  app: string;
  tag: string;
  env: string;
  service: string;
  serviceArn: string;
  /** `removed`, or `skipped` when the service changed after it was listed (see `reason`). */
  status: 'removed' | 'skipped';
  reason?: string | undefined;
  /** The revisions that were deregistered. */
  taskDefinitions: string[];
}

export interface PlanDestroyOptions {
  cluster: string;
  env: string;
  app: string;
  tag: string;
}

/**
 * The deployment of `app` at `tag` and the task definition revisions that go with it. Reads only.
 * A service already deleted (a removal that stopped after DeleteService, e.g. when its answer never
 * came) is a target while revisions of it are left, so that running `app destroy` again finishes
 * the job; once nothing is left, the tag has no deployment, as before.
 */
export async function planDestroy(clients: AwsClients, options: PlanDestroyOptions): Promise<DestroyTarget> {
  let leftover: DestroyTarget | undefined;
  const deployment = await findDeployment(clients, {
    ...options,
    acceptDeleted: async (deleted) => {
      leftover = await destroyTarget(clients, deleted);
      return leftover.taskDefinitions.length > 0;
    },
  });
  return leftover?.deployment === deployment ? leftover : destroyTarget(clients, deployment);
}

/** What removing `deployment` takes: its family's revisions, sorted by those that are ours. */
export async function destroyTarget(
  clients: AwsClients,
  deployment: EcsDeploymentRecord,
  concurrency = 5,
): Promise<DestroyTarget> {
  const family = familyOf(deployment.taskDefinition) ?? deployment.service;
  const ecs = await clients.ecs();
  const arns = await familyRevisions(ecs, family);
  const limit = limiter(concurrency);
  const owners = await Promise.all(arns.map((arn) => limit(() => revisionOwner(ecs, arn))));
  const taskDefinitions: string[] = [];
  const keptTaskDefinitions: KeptTaskDefinition[] = [];
  arns.forEach((arn, index) => {
    const owner = owners[index];
    if (owner === undefined) {
      keptTaskDefinitions.push({ arn, reason: 'not tagged by traefikctl' });
    } else if (owner.env !== deployment.env) {
      keptTaskDefinitions.push({ arn, reason: `registered for env ${owner.env}` });
    } else if (owner.app !== deployment.app) {
      keptTaskDefinitions.push({ arn, reason: `registered for app ${owner.app}` });
    } else {
      taskDefinitions.push(arn);
    }
  });
  return { deployment, family, taskDefinitions, keptTaskDefinitions };
}

export interface DestroyOptions {
  onEvent?: EventSink | undefined;
  /** Deployments removed at once (prune). */
  concurrency?: number | undefined;
}

/**
 * Removes each target: scales its service to 0, deletes it, deregisters the listed revisions. A
 * service that was redeployed or removed since it was listed is skipped (a newer deployment is not
 * what the user agreed to remove), and said so.
 */
export async function destroyDeployments(
  clients: AwsClients,
  targets: readonly DestroyTarget[],
  options: DestroyOptions = {},
): Promise<DestroyedDeployment[]> {
  const limit = limiter(options.concurrency ?? 4);
  const settled = await Promise.allSettled(
    targets.map((target) => limit(() => destroyDeployment(clients, target, options))),
  );
  const failures = settled.flatMap((outcome, index) =>
    outcome.status === 'rejected'
      ? [{ service: targets[index]?.deployment.service, error: outcome.reason as unknown }]
      : [],
  );
  const [first] = failures;
  if (first === undefined) {
    return settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  }
  if (targets.length === 1) throw first.error;
  const removed = settled.filter((outcome) => outcome.status === 'fulfilled').length;
  throw new UserError(
    `Removed ${removed} of ${targets.length} deployments; ${failures.map((f) => `${f.service ?? '?'} failed: ${describeError(f.error)}`).join('; ')}`,
    {
      suggestions: [
        ...(isUserError(first.error) ? first.error.suggestions : []),
        'Run the same command again to retry what is left.',
      ],
      code: 'DESTROY_INCOMPLETE',
      cause: first.error,
    },
  );
}

export async function destroyDeployment(
  clients: AwsClients,
  target: DestroyTarget,
  options: DestroyOptions = {},
): Promise<DestroyedDeployment> {
  const emit = options.onEvent ?? silentSink;
  const { deployment } = target;
  const { cluster, service } = deployment;
  const ecs = await clients.ecs();
  const { UpdateServiceCommand, DeleteServiceCommand, DeregisterTaskDefinitionCommand } =
    await import('@aws-sdk/client-ecs');
  const result: DestroyedDeployment = {
    app: deployment.app,
    tag: deployment.tag,
    env: deployment.env,
    service,
    serviceArn: deployment.serviceArn,
    status: 'removed',
    taskDefinitions: [],
  };

  const scale = { id: `scale:${service}`, title: `Scale ${service} to 0` };
  const remove = { id: `delete:${service}`, title: `Delete service ${service}` };
  if (isDeleted(deployment)) {
    const already = `the service is already ${(deployment.status ?? 'deleted').toLowerCase()}`;
    skipPhase(emit, scale, already);
    skipPhase(emit, remove, already);
  } else {
    const changed = await changedSinceListed(ecs, deployment);
    if (changed !== undefined) {
      emit({ type: 'warning', message: `${service} is left alone: ${changed}.` });
      return { ...result, status: 'skipped', reason: changed };
    }

    // For a call whose answer never comes: where to see whether it happened.
    const check = { check: `aws ecs describe-services --cluster ${cluster} --services ${service}` };
    await withPhase(emit, scale, async () => {
      try {
        await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 }));
      } catch (error) {
        throw explainAwsError(error, `scale the ECS service ${service} to 0`, 'ecs:UpdateService', check);
      }
    });
    await withPhase(emit, remove, async () => {
      try {
        await ecs.send(new DeleteServiceCommand({ cluster, service }));
      } catch (error) {
        throw explainAwsError(error, `delete the ECS service ${service}`, 'ecs:DeleteService', check);
      }
    });
  }
  if (target.taskDefinitions.length === 0) return result;
  const count = target.taskDefinitions.length;
  await withPhase(
    emit,
    {
      id: `deregister:${service}`,
      title: `Deregister ${count} task definition revision${count === 1 ? '' : 's'} of ${target.family}`,
    },
    async () => {
      const limit = limiter(5);
      await Promise.all(
        target.taskDefinitions.map((arn) =>
          limit(async () => {
            try {
              await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
              result.taskDefinitions.push(arn);
            } catch (error) {
              throw explainAwsError(
                error,
                `deregister the task definition ${arn}`,
                'ecs:DeregisterTaskDefinition',
                { check: `aws ecs describe-task-definition --task-definition ${arn}` },
              );
            }
          }),
        ),
      );
    },
  );
  result.taskDefinitions.sort(byRevision);
  return result;
}

/** Why the service is no longer the deployment that was listed, or undefined when it still is. */
async function changedSinceListed(
  ecs: ECSClient,
  deployment: EcsDeploymentRecord,
): Promise<string | undefined> {
  const [service] = await describeServices(ecs, deployment.cluster, [deployment.serviceArn]);
  const now = service === undefined ? undefined : deploymentFromService(service, deployment.cluster);
  if (now === undefined || now.status !== 'ACTIVE') return 'it was removed meanwhile';
  if (now.deployedAt !== deployment.deployedAt)
    return `it was redeployed at ${now.deployedAt}, after it was listed`;
  return undefined;
}

/** `whoami-v2` from `arn:aws:ecs:...:task-definition/whoami-v2:3` (or from `whoami-v2:3`). */
export function familyOf(taskDefinition: string | undefined): string | undefined {
  if (taskDefinition === undefined) return undefined;
  const name = taskDefinition.includes('/')
    ? taskDefinition.slice(taskDefinition.lastIndexOf('/') + 1)
    : taskDefinition;
  const colon = name.lastIndexOf(':');
  return colon > 0 ? name.slice(0, colon) : name;
}

function revisionOf(arn: string): number {
  return Number(arn.slice(arn.lastIndexOf(':') + 1));
}

function byRevision(a: string, b: string): number {
  return revisionOf(a) - revisionOf(b);
}

/**
 * The ACTIVE revisions of exactly `family`. `familyPrefix` is a prefix on AWS (`whoami-v1` also
 * matches `whoami-v10`), so the family is compared again here.
 */
async function familyRevisions(ecs: ECSClient, family: string): Promise<string[]> {
  const { ListTaskDefinitionsCommand } = await import('@aws-sdk/client-ecs');
  const arns: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ecs.send(
        new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', nextToken }),
      );
      arns.push(...(page.taskDefinitionArns ?? []).filter((arn) => familyOf(arn) === family));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw explainAwsError(error, `list the task definitions of ${family}`, 'ecs:ListTaskDefinitions');
  }
  return arns.sort(byRevision);
}

async function revisionOwner(ecs: ECSClient, arn: string): Promise<{ env: string; app: string } | undefined> {
  const { DescribeTaskDefinitionCommand } = await import('@aws-sdk/client-ecs');
  try {
    const answer = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
    );
    const values = readDeploymentTags(answer.tags);
    return values === undefined ? undefined : { env: values.env, app: values.app };
  } catch (error) {
    throw explainAwsError(error, `describe the task definition ${arn}`, 'ecs:DescribeTaskDefinition');
  }
}
