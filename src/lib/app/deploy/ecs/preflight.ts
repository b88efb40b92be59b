import type { Deployment as EcsServiceDeployment, Service } from '@aws-sdk/client-ecs';

import type { ClusterOutputs } from '../../../cluster/outputs.js';
import { readDeploymentTags, type DeploymentTagValues } from '../../../ecs/tag-codec.js';
import { UserError } from '../../../errors.js';
import { withPhase } from '../../../events.js';
import type { DeployRun } from '../context.js';
import { PHASES } from '../phases.js';
import { checkTraefikAnswers } from '../wait-live.js';
import { commandFor, shellWord, type DeploySpec } from '../request.js';
import type { DeployAws, DeployedTaskDefinition } from './api.js';
import { diffService, diffTags, diffTaskDefinition, type Change } from './diff.js';
import type { DeploymentPlan } from './plan.js';

/**
 * The reads `app deploy` and `app deploy --dry-run` share on ECS: finding the image in ECR, the
 * service that may already exist and whose it is, and deciding what to do with it.
 */

/** The image reference's repository part: the `registry` setting's host, else ECR's repository URI. */
export async function repositoryReference(aws: DeployAws, target: DeploySpec): Promise<string | undefined> {
  const uri = await aws.repositoryUri(target.repository);
  if (uri === undefined) return undefined;
  return target.registryOverride === undefined ? uri : `${target.registryOverride}/${target.repository}`;
}

export function imageMissingError(target: DeploySpec, repositoryExists: boolean): UserError {
  const where = repositoryExists
    ? `ECR has no image ${target.repository}:${target.names.dockerTag}`
    : `ECR has no repository ${target.repository}`;
  return new UserError(`${where}, so there is nothing to deploy at tag ${target.tag}.`, {
    suggestions: [
      `Push it first: \`traefikctl image push ${target.app} --tag ${shellWord(target.tag)}\`.`,
      `Or build and push as part of the deploy: \`${commandFor('app deploy', target, ' --build')}\`.`,
    ],
    code: 'IMAGE_NOT_FOUND',
  });
}

/** The service as it stands, with what traefikctl recorded about it. */
export interface ExistingService {
  service: Service;
  /** The deployment its tags describe; undefined when traefikctl didn't create it. */
  owner: DeploymentTagValues | undefined;
  /** The task definition the service runs (or is rolling out to). */
  deployed: DeployedTaskDefinition | undefined;
}

/** The service named for the deployment, unless there is none (or only a deleted one). */
export async function inspectService(
  aws: DeployAws,
  cluster: string,
  serviceName: string,
): Promise<ExistingService | undefined> {
  const service = await aws.describeService(cluster, serviceName);
  if (service === undefined || service.status === 'INACTIVE') return undefined;
  const deployed =
    service.taskDefinition === undefined
      ? undefined
      : await aws.describeTaskDefinition(service.taskDefinition);
  return { service, owner: readDeploymentTags(service.tags), deployed };
}

/**
 * Why the service can't be this deployment's, if it can't: being deleted, not traefikctl's, or
 * another deployment whose name slugs the same (`feature/x` and `feature-x` both give `app-feature-x`).
 */
export function ownershipConflict(existing: ExistingService, target: DeploySpec): UserError | undefined {
  const { service, owner } = existing;
  const name = target.names.serviceName;
  const cluster = target.context.cluster;
  if (service.status === 'DRAINING') {
    return new UserError(`The ECS service ${name} is being deleted, so it can't take a new deployment yet.`, {
      suggestions: ['Wait a minute for ECS to finish deleting it, then run the command again.'],
      code: 'SERVICE_DRAINING',
    });
  }
  if (owner === undefined) {
    return new UserError(
      `An ECS service named ${name} already exists in the cluster, and traefikctl didn't create it.`,
      {
        suggestions: [
          'Deploy under another tag, or delete that service yourself if it is not needed.',
          `It is service ${name} in cluster ${service.clusterArn ?? cluster}.`,
        ],
        code: 'SERVICE_NOT_MANAGED',
      },
    );
  }
  if (owner.app !== target.app || owner.tag !== target.tag || owner.env !== target.context.env) {
    const other = { app: owner.app, tag: owner.tag, context: { ...target.context, env: owner.env } };
    return new UserError(
      `The ECS service ${name} already holds ${owner.app} at tag ${JSON.stringify(owner.tag)} (env ${owner.env}): ` +
        `${JSON.stringify(target.tag)} gives the same name, because names keep only letters, digits and dashes.`,
      {
        suggestions: [
          'Deploy under a tag that differs in its letters or digits.',
          `Or remove the other deployment first: \`${commandFor('app destroy', other)}\`.`,
        ],
        code: 'SERVICE_NAME_TAKEN',
      },
    );
  }
  return undefined;
}

export type ApplyAction =
  | { kind: 'create' }
  | { kind: 'update'; force: boolean }
  /** Nothing to change: watch the deployment that already runs (or is still rolling out) this plan. */
  | { kind: 'unchanged'; deployment: EcsServiceDeployment };

export interface Decision {
  action: ApplyAction;
  /** Task definition, service and tag changes; empty for a new service. */
  changes: Change[];
}

function primaryOf(service: Service): EcsServiceDeployment | undefined {
  return service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
}

/** The deployment of another revision that is still rolling out, if any. */
export function deploymentInProgress(service: Service): EcsServiceDeployment | undefined {
  const deployments = service.deployments ?? [];
  const primary = primaryOf(service);
  if (primary?.rolloutState === 'IN_PROGRESS') return primary;
  // Older tasks still draining next to a finished primary: ECS is still replacing them.
  return deployments.length > 1 ? (primary ?? deployments[0]) : undefined;
}

