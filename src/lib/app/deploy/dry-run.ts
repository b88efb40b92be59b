import { withTimeout } from '../../async.js';
import { formatDuration } from '../../duration.js';
import type { ClusterOutputs } from '../../cluster/outputs.js';
import { openEnvironment, type Environment } from '../../env/open.js';
import { describeError, ExitCode, isUserError } from '../../errors.js';
import { traefikApiUrl } from '../../traefik/access.js';
import { sdkDeployAws, type DeployAws } from './ecs/api.js';
import type { Change } from './ecs/diff.js';
import {
  decideAction,
  imageMissingError,
  inspectService,
  repositoryReference,
  type ExistingService,
} from './ecs/preflight.js';
import { planFromSpec, resolveDeploySpec, type DeployRequest, type DeploySpec } from './request.js';
import { placeholderCluster, planCluster, type DeploymentPlan } from './ecs/plan.js';
import type { RouteApi } from './track-route.js';
import { asksTraefik, lookAtTraefik, quickRouteApi } from './wait-live.js';
import { guardInputs, planGuards, type PlanGuards } from './ecs/guards.js';

/**
 * `app deploy --dry-run`: the whole plan (host, URL, service, task definition, labels, tags) without a
 * single mutating call. It is the quick start's first command, so it works with no AWS credentials and
 * no cluster: what it can't read is replaced by a placeholder and listed in `skipped` with the reason
 * and the fix. When AWS answers, it reads the stack outputs, pins the image to its ECR digest and
 * diffs against the service that runs now.
 */

export type DryRunCheck = 'identity' | 'cluster' | 'image' | 'service' | 'traefik';

export interface SkippedCheck {
  check: DryRunCheck;
  /** What could not be checked, e.g. "cluster outputs (subnets, security group, roles, log group)". */
  what: string;
  reason: string;
  fix?: string;
}

/** Something that would make the real deploy fail, found while planning. */
export interface DryRunProblem {
  code: string;
  message: string;
  suggestions: string[];
}

export type DryRunAction = 'create' | 'update' | 'unchanged' | 'unknown';

export interface DryRunResult extends DeploymentPlan {
  dryRun: true;
  /** Where the plan would run: `ecs` here, `docker` for a local env's plan (lib/local/dry-run.ts). */
  target: 'ecs';
  /** What the deploy would do to the service; `unknown` when AWS couldn't be asked. */
  action: DryRunAction;
  /** Changes against the deployed service; empty for a new service or when unknown. */
  changes: Change[];
  skipped: SkippedCheck[];
  problems: DryRunProblem[];
  /** issue 18: failure policy, expiry, limit and daily cost. */
  guards?: PlanGuards;
}

export interface DryRunDeployOptions extends DeployRequest {
  /** `--build`: the image is built at deploy time, so its digest can't be known now. */
  build?: boolean;
  force?: boolean;
  /** The env, opened by the command; opened from `cwd` and `global` (and closed) otherwise. */
  environment?: Environment | undefined;
  /** issue 18: `--on-failure`. */
  onFailure?: string | undefined;
  /** `--no-wait` and `--skip-route-check`: the deploy wouldn't ask Traefik, so neither does the plan. */
  wait?: boolean;
  skipRouteCheck?: boolean;
  /** For tests: the AWS calls. */
  aws?: DeployAws;
  /** For tests: Traefik's API; defaults to a client for the env's API (lib/traefik/access.ts). */
  routeApi?: RouteApi;
  /** How long the first AWS call may take before the dry run goes offline. */
  awsTimeoutMs?: number;
  now?: () => Date;
}

const WHAT: Record<DryRunCheck, string> = {
  identity: 'your AWS identity (traefikctl:deployed-by)',
  cluster: 'cluster outputs (subnets, security group, execution role, log group)',
  image: 'image digest in ECR',
  service: 'the deployed service (diff)',
  traefik: "that Traefik's API answers (the route check)",
};

function skip(check: DryRunCheck, error: unknown): SkippedCheck {
  const reason = describeError(error);
  const fix = isUserError(error) ? error.suggestions[0] : undefined;
  return { check, what: WHAT[check], reason, ...(fix === undefined ? {} : { fix }) };
}

function problem(error: unknown): DryRunProblem {
  if (isUserError(error))
    return { code: error.code ?? 'ERROR', message: error.message, suggestions: [...error.suggestions] };
  return { code: 'ERROR', message: describeError(error), suggestions: [] };
}

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return withTimeout(work, ms, () => {
    throw new Error(`AWS did not answer within ${formatDuration(ms)} (${what})`);
  });
}

function placeholderRepository(target: DeploySpec, region: string | undefined): string {
  if (target.registryOverride !== undefined) return `${target.registryOverride}/${target.repository}`;
  return `<account>.dkr.ecr.${region ?? '<region>'}.amazonaws.com/${target.repository}`;
}

