import { limiter } from '../async.js';
import type { AwsClients } from '../aws/clients.js';
import { addDuration } from '../duration.js';
import { usageError } from '../errors.js';
import { destroyTarget, type DestroyedDeployment, type DestroyTarget } from './destroy.js';
import { listDeployments, notDeployedError, type EcsDeploymentRecord } from '../ecs/services.js';

/**
 * `app prune`: which deployments to remove. Each criterion narrows the selection, so a deployment is
 * removed only when it matches every criterion given: `--older-than 7d --keep 5` removes what is
 * older than 7 days, but never one of the 5 newest of an app. Adding a flag never removes more.
 */
export interface PruneCriteria {
  /** A duration (`12h`, `7d`, `2w`): deployed longer ago than this (`traefikctl:deployed-at`). */
  olderThan?: string | undefined;
  /** Not one of the newest N deployments of its app. */
  keep?: number | undefined;
  /** `traefikctl:expires-at` is in the past. */
  expired?: boolean | undefined;
}

export interface PruneCandidate {
  deployment: EcsDeploymentRecord;
  /** Why it is selected, one phrase per criterion. */
  reasons: string[];
}

export interface PruneTarget extends DestroyTarget {
  reasons: string[];
}

export interface PrunePlan {
  env: string;
  cluster: string;
  app?: string | undefined;
  criteria: PruneCriteria;
  /** ISO 8601: ages and expiry are measured from this instant. */
  now: string;
  targets: PruneTarget[];
  /** Deployments looked at and kept. */
  kept: number;
}

export interface PlanPruneOptions {
  cluster: string;
  env: string;
  app?: string | undefined;
  criteria: PruneCriteria;
  now?: Date | undefined;
}

/** Checks the criteria: at least one, and a duration that parses. Usage errors (exit 2). */
export function checkCriteria(criteria: PruneCriteria): void {
  if (criteria.olderThan === undefined && criteria.keep === undefined && !criteria.expired) {
    throw usageError(
      'Nothing selects deployments to prune.',
      ['Pass --older-than (e.g. 7d), --keep (e.g. 5) or --expired; add --dry-run to see the list first.'],
      'PRUNE_NO_CRITERIA',
    );
  }
  if (criteria.olderThan !== undefined) addDuration(new Date(0), criteria.olderThan, '--older-than value');
  if (criteria.keep !== undefined && (!Number.isInteger(criteria.keep) || criteria.keep < 0)) {
    throw usageError(`--keep must be a whole number of deployments, 0 or more, not ${criteria.keep}.`, [
      'Pass e.g. --keep 5.',
    ]);
  }
}

/** The deployments the criteria select, in the order given (pure). */
export function selectForPrune(
  deployments: readonly EcsDeploymentRecord[],
  criteria: PruneCriteria,
  now: Date,
): PruneCandidate[] {
  checkCriteria(criteria);
  const cutoff =
    criteria.olderThan === undefined
      ? undefined
      : now.getTime() - addDuration(new Date(0), criteria.olderThan, '--older-than value').getTime();

  // Rank within each app, newest first; an unreadable date ranks as oldest.
  const rank = new Map<EcsDeploymentRecord, number>();
  const byApp = new Map<string, EcsDeploymentRecord[]>();
  for (const deployment of deployments) {
    const list = byApp.get(deployment.app) ?? [];
    list.push(deployment);
    byApp.set(deployment.app, list);
  }
  for (const list of byApp.values()) {
    [...list]
      .sort((a, b) => time(b.deployedAt, -Infinity) - time(a.deployedAt, -Infinity))
      .forEach((deployment, index) => rank.set(deployment, index));
  }

  const selected: PruneCandidate[] = [];
  for (const deployment of deployments) {
    const reasons: string[] = [];
    if (cutoff !== undefined) {
      const deployedAt = time(deployment.deployedAt, NaN);
      // A date that can't be read never proves a deployment old.
      if (!(deployedAt < cutoff)) continue;
      reasons.push(`deployed more than ${criteria.olderThan ?? ''} ago (${deployment.deployedAt})`);
    }
    if (criteria.keep !== undefined) {
      const position = rank.get(deployment) ?? 0;
      if (position < criteria.keep) continue;
      reasons.push(`not among the ${criteria.keep} newest of ${deployment.app}`);
    }
    if (criteria.expired) {
      const expiresAt = deployment.expiresAt === undefined ? NaN : time(deployment.expiresAt, NaN);
      if (!(expiresAt <= now.getTime())) continue;
      reasons.push(`expired at ${deployment.expiresAt ?? ''}`);
    }
    selected.push({ deployment, reasons });
  }
  return selected;
}

