import type { Deployment, Service } from '@aws-sdk/client-ecs';

import { requireDomain, resolveApp, type GlobalOptions, type ResolvedContext } from '../config/resolve.js';
import type { AppConfig } from '../config/schema.js';
import { UserError } from '../errors.js';
import { registryHost } from '../image/auth.js';
import { deploymentNames, type DeploymentNames } from '../naming.js';
import type { DeployAws, DeployedTaskDefinition } from './deploy-aws.js';
import { diffService, diffTags, diffTaskDefinition, type Change } from './deploy-diff.js';
import { placeholderCluster, planDeployment, type DeploymentPlan, type PlanContext } from './plan.js';
import { readDeploymentTags, type DeploymentTagValues } from '../ecs/tag-codec.js';

/**
 * The steps `app deploy` and `app deploy --dry-run` share: resolving what to deploy from the
 * configuration (no AWS call, so bad input fails first and changes nothing), finding the image in ECR,
 * and deciding what to do with the service that may already exist.
 */

export interface DeployRequest {
  cwd: string;
  global: GlobalOptions;
  /** The app argument; without it, the only declared app. */
  app?: string | undefined;
  /** The tag as CI passes it. */
  tag: string;
  /** Overrides the app's `ttl`. */
  ttl?: string | undefined;
}

/** Everything known before any AWS call. */
export interface DeployTarget {
  context: ResolvedContext;
  app: string;
  appConfig: AppConfig;
  domain: string;
  tag: string;
  ttl: string | undefined;
  names: DeploymentNames;
  /** ECR repository name. */
  repository: string;
  /** The `registry` setting as a host, when set: image references use it instead of ECR's host. */
  registryOverride: string | undefined;
}

/**
 * What to deploy, from the configuration, the app and the tag. Every usage error (unknown app, a tag
 * without letters or digits, no domain, config Fargate can't run) is thrown here, before any AWS call.
 */
export async function resolveDeployTarget(
  context: ResolvedContext,
  request: DeployRequest,
): Promise<DeployTarget> {
  const resolved = await resolveApp(context, request.app, request.cwd);
  const domain = requireDomain(context);
  const names = deploymentNames({
    app: resolved.name,
    tag: request.tag,
    env: context.env,
    domain,
    template: context.hostTemplate,
  });
  const target: DeployTarget = {
    context,
    app: resolved.name,
    appConfig: resolved.app,
    domain,
    tag: request.tag,
    ttl: request.ttl,
    names,
    repository: resolved.app.repository ?? resolved.name,
    registryOverride:
      context.registry === undefined ? undefined : registryHost(context.registry, 'registry setting'),
  };
  // The rest of the checks (Fargate sizes, entry points, ttl) live in the planner: run it on stand-ins.
  planFor(target, {
    region: 'us-east-1',
    repository: 'registry.invalid/app',
    cluster: placeholderCluster(context.env, context.cluster),
    deployedBy: 'arn:aws:sts::000000000000:assumed-role/check',
    now: new Date(),
  });
  return target;
}

export interface PlanInputs {
  region: string;
  /** Repository URI without tag or digest. */
  repository: string;
  digest?: string | undefined;
  cluster: ReturnType<typeof placeholderCluster>;
  deployedBy: string;
  now: Date;
}

export function planFor(target: DeployTarget, inputs: PlanInputs): DeploymentPlan {
  const context: PlanContext = {
    env: target.context.env,
    region: inputs.region,
    domain: target.domain,
    hostTemplate: target.context.hostTemplate,
    entryPoints: target.context.traefik.entryPoints,
    overrides: target.context.overrides.map((override) => override.message),
  };
  return planDeployment({
    context,
    app: target.app,
    appConfig: target.appConfig,
    tag: target.tag,
    image: { repository: inputs.repository, digest: inputs.digest },
    cluster: inputs.cluster,
    deployedBy: inputs.deployedBy,
    now: inputs.now,
    ttl: target.ttl,
  });
}

/** A word as a shell would need it, for the commands suggestions show. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `traefikctl <verb> <app> --tag <tag> --env <env>`, ready to paste. */
export function commandFor(
  verb: string,
  target: Pick<DeployTarget, 'app' | 'tag' | 'context'>,
  extra = '',
): string {
  return `traefikctl ${verb} ${target.app} --tag ${shellWord(target.tag)} --env ${target.context.env}${extra}`;
}

/** The image reference's repository part: the `registry` setting's host, else ECR's repository URI. */
export async function repositoryReference(aws: DeployAws, target: DeployTarget): Promise<string | undefined> {
  const uri = await aws.repositoryUri(target.repository);
  if (uri === undefined) return undefined;
  return target.registryOverride === undefined ? uri : `${target.registryOverride}/${target.repository}`;
}

export function imageMissingError(target: DeployTarget, repositoryExists: boolean): UserError {
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
export function ownershipConflict(existing: ExistingService, target: DeployTarget): UserError | undefined {
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
  | { kind: 'unchanged'; deployment: Deployment };

export interface Decision {
  action: ApplyAction;
  /** Task definition, service and tag changes; empty for a new service. */
  changes: Change[];
}

function primaryOf(service: Service): Deployment | undefined {
  return service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
}

/** The deployment of another revision that is still rolling out, if any. */
export function deploymentInProgress(service: Service): Deployment | undefined {
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
  target: DeployTarget,
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
