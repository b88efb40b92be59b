import type { AppConfig } from '../config/schema.js';
import { usageError, type UserError } from '../errors.js';

/**
 * Guardrails per app so that previews don't pile up (issue 18): `apps.<app>.maxDeployments` and the
 * default ttl of tags by pattern (`apps.<app>.ttlFor`). Pure: the deploy lists what runs and removes
 * what these functions pick.
 */

/** `pr-*` as a RegExp: `*` is any run of characters, everything else is literal; the whole tag matches. */
export function tagPattern(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

/** The first `ttlFor` pattern the tag matches, with its ttl. */
export function ttlForTag(
  ttlFor: Readonly<Record<string, string>> | undefined,
  tag: string,
): { pattern: string; ttl: string } | undefined {
  for (const [pattern, ttl] of Object.entries(ttlFor ?? {})) {
    if (tagPattern(pattern).test(tag)) return { pattern, ttl };
  }
  return undefined;
}

/** The ttl a deploy without `--ttl` gives the tag: its `ttlFor` pattern's, else the app's `ttl`. */
export function defaultTtl(appConfig: Pick<AppConfig, 'ttl' | 'ttlFor'>, tag: string): string | undefined {
  return ttlForTag(appConfig.ttlFor, tag)?.ttl ?? appConfig.ttl;
}

/** What the limit needs to know of a deployment that runs. */
export interface LimitedDeployment {
  tag: string;
  service: string;
  deployedAt: string;
  expiresAt?: string | undefined;
  desiredCount: number;
  runningCount: number;
}

export type LimitDecision<D extends LimitedDeployment> =
  | { kind: 'ok' }
  /** One more would pass the limit: these are the ones to remove, the ones to go first first. */
  | { kind: 'full'; max: number; count: number; remove: D[] };

function time(iso: string | undefined, fallback: number): number {
  const value = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(value) ? fallback : value;
}

/** Expired first (earliest expiry first), then idle (no task wanted or running), then the oldest. */
export function pruneOrder<D extends LimitedDeployment>(deployments: readonly D[], now: Date): D[] {
  const rank = (d: D) => {
    if (time(d.expiresAt, Infinity) <= now.getTime()) return 0;
    if (d.desiredCount === 0 || d.runningCount === 0) return 1;
    return 2;
  };
  return [...deployments].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (rank(a) === 0 ? time(a.expiresAt, 0) - time(b.expiresAt, 0) : 0) ||
      time(a.deployedAt, -Infinity) - time(b.deployedAt, -Infinity),
  );
}

/**
 * Whether deploying `tag` fits under `max`: a tag that already runs always does (it replaces
 * itself); a new one needs a free place, and when there is none, the deployments to remove make one.
 */
export function checkDeploymentLimit<D extends LimitedDeployment>(options: {
  max: number | undefined;
  tag: string;
  deployments: readonly D[];
  now: Date;
}): LimitDecision<D> {
  const { max, tag, deployments, now } = options;
  if (max === undefined || deployments.some((d) => d.tag === tag)) return { kind: 'ok' };
  const over = deployments.length - max + 1;
  if (over <= 0) return { kind: 'ok' };
  return {
    kind: 'full',
    max,
    count: deployments.length,
    remove: pruneOrder(deployments, now).slice(0, over),
  };
}

function ago(iso: string, now: Date): string {
  const ms = now.getTime() - time(iso, now.getTime());
  const hours = Math.floor(ms / 3_600_000);
  if (hours >= 48) return `${Math.floor(hours / 24)}d ago`;
  if (hours >= 1) return `${hours}h ago`;
  return `${Math.max(0, Math.floor(ms / 60_000))}m ago`;
}

/** One line per deployment to remove: tag, age, why it goes first. */
export function describeForPrune(deployment: LimitedDeployment, now: Date): string {
  const why =
    time(deployment.expiresAt, Infinity) <= now.getTime()
      ? `expired ${deployment.expiresAt ?? ''}`
      : deployment.desiredCount === 0 || deployment.runningCount === 0
        ? 'idle: no task running'
        : 'the oldest';
  return `${deployment.tag} (${deployment.service}, deployed ${ago(deployment.deployedAt, now)}; ${why})`;
}

/** The refusal (exit 2, nothing changed) with the list to prune and the commands to do it. */
export function limitError(
  app: string,
  tag: string,
  env: string,
  decision: Extract<LimitDecision<LimitedDeployment>, { kind: 'full' }>,
  now: Date,
): UserError {
  const shell = (word: string) =>
    /^[A-Za-z0-9_./:@+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
  return usageError(
    `Can't deploy ${app} --tag ${tag}: ${app} has ${decision.count} deployment${decision.count === 1 ? '' : 's'} in ${env}, and apps.${app}.maxDeployments is ${decision.max}. Remove ${decision.remove.length === 1 ? 'this one' : `these ${decision.remove.length}`} first:`,
    [
      ...decision.remove.map((d) => `  ${describeForPrune(d, now)}`),
      ...decision.remove.map((d) => `traefikctl app destroy ${app} --tag ${shell(d.tag)} --env ${env} --yes`),
      `Or let the deploy remove them: \`traefikctl app deploy ${app} --tag ${shell(tag)} --env ${env} --prune-oldest\`.`,
      `Or raise apps.${app}.maxDeployments.`,
    ],
    'MAX_DEPLOYMENTS',
  );
}

/** `status`'s warning: at the limit, or one short of it (for a limit of 3 or more). */
export function limitWarning(app: string, count: number, max: number | undefined): string | undefined {
  if (max === undefined) return undefined;
  if (count >= max)
    return `${app} is at its limit: ${count} of ${max} deployments (maxDeployments); the next new tag is refused unless deployed with --prune-oldest.`;
  if (max >= 3 && count >= max - 1)
    return `${app} is near its limit: ${count} of ${max} deployments (maxDeployments).`;
  return undefined;
}
