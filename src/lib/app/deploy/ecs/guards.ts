import type { AwsClients } from '../../../aws/clients.js';
import type { EventSink } from '../../../events.js';
import {
  applyOnFailure,
  decideOnFailure,
  DEFAULT_FAILURE_THRESHOLD,
  type OnFailure,
} from './failure-policy.js';
import { checkDeploymentLimit, describeForPrune, limitError } from '../../limits.js';
import { RolloutError } from './track-rollout.js';

/**
 * What `app deploy` does before it creates a service (the app's `maxDeployments`) and after its
 * rollout failed (the failure policy), kept apart from the deploy's state machine: the deploy calls
 * {@link guardDeploymentLimit} once in preflight and {@link afterDeployFailure} on its way out.
 */

export interface GuardTarget {
  app: string;
  tag: string;
  env: string;
  cluster: string;
  service: string;
  maxDeployments: number | undefined;
  /** `traefikctl app ...` commands for this tag. */
  commands: { logs: string; deploy: string; destroy: string };
}

/** The guard's view of a deploy target (deploy-prepare's `DeployTarget`) in its cluster. */
export function guardTarget(
  target: {
    app: string;
    tag: string;
    context: { env: string };
    names: { serviceName: string };
    appConfig: { maxDeployments?: number | undefined };
  },
  cluster: string,
  commandFor: (verb: string) => string,
): GuardTarget {
  return {
    app: target.app,
    tag: target.tag,
    env: target.context.env,
    cluster,
    service: target.names.serviceName,
    maxDeployments: target.appConfig.maxDeployments,
    commands: {
      logs: commandFor('app logs'),
      deploy: commandFor('app deploy'),
      destroy: `${commandFor('app destroy')} --yes`,
    },
  };
}

/**
 * For a tag that doesn't run yet: refuses (exit 2, nothing changed) when the app has
 * `maxDeployments` already, naming the ones to remove; with `pruneOldest`, removes them first
 * (expired, then idle, then the oldest), through `app destroy`'s removal.
 */
export async function guardDeploymentLimit(options: {
  target: GuardTarget;
  clients: AwsClients;
  pruneOldest: boolean;
  now: Date;
  onEvent: EventSink;
}): Promise<void> {
  const { target, clients, now } = options;
  if (target.maxDeployments === undefined) return;
  const { listDeployments } = await import('../../../ecs/services.js');
  const deployments = await listDeployments(clients, {
    cluster: target.cluster,
    env: target.env,
    app: target.app,
  });
  const decision = checkDeploymentLimit({
    max: target.maxDeployments,
    tag: target.tag,
    deployments,
    now,
  });
  if (decision.kind === 'ok') return;
  if (!options.pruneOldest) throw limitError(target.app, target.tag, target.env, decision, now);
  const { destroyTarget, destroyDeployments } = await import('../../destroy.js');
  for (const deployment of decision.remove) {
    options.onEvent({
      type: 'info',
      message: `Removing ${describeForPrune(deployment, now)} to stay within maxDeployments ${decision.max} (--prune-oldest).`,
    });
  }
  const targets = await Promise.all(decision.remove.map((deployment) => destroyTarget(clients, deployment)));
  await destroyDeployments(clients, targets, { onEvent: options.onEvent });
}

export interface FailureContext {
  target: GuardTarget;
  policy: OnFailure;
  threshold: number;
  /** What the deploy did to the service: the policy applies only once it created or updated it. */
  applied: 'created' | 'updated' | 'unchanged' | undefined;
  /** The service ran tasks before this deploy. */
  ranBefore: boolean;
  previousTaskDefinition: string | undefined;
  scaleToZero: () => Promise<void>;
  destroy: () => Promise<void>;
}

/**
 * The failure context of one deploy: its target, what it did so far, and the two actions, through
 * UpdateService (`desiredCount: 0`) and `app destroy`'s removal.
 */
export function deployFailureContext(options: {
  target: Parameters<typeof guardTarget>[0] & {
    names: { serviceName: string };
    appConfig: { failureThreshold?: number | undefined; onFailure?: OnFailure | undefined };
  };
  cluster: string;
  commandFor: (verb: string) => string;
  policy: OnFailure;
  progress: {
    applied?: 'created' | 'updated' | 'unchanged' | undefined;
    ranBefore?: boolean | undefined;
    previousTaskDefinition?: string | undefined;
  };
  updateService: (input: { cluster: string; service: string; desiredCount: number }) => Promise<unknown>;
  clients: AwsClients;
  onEvent: EventSink;
}): FailureContext {
  const { target, cluster, progress } = options;
  return {
    target: guardTarget(target, cluster, options.commandFor),
    policy: options.policy,
    threshold: target.appConfig.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD,
    applied: progress.applied,
    ranBefore: progress.ranBefore ?? false,
    previousTaskDefinition: progress.previousTaskDefinition,
    scaleToZero: async () => {
      await options.updateService({ cluster, service: target.names.serviceName, desiredCount: 0 });
    },
    destroy: async () => {
      const { planDestroy, destroyDeployment } = await import('../../destroy.js');
      const doomed = await planDestroy(options.clients, {
        cluster,
        env: target.context.env,
        app: target.app,
        tag: target.tag,
      });
      await destroyDeployment(options.clients, doomed, { onEvent: options.onEvent });
    },
  };
}

/**
 * The deploy's error, with the failure policy applied when the rollout failed or was rolled back
 * (exit 3): a first-time tag is scaled to 0, kept or removed; a tag that ran before is left to ECS's
 * rollback, and the error says which revision it goes back to. Any other error passes unchanged.
 */