function ago(date: Date | undefined, now: Date): string {
  if (date === undefined) return '';
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  return seconds < 120 ? `, started ${seconds}s ago` : `, started ${Math.round(seconds / 60)}m ago`;
}

/**
 * What applying `plan` to the existing service means. Never a duplicate: an existing service is
 * updated (or left alone when nothing changes). Throws when the service belongs to someone else, or
 * when another revision is still rolling out and `force` is not set.
 */
export function decideAction(
  existing: ExistingService | undefined,
  plan: DeploymentPlan,
  target: DeploySpec,
  options: { force: boolean; now: Date },
): Decision {
  if (existing === undefined) return { action: { kind: 'create' }, changes: [] };
  const conflict = ownershipConflict(existing, target);
  if (conflict !== undefined) throw conflict;

  const { service, deployed } = existing;
  const runChanges = [
    ...(deployed === undefined ? [] : diffTaskDefinition(deployed.taskDefinition, plan.taskDefinition)),
    ...diffService(service, plan.service),
  ];
  const changes = [...runChanges, ...diffTags(service.tags ?? [], plan.tags)];
  const primary = primaryOf(service);
  if (
    deployed !== undefined &&
    runChanges.length === 0 &&
    primary !== undefined &&
    primary.rolloutState !== 'FAILED' &&
    !options.force
  ) {
    return { action: { kind: 'unchanged', deployment: primary }, changes };
  }
  const busy = deploymentInProgress(service);
  if (busy !== undefined && !options.force) {
    const revision = busy.taskDefinition?.split('/').pop() ?? 'another revision';
    const counts = `${busy.runningCount ?? 0}/${busy.desiredCount ?? 0} running`;
    throw new UserError(
      `Another deployment of ${plan.serviceName} is in progress (${busy.id ?? 'unknown id'}: ${revision}, ${counts}${ago(busy.createdAt, options.now)}).`,
      {
        suggestions: [
          'Wait for it to finish, then run this command again.',
          `Or replace it now: \`${commandFor('app deploy', target, ' --force')}\`.`,
        ],
        code: 'DEPLOYMENT_IN_PROGRESS',
      },
    );
  }
  return { action: { kind: 'update', force: options.force }, changes };
}

/** What the preflight found: everything the plan needs from AWS. */
export interface Preflight {
  region: string;
  deployedBy: string;
  outputs: ClusterOutputs;
  /** Undefined with --build: the image is pushed after the preflight. */
  image: { repository: string; digest: string } | undefined;
  existing: ExistingService | undefined;
}

/** The first phase: reads only. Nothing is created unless all of it passes. */
export function preflight(run: DeployRun): Promise<Preflight> {
  const { aws, spec, emit, options } = run;
  return withPhase(emit, PHASES.preflight, async (setDetail) => {
    const region = await aws.region();
    if (region === undefined) {
      throw new UserError("Can't deploy: no AWS region is set.", {
        suggestions: ['Pass --region, set AWS_REGION, or set `region` in the configuration.'],
        code: 'AWS_NO_REGION',
      });
    }
    const [deployedBy, outputs] = await Promise.all([aws.callerArn(), aws.clusterOutputs(spec.context.env)]);
    // The route wait will ask Traefik's API: one look now, so that an API that is down fails here. It
    // runs beside the reads of ECR and ECS below (it may read the password from SSM first: a round
    // trip or two saved); a mistake those find is reported first, whatever Traefik says, and stops it.
    const stopLook = new AbortController();
    const look = checkTraefikAnswers(run, outputs, `${spec.names.serviceName}@ecs`, stopLook.signal);
    // The service is read beside the image too; a missing image is still the first thing said.
    const service = inspectService(aws, outputs.cluster, spec.names.serviceName);
    for (const read of [look, service]) read.catch(() => undefined); // awaited below, unless one fails first
    try {
      let image: { repository: string; digest: string } | undefined;
      if (!options.build) {
        const repository = await repositoryReference(aws, spec);
        const digest =
          repository === undefined ? undefined : await aws.imageDigest(spec.repository, spec.names.dockerTag);
        if (repository === undefined || digest === undefined)
          throw imageMissingError(spec, repository !== undefined);
        image = { repository, digest };
      }
      const existing = await service;
      if (existing !== undefined) {
        const conflict = ownershipConflict(existing, spec);
        if (conflict !== undefined) throw conflict;
      }
      const traefik = await look;
      setDetail(
        `cluster ${outputs.cluster}, ${image ? `image ${image.digest.slice(0, 19)}…, ` : ''}service ${existing ? 'exists' : 'is new'}${traefik === undefined ? '' : `, ${traefik}`}`,
      );
      return { region, deployedBy, outputs, image, existing };
    } finally {
      stopLook.abort();
    }
  });
}

/** `--build`: builds and pushes the image (`image push`) after the preflight, and returns what was pushed. */
export async function pushBuiltImage(run: DeployRun): Promise<{ repository: string; digest: string }> {
  const { spec, options } = run;
  const push = options.pushImage ?? (await import('../../../image/push.js')).pushImage;
  if (run.clients === undefined && options.pushImage === undefined)
    throw new Error('deployApp: --build needs AWS clients or a pushImage');
  const pushed = await push({
    app: spec.app,
    appConfig: spec.appConfig,
    configDir: spec.context.configDir,
    tags: [spec.tag],
    registryOverride: spec.context.registry,
    clients: run.clients ?? run.environment.clients,
    onEvent: run.emit,
  });
  return { repository: `${pushed.registry}/${pushed.repository}`, digest: pushed.digest };
}