/**
 * Lists the env's deployments (of `app` when given), selects by the criteria, and works out the
 * task definition revisions each selected one takes with it. Reads only; `destroyDeployments` then
 * removes exactly `plan.targets`.
 */
export async function planPrune(clients: AwsClients, options: PlanPruneOptions): Promise<PrunePlan> {
  checkCriteria(options.criteria);
  const now = options.now ?? new Date();
  const all = await listDeployments(clients, { cluster: options.cluster, env: options.env });
  const deployments = options.app === undefined ? all : all.filter((d) => d.app === options.app);
  if (options.app !== undefined && deployments.length === 0) {
    throw notDeployedError({ env: options.env, app: options.app }, all);
  }
  const candidates = selectForPrune(deployments, options.criteria, now);
  const limit = limiter(4);
  const targets = await Promise.all(
    candidates.map((candidate) =>
      limit(async () => ({
        ...(await destroyTarget(clients, candidate.deployment)),
        reasons: candidate.reasons,
      })),
    ),
  );
  return {
    env: options.env,
    cluster: options.cluster,
    ...(options.app === undefined ? {} : { app: options.app }),
    criteria: options.criteria,
    now: now.toISOString(),
    targets,
    kept: deployments.length - targets.length,
  };
}

/** One deployment in what `app prune` reports. */
export interface PruneResultItem {
  app: string;
  tag: string;
  service: string;
  host: string;
  deployedAt: string;
  expiresAt?: string | undefined;
  /** Why it was selected. */
  reasons: string[];
  /** The revisions deregistered (or, in a dry run, to deregister). */
  taskDefinitions: string[];
  status: 'would remove' | DestroyedDeployment['status'];
  /** Why it was skipped. */
  reason?: string | undefined;
}

/** What `app prune --json` prints. */
export interface PruneResult extends Omit<PrunePlan, 'targets'> {
  dryRun: boolean;
  deployments: PruneResultItem[];
}

/**
 * The report of a prune: the plan's targets as they would go (`removed` undefined: a dry run, or
 * the user said no) or as they went.
 */
export function pruneResult(
  plan: PrunePlan,
  outcome: { dryRun: boolean; removed?: readonly DestroyedDeployment[] | undefined },
): PruneResult {
  const { targets, ...summary } = plan;
  const removed = new Map(outcome.removed?.map((item) => [item.service, item]));
  const deployments = targets.flatMap((target): PruneResultItem[] => {
    const { deployment } = target;
    const done = removed.get(deployment.service);
    if (outcome.removed !== undefined && done === undefined) return [];
    return [
      {
        app: deployment.app,
        tag: deployment.tag,
        service: deployment.service,
        host: deployment.host,
        deployedAt: deployment.deployedAt,
        ...(deployment.expiresAt === undefined ? {} : { expiresAt: deployment.expiresAt }),
        reasons: target.reasons,
        taskDefinitions: done?.taskDefinitions ?? target.taskDefinitions,
        status: done?.status ?? 'would remove',
        ...(done?.reason === undefined ? {} : { reason: done.reason }),
      },
    ];
  });
  return { ...summary, dryRun: outcome.dryRun, deployments };
}

function time(iso: string, fallback: number): number {
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? fallback : parsed;
}