export async function dryRunDeploy(options: DryRunDeployOptions): Promise<DryRunResult> {
  const environment =
    options.environment ?? (await openEnvironment({ cwd: options.cwd, global: options.global }));
  try {
    const target = await resolveDeploySpec(environment.context, options);
    const now = (options.now ?? (() => new Date()))();
    // Few retries: the dry run goes offline rather than wait.
    const clients = options.aws === undefined ? environment.awsClients({ maxAttempts: 2 }) : undefined;
    // A region or profile that doesn't exist is bad input (exit 2), not a check to skip.
    clients?.checkContext();
    const aws = options.aws ?? sdkDeployAws(clients ?? environment.clients);
    // The deploy's preflight asks Traefik's API once (wait-live.ts): so does its plan.
    const traefikApi = async (outputs: ClusterOutputs): Promise<RouteApi | undefined> => {
      if (options.routeApi !== undefined) return options.routeApi;
      if (traefikApiUrl({ traefik: target.context.traefik, outputs }) === undefined) return undefined;
      return quickRouteApi(await environment.traefik({ clients, outputs }));
    };
    return await dryRun(options, target, aws, now, traefikApi);
  } finally {
    if (options.environment === undefined) await environment.close();
  }
}

async function dryRun(
  options: DryRunDeployOptions,
  target: DeploySpec,
  aws: DeployAws,
  now: Date,
  traefikApi: (outputs: ClusterOutputs) => Promise<RouteApi | undefined>,
): Promise<DryRunResult> {
  const looksAtTraefik = asksTraefik(options);
  const skipped: SkippedCheck[] = [];
  const problems: DryRunProblem[] = [];
  const timeoutMs = options.awsTimeoutMs ?? 8_000;

  const region = await aws.region();
  let deployedBy: string | undefined;
  let offline = false;
  if (region === undefined) {
    offline = true;
    skipped.push({
      check: 'identity',
      what: WHAT.identity,
      reason: 'no AWS region is set',
      fix: 'Pass --region, set AWS_REGION, or set `region` in the configuration.',
    });
  } else {
    try {
      deployedBy = await within(aws.callerArn(), timeoutMs, 'sts:GetCallerIdentity');
    } catch (error) {
      if (isUserError(error) && error.exitCode === ExitCode.Usage) throw error;
      offline = true;
      skipped.push(skip('identity', error));
    }
  }

  let outputs: ClusterOutputs | undefined;
  let repository: string | undefined;
  let digest: string | undefined;
  let existing: ExistingService | undefined;
  let serviceKnown = false;

  if (offline) {
    const reason = skipped[0]?.reason ?? 'AWS is not reachable';
    const fix = skipped[0]?.fix;
    for (const check of [
      'cluster',
      'image',
      'service',
      ...(looksAtTraefik ? ['traefik' as const] : []),
    ] as const) {
      skipped.push({ check, what: WHAT[check], reason, ...(fix === undefined ? {} : { fix }) });
    }
  } else {
    const [outputsResult, imageResult] = await Promise.allSettled([
      within(aws.clusterOutputs(target.context.env), timeoutMs, 'cloudformation:DescribeStacks'),
      options.build
        ? Promise.resolve(undefined)
        : within(
            (async () => {
              const uri = await repositoryReference(aws, target);
              const found =
                uri === undefined
                  ? undefined
                  : await aws.imageDigest(target.repository, target.names.dockerTag);
              return { uri, digest: found };
            })(),
            timeoutMs,
            'ecr:DescribeImages',
          ),
    ]);
    if (outputsResult.status === 'fulfilled') outputs = outputsResult.value;
    else skipped.push(skip('cluster', outputsResult.reason));

    if (options.build) {
      skipped.push({
        check: 'image',
        what: WHAT.image,
        reason: '--build builds and pushes the image when deploying; its digest is known only then',
      });
    } else if (imageResult.status === 'rejected') {
      skipped.push(skip('image', imageResult.reason));
    } else if (imageResult.value !== undefined) {
      const { uri, digest: found } = imageResult.value;
      repository = uri;
      digest = found;
      if (uri === undefined || found === undefined)
        problems.push(problem(imageMissingError(target, uri !== undefined)));
    }

    if (outputs === undefined) {
      skipped.push({ check: 'service', what: WHAT.service, reason: 'needs the cluster outputs' });
      if (looksAtTraefik)
        skipped.push({ check: 'traefik', what: WHAT.traefik, reason: 'needs the cluster outputs' });
    } else {
      if (looksAtTraefik) {
        try {
          const api = await traefikApi(outputs);
          if (api !== undefined)
            await lookAtTraefik(api, `${target.names.serviceName}@ecs`, target.context.env);
        } catch (error) {
          if (isUserError(error) && error.exitCode === ExitCode.Usage) throw error;
          problems.push(problem(error));
        }
      }
      try {
        existing = await within(
          inspectService(aws, outputs.cluster, target.names.serviceName),
          timeoutMs,
          'ecs:DescribeServices',
        );
        serviceKnown = true;
      } catch (error) {
        skipped.push(skip('service', error));
      }
    }
  }

  const plan = planFromSpec(target, {
    region: region ?? '<AWS region>',
    repository: repository ?? placeholderRepository(target, region),
    digest,
    cluster:
      outputs === undefined
        ? placeholderCluster(target.context.env, target.context.cluster)
        : planCluster(outputs),
    deployedBy: deployedBy ?? '<your AWS identity>',
    now,
  });

  let action: DryRunAction = 'unknown';
  let changes: Change[] = [];
  if (serviceKnown) {
    try {
      const decision = decideAction(existing, plan, target, { force: options.force ?? false, now });
      action = decision.action.kind;
      changes = decision.changes;
    } catch (error) {
      // The service belongs to another deployment, or another revision is still rolling out.
      problems.push(problem(error));
    }
  }

  const guards = await planGuards(guardInputs(target, plan, options, action, now)); // issue 18
  return { ...plan, dryRun: true, target: 'ecs', action, changes, skipped, problems, guards };
}
