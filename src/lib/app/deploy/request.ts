import { requireDomain, resolveApp, type GlobalOptions, type ResolvedContext } from '../../config/resolve.js';
import type { AppConfig } from '../../config/schema.js';
import { registryHost } from '../../image/auth.js';
import { deploymentNames, type DeploymentNames } from '../../naming.js';
import {
  placeholderCluster,
  buildDeploymentPlan,
  type DeploymentPlan,
  type PlanContext,
} from './ecs/plan.js';

/**
 * What to deploy, resolved from the configuration, the app and the tag with no AWS call (so bad
 * input fails first and changes nothing): the spec every step of `app deploy` and its dry run reads,
 * and the commands their messages suggest.
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
export interface DeploySpec {
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
export async function resolveDeploySpec(
  context: ResolvedContext,
  request: DeployRequest,
): Promise<DeploySpec> {
  const resolved = await resolveApp(context, request.app, request.cwd);
  const domain = requireDomain(context);
  const names = deploymentNames({
    app: resolved.name,
    tag: request.tag,
    env: context.env,
    domain,
    template: context.hostTemplate,
  });
  const target: DeploySpec = {
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
  planFromSpec(target, {
    region: 'us-east-1',
    repository: 'registry.invalid/app',
    cluster: placeholderCluster(context.env, context.cluster),
    deployedBy: 'arn:aws:sts::000000000000:assumed-role/check',
    now: new Date(),
  });
  return target;
}

export interface PlanFacts {
  region: string;
  /** Repository URI without tag or digest. */
  repository: string;
  digest?: string | undefined;
  cluster: ReturnType<typeof placeholderCluster>;
  deployedBy: string;
  now: Date;
}

export function planFromSpec(target: DeploySpec, inputs: PlanFacts): DeploymentPlan {
  const context: PlanContext = {
    env: target.context.env,
    region: inputs.region,
    domain: target.domain,
    hostTemplate: target.context.hostTemplate,
    entryPoints: target.context.traefik.entryPoints,
    overrides: target.context.overrides.map((override) => override.message),
  };
  return buildDeploymentPlan({
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
  target: Pick<DeploySpec, 'app' | 'tag' | 'context'>,
  extra = '',
): string {
  return `traefikctl ${verb} ${target.app} --tag ${shellWord(target.tag)} --env ${target.context.env}${extra}`;
}
