import type { Deployment as EcsServiceDeployment, Service, Tag } from '@aws-sdk/client-ecs';

import { TAG_KEYS, type ResourceTag } from '../../../ecs/tag-codec.js';
import { skipPhase, withPhase } from '../../../events.js';
import type { DeployResult } from '../../../model.js';
import type { DeployRun } from '../context.js';
import { PHASES } from '../phases.js';
import type { DeployAws } from './api.js';
import { createServiceInput, updateServiceInput, type DeploymentPlan } from './plan.js';
import type { decideAction, ExistingService } from './preflight.js';

/**
 * The step that changes ECS: register the task definition, then create or update the service (or only
 * renew the tags of one that already runs this plan), remembering OUR deployment's id to follow.
 */

/** The deployment our call started: the primary one running our revision, else the primary one. */
function ourDeployment(service: Service, taskDefinitionArn: string): EcsServiceDeployment | undefined {
  const deployments = service.deployments ?? [];
  const primary = deployments.filter((deployment) => deployment.status === 'PRIMARY');
  // moto never changes a service's deployments on update (shared/notes/moto.md §1.3): its only
  // PRIMARY keeps the old revision, and that is the deployment to follow there.
  return primary.find((deployment) => deployment.taskDefinition === taskDefinitionArn) ?? primary[0];
}

/**
 * Rewrites a resource's deployment tags to the plan's: one TagResource, plus one UntagResource for the
 * traefikctl tags the plan no longer has (an expiry dropped with the ttl). Other tags are left alone.
 */
async function retag(
  aws: DeployAws,
  arn: string,
  current: readonly Tag[] | undefined,
  planned: readonly ResourceTag[],
): Promise<void> {
  await aws.tagResource(arn, [...planned]);
  const keys = new Set(planned.map((tag) => tag.key));
  const ours = new Set<string>(Object.values(TAG_KEYS));
  const stale = (current ?? [])
    .map((tag) => tag.key)
    .filter((key): key is string => key !== undefined && ours.has(key) && !keys.has(key));
  if (stale.length > 0) await aws.untagResource(arn, stale);
}

export interface Applied {
  taskDefinitionArn: string;
  deploymentId: string | undefined;
  image: string;
  action: DeployResult['action'];
}

export async function apply(
  run: DeployRun,
  plan: DeploymentPlan,
  existing: ExistingService | undefined,
  action: ReturnType<typeof decideAction>['action'],
): Promise<Applied> {
  const { aws, emit, progress } = run;
  const name = plan.serviceName;

  if (action.kind === 'unchanged') {
    const arn = existing?.service.taskDefinition ?? '';
    const why = `already ${arn.split('/').pop() ?? arn}`;
    skipPhase(emit, PHASES.taskDefinition, why);
    // Nothing to roll out, but the deployment's record is renewed: deploying a tag again is what keeps
    // `app prune --expired` (expires-at) and `--older-than` (deployed-at) off it.
    run.options.signal?.throwIfAborted();
    await withPhase(emit, { ...PHASES.service, title: `Update service ${name}` }, async (setDetail) => {
      const serviceArn = existing?.service.serviceArn;
      progress.renewing = true;
      if (serviceArn !== undefined) await retag(aws, serviceArn, existing?.service.tags, plan.tags);
      if (existing?.deployed !== undefined && arn !== '')
        await retag(aws, arn, existing.deployed.tags, plan.tags);
      progress.applied = 'unchanged';
      progress.deploymentId = action.deployment.id;
      setDetail(
        `unchanged, ${plan.expiresAt === undefined ? `deployed-at renewed (${plan.deployedAt}; no ttl)` : `expiry extended to ${plan.expiresAt}`}; following ${action.deployment.id ?? 'its deployment'}`,
      );
    });
    const image = existing?.deployed?.taskDefinition.containerDefinitions?.[0]?.image ?? plan.image.reference;
    return { taskDefinitionArn: arn, deploymentId: action.deployment.id, image, action: 'unchanged' };
  }

  run.options.signal?.throwIfAborted();
  const registered = await withPhase(emit, PHASES.taskDefinition, async (setDetail) => {
    progress.sending = 'register';
    const taskDefinition = await aws.registerTaskDefinition(plan.taskDefinition);
    delete progress.sending;
    const arn = taskDefinition.taskDefinitionArn ?? '';
    setDetail(arn.split('/').pop() ?? arn);
    return arn;
  });
  progress.taskDefinitionArn = registered;
  run.options.signal?.throwIfAborted();

  if (action.kind === 'create') {
    await withPhase(emit, { ...PHASES.service, title: `Create service ${name}` }, async (setDetail) => {
      progress.sending = 'create';
      const created = await aws.createService(createServiceInput(plan, registered));
      delete progress.sending;
      progress.applied = 'created';
      const deployment = ourDeployment(created, registered);
      progress.deploymentId = deployment?.id;
      setDetail(deployment?.id ?? 'created');
    });
    return {
      taskDefinitionArn: registered,
      deploymentId: progress.deploymentId,
      image: plan.image.reference,
      action: 'created',
    };
  }

  progress.previousTaskDefinition = existing?.service.taskDefinition;
  await withPhase(emit, { ...PHASES.service, title: `Update service ${name}` }, async (setDetail) => {
    const input = {
      ...updateServiceInput(plan, registered),
      ...(action.force ? { forceNewDeployment: true } : {}),
    };
    progress.sending = 'update';
    const updated = await aws.updateService(input);
    delete progress.sending;
    progress.applied = 'updated';
    const deployment = ourDeployment(updated, registered);
    progress.deploymentId = deployment?.id;
    // UpdateService can't change tags: the deployment's record is rewritten with TagResource.
    const arn = updated.serviceArn ?? existing?.service.serviceArn;
    if (arn !== undefined) await retag(aws, arn, existing?.service.tags, plan.tags);
    setDetail(deployment?.id ?? 'updated');
  });
  return {
    taskDefinitionArn: registered,
    deploymentId: progress.deploymentId,
    image: plan.image.reference,
    action: 'updated',
  };
}