export async function afterDeployFailure(error: unknown, context: FailureContext): Promise<unknown> {
  if (!(error instanceof RolloutError)) return error;
  if (error.outcome !== 'failed' && error.outcome !== 'rolled-back') return error;
  if (context.applied === undefined || context.applied === 'unchanged') return error;
  const decision = decideOnFailure({
    policy: context.policy,
    ranBefore: context.ranBefore,
    previousTaskDefinition: context.previousTaskDefinition,
  });
  // ECS already rolled back: it says where in the message; only the policy's lines are added.
  const lines =
    error.outcome === 'rolled-back' && decision.kind === 'rolled-back'
      ? []
      : await applyOnFailure(
          decision,
          {
            cluster: context.target.cluster,
            service: context.target.service,
            commands: context.target.commands,
            threshold: context.threshold,
          },
          { scaleToZero: context.scaleToZero, destroy: context.destroy },
        );
  if (lines.length === 0) return error;
  const suggestions = error.suggestions.filter(
    (line) => !line.startsWith("See the app's logs:") && !line.startsWith('Fix the app or its configuration'),
  );
  const wrapped = new RolloutError(error.message, error.outcome, [...suggestions, ...lines]);
  return Object.assign(wrapped, { cause: error });
}

/** What the dry run shows of the guardrails: failure policy, expiry, limit and daily cost. */
export interface PlanGuards {
  failureThreshold: number;
  onFailure: OnFailure;
  /** One line: what a failure does. */
  failurePolicy: string;
  /** ISO 8601, or undefined: never expires. */
  expiresAt: string | undefined;
  /** Where the ttl comes from: `--ttl`, `ttlFor "pr-*"`, `ttl`. */
  ttlSource: string | undefined;
  maxDeployments: number | undefined;
  /** USD per day for this deployment's tasks, when the Price List could be read. */
  costPerDayUsd: number | undefined;
  /** `$0.30/day` or `unknown`. */
  costPerDay: string;
}

export async function planGuards(options: {
  tag: string;
  appConfig: {
    ttl?: string | undefined;
    ttlFor?: Record<string, string> | undefined;
    failureThreshold?: number | undefined;
    onFailure?: OnFailure | undefined;
    maxDeployments?: number | undefined;
  };
  ttlFlag: string | undefined;
  onFailureFlag: string | undefined;
  exists: boolean;
  expiresAt: string | undefined;
  region: string | undefined;
  profile: string | undefined;
  size: { cpu: number; memory: number; architecture: 'X86_64' | 'ARM64'; tasks: number };
  now: Date;
}): Promise<PlanGuards> {
  const { describeFailurePolicy, failureThreshold, onFailurePolicy } = await import('./failure-policy.js');
  const { ttlForTag } = await import('../../limits.js');
  const onFailure = onFailurePolicy(options.onFailureFlag, options.appConfig);
  const pattern = ttlForTag(options.appConfig.ttlFor, options.tag);
  const ttlSource =
    options.ttlFlag !== undefined
      ? '--ttl'
      : pattern !== undefined
        ? `ttlFor ${JSON.stringify(pattern.pattern)}`
        : options.appConfig.ttl === undefined
          ? undefined
          : 'ttl';
  const { dailyCost, fargatePrices, formatDailyCost } = await import('../../../pricing/fargate.js');
  const rates =
    options.region === undefined || options.region.startsWith('<')
      ? undefined
      : await fargatePrices({ region: options.region, profile: options.profile, now: options.now });
  const cost = dailyCost(rates, options.size);
  return {
    failureThreshold: failureThreshold(options.appConfig),
    onFailure,
    failurePolicy: describeFailurePolicy(options.appConfig, onFailure, options.exists),
    expiresAt: options.expiresAt,
    ttlSource,
    maxDeployments: options.appConfig.maxDeployments,
    costPerDayUsd: 'usd' in cost ? cost.usd : undefined,
    costPerDay: formatDailyCost(cost),
  };
}

/** planGuards' inputs from a dry run's target and plan (deploy-prepare's and plan.ts's shapes). */
export function guardInputs(
  target: {
    tag: string;
    ttl: string | undefined;
    appConfig: Parameters<typeof planGuards>[0]['appConfig'];
    context: { profile?: string | undefined };
  },
  plan: {
    region: string;
    /** `<your AWS identity>` when the dry run is offline: then prices aren't asked for either. */
    deployedBy: string;
    expiresAt?: string | undefined;
    taskDefinition: {
      cpu?: string | undefined;
      memory?: string | undefined;
      runtimePlatform?: { cpuArchitecture?: string | undefined } | undefined;
    };
    service: { desiredCount?: number | undefined };
  },
  options: { onFailure?: string | undefined },
  action: string,
  now: Date,
): Parameters<typeof planGuards>[0] {
  return {
    tag: target.tag,
    appConfig: target.appConfig,
    ttlFlag: target.ttl,
    onFailureFlag: options.onFailure,
    exists: action === 'update' || action === 'unchanged',
    expiresAt: plan.expiresAt,
    region: plan.deployedBy.startsWith('<') ? undefined : plan.region,
    profile: target.context.profile,
    size: {
      cpu: Number(plan.taskDefinition.cpu ?? 256),
      memory: Number(plan.taskDefinition.memory ?? 512),
      architecture: plan.taskDefinition.runtimePlatform?.cpuArchitecture === 'ARM64' ? 'ARM64' : 'X86_64',
      tasks: plan.service.desiredCount ?? 1,
    },
    now,
  };
}
