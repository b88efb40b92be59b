import type {
  CreateServiceCommandInput,
  DeploymentConfiguration,
  UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';

import { usageError } from '../../../errors.js';

/**
 * What a failed preview costs, and what is left of it (issue 18, DESIGN.md "Failure policy"):
 * - the circuit breaker every service traefikctl creates or updates gets: a small COUNT threshold
 *   (`apps.<app>.failureThreshold`, default 2) instead of ECS's default (50% of the desired count,
 *   at least 3, up to 200: ten or more crashed launches and image pulls for a one-task preview);
 * - what happens to a deployment whose rollout failed (`--on-failure`, `apps.<app>.onFailure`).
 * Pure, but for {@link applyOnFailure}, which carries a decision out through the calls it is given.
 */

export const DEFAULT_FAILURE_THRESHOLD = 2;
export const ON_FAILURE = ['scale-to-zero', 'keep', 'destroy'] as const;
export type OnFailure = (typeof ON_FAILURE)[number];
export const DEFAULT_ON_FAILURE: OnFailure = 'scale-to-zero';

export interface FailurePolicyConfig {
  failureThreshold?: number | undefined;
  onFailure?: OnFailure | undefined;
}

export function failureThreshold(config: FailurePolicyConfig): number {
  return config.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
}

/**
 * The deployment configuration for a preview's service. `resetOnHealthyTask` stays on (ECS's
 * default, said explicitly): a task that became healthy shows the build works, and a later crash is
 * counted afresh.
 *
 * `earlySuccessCriteria` (in this SDK: enable, healthyPercent, sourceServiceRevisionCleanup) is left
 * unset on purpose. For a new service there are no source tasks, so it has nothing to speed up; for an
 * updated tag, the only gain is DEFERRED cleanup, which reports COMPLETED while the previous revision's
 * tasks still run and are still routed by Traefik, so the route and URL checks that follow could
 * reach the old build: "our deployment COMPLETED" would mean less than it does now.
 */
export function circuitBreakerConfiguration(threshold: number): DeploymentConfiguration {
  return {
    deploymentCircuitBreaker: {
      enable: true,
      rollback: true,
      resetOnHealthyTask: true,
      thresholdConfiguration: { type: 'COUNT', value: threshold },
    },
  };
}

/** The CreateService or UpdateService input with the preview's circuit breaker in place. */
export function withFailureThreshold<T extends CreateServiceCommandInput | UpdateServiceCommandInput>(
  input: T,
  config: FailurePolicyConfig,
): T {
  return {
    ...input,
    deploymentConfiguration: {
      ...input.deploymentConfiguration,
      ...circuitBreakerConfiguration(failureThreshold(config)),
    },
  };
}

/** `--on-failure` wins over the app's `onFailure`; an unknown value is a usage error (exit 2). */
export function onFailurePolicy(flag: string | undefined, config: FailurePolicyConfig): OnFailure {
  if (flag === undefined) return config.onFailure ?? DEFAULT_ON_FAILURE;
  if ((ON_FAILURE as readonly string[]).includes(flag)) return flag as OnFailure;
  throw usageError(`--on-failure ${flag} is not a policy.`, [`Pass one of ${ON_FAILURE.join(', ')}.`]);
}

export type FailureDecision =
  /** A first-time tag: stop its tasks (and image pulls); the service and its URL name stay. */
  | { kind: 'scale-to-zero' }
  | { kind: 'destroy' }
  | { kind: 'keep' }
  /** A tag that ran before: ECS's circuit breaker puts `revision` back; traefikctl changes nothing. */
  | { kind: 'rolled-back'; revision: string | undefined };

export interface FailureFacts {
  policy: OnFailure;
  /**
   * The tag ran before this deploy: its service existed with running tasks. A tag scaled to 0 after an
   * earlier failure never ran, so it is a first-time tag again.
   */
  ranBefore: boolean;
  /** The revision the service ran before our update, when it was updated. */
  previousTaskDefinition: string | undefined;
}

/** What to do about a deployment whose rollout failed (exit 3). */
export function decideOnFailure(facts: FailureFacts): FailureDecision {
  if (facts.ranBefore) return { kind: 'rolled-back', revision: facts.previousTaskDefinition };
  return { kind: facts.policy };
}

export interface FailureTarget {
  cluster: string;
  service: string;
  /** `traefikctl app logs ...`, `traefikctl app deploy ...`, `traefikctl app destroy ...`. */
  commands: { logs: string; deploy: string; destroy: string };
  /** How many failed tasks trip the circuit breaker. */
  threshold: number;
}

export interface FailureActions {
  /** UpdateService `{desiredCount: 0}`. */
  scaleToZero: () => Promise<void>;
  /** The existing removal (`app destroy`'s). */
  destroy: () => Promise<void>;
}

function revisionName(arn: string | undefined): string | undefined {
  return arn?.split('/').pop();
}

/**
 * Carries the decision out and says what was done and how to look, as lines for the error's
 * suggestions. A step that fails is said too, never hidden behind the deploy's own failure.
 */
export async function applyOnFailure(
  decision: FailureDecision,
  target: FailureTarget,
  actions: FailureActions,
): Promise<string[]> {
  const look = [
    `See why: \`${target.commands.logs}\`.`,
    `After a fix, deploy again: \`${target.commands.deploy} --force\`.`,
  ];
  const attempt = async (what: string, work: () => Promise<void>): Promise<string | undefined> => {
    try {
      await work();
      return undefined;
    } catch (error) {
      return `Could not ${what}: ${error instanceof Error ? error.message : String(error)}.`;
    }
  };
  switch (decision.kind) {
    case 'scale-to-zero': {
      const failed = await attempt(`scale ${target.service} to 0`, actions.scaleToZero);
      return [
        failed ??
          `Scaled ${target.service} to 0 tasks (--on-failure scale-to-zero): no more crashed tasks or image pulls; its service stays.`,
        ...look,
        `Or remove it: \`${target.commands.destroy}\`.`,
      ];
    }
    case 'destroy': {
      const failed = await attempt(`remove ${target.service}`, actions.destroy);
      return [
        failed ?? `Removed ${target.service} and its task definitions (--on-failure destroy).`,
        `See why: \`${target.commands.logs}\` (its logs stay in CloudWatch).`,
        `After a fix, deploy again: \`${target.commands.deploy}\`.`,
      ];
    }
    case 'keep':
      return [
        `Left ${target.service} as it is (--on-failure keep): ECS goes on starting tasks until ${target.threshold} have failed.`,
        ...look,
        `Or remove it: \`${target.commands.destroy}\`.`,
      ];
    case 'rolled-back': {
      const revision = revisionName(decision.revision);
      return [
        revision === undefined
          ? `${target.service} ran before: ECS's circuit breaker rolls it back to its last completed deployment after ${target.threshold} failed tasks.`
          : `${target.service} ran before: ECS's circuit breaker rolls it back to ${revision}, which runs again after ${target.threshold} failed tasks; nothing else was changed.`,
        ...look,
      ];
    }
  }
}

/** The dry run's words for the policy. */
export function describeFailurePolicy(
  config: FailurePolicyConfig,
  policy: OnFailure,
  exists: boolean,
): string {
  const threshold = failureThreshold(config);
  const tasks = `${threshold} failed task${threshold === 1 ? '' : 's'}`;
  return exists
    ? `fail on the first fatal stop; circuit breaker after ${tasks} rolls back to the running revision (a tag that never ran: ${policy})`
    : `fail on the first fatal stop; circuit breaker after ${tasks}; then ${policy}`;
}
