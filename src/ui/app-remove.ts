import type { DestroyTarget } from '../lib/app/destroy.js';
import { isDeleted } from '../lib/ecs/services.js';
import type { PruneTarget } from '../lib/app/prune.js';
import { formatAge } from '../lib/duration.js';
import { confirm } from './confirm.js';
import type { CommandIO } from './io.js';
import type { Presentation } from './mode.js';
import { stylist } from './style.js';
import { renderTable } from './table.js';
import { visibleData } from './visible.js';

/**
 * What `app destroy` and `app prune` show before they remove anything, how they ask, and what they
 * print once done. The same list is shown, confirmed and removed.
 */

/** The human list of what will go, for stderr: each deployment, its service and revisions. */
export function describeRemoval(
  targets: readonly (DestroyTarget | PruneTarget)[],
  options: { color: boolean; now?: number },
): string {
  const s = stylist(options.color);
  const now = options.now ?? Date.now();
  const lines: string[] = [];
  for (const target of visibleData(targets)) {
    const { deployment } = target;
    const deployed = Date.parse(deployment.deployedAt);
    const age = Number.isNaN(deployed) ? '' : `, deployed ${formatAge(now - deployed)} ago`;
    lines.push(`${s.bold(`${deployment.app} ${deployment.tag}`)} ${s.dim(`(${deployment.host}${age})`)}`);
    if ('reasons' in target && target.reasons.length > 0)
      lines.push(`  ${s.dim('why:')} ${target.reasons.join('; ')}`);
    // A deployment of the local target: containers on traefikctl's network, no ECS resources.
    const containers = (deployment as { containers?: readonly string[] }).containers;
    if (containers !== undefined) {
      lines.push(
        `  ${s.red('−')} container${containers.length === 1 ? '' : 's'} ${containers.join(', ')} (${deployment.runningCount}/${deployment.desiredCount} running) on network ${deployment.cluster}`,
      );
      continue;
    }
    lines.push(
      isDeleted(deployment)
        ? `  ${s.dim(`  ECS service ${deployment.service} is already ${String(deployment.status).toLowerCase()}: only its revisions are left`)}`
        : `  ${s.red('−')} ECS service ${deployment.service} (${deployment.runningCount}/${deployment.desiredCount} running) in ${deployment.cluster}`,
    );
    lines.push(
      target.taskDefinitions.length === 0
        ? `  ${s.dim('  no task definition revision of its own')}`
        : `  ${s.red('−')} task definition ${target.family} revision${target.taskDefinitions.length === 1 ? '' : 's'} ${target.taskDefinitions.map(revision).join(', ')}`,
    );
    // Families are account-wide: other envs' revisions of it can be many; one line per reason.
    const kept = new Map<string, string[]>();
    for (const { arn, reason } of target.keptTaskDefinitions)
      kept.set(reason, [...(kept.get(reason) ?? []), revision(arn)]);
    for (const [reason, revisions] of kept) {
      const shown =
        revisions.length <= 6
          ? revisions.join(', ')
          : `${revisions.slice(0, 5).join(', ')} and ${revisions.length - 5} more`;
      lines.push(
        `  ${s.dim(`  keeps ${revisions.length === 1 ? 'revision' : 'revisions'} ${shown} (${reason})`)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Rows for stdout: what was (or, with --dry-run, would be) removed. */
export function renderRemovalTable(rows: readonly RemovalRow[], presentation: Presentation): string {
  return renderTable(
    rows,
    [
      { header: 'app', value: (row) => row.app },
      { header: 'tag', value: (row) => row.tag },
      { header: 'service', value: (row) => row.service },
      { header: 'task definitions', value: (row) => row.taskDefinitions.map(revision).join(',') || '-' },
      {
        header: 'status',
        value: (row) => row.status,
        styled: (row, s, text) => (row.status === 'skipped' ? s.yellow(text) : text),
      },
    ],
    presentation,
  );
}

export interface RemovalRow {
  app: string;
  tag: string;
  service: string;
  taskDefinitions: readonly string[];
  status: string;
}

/**
 * Whether to go ahead: `--yes` says so; on a terminal the user is asked (default no); anywhere else
 * it is a usage error naming `--yes`, before anything is touched. The words of the one `confirm`.
 */
export async function confirmRemoval(options: {
  io?: Pick<CommandIO, 'stdin' | 'stderr'> | undefined;
  presentation: Presentation;
  yes: boolean;
  count: number;
  retry: string;
  /** The command that only lists, where there is one (`app prune --dry-run`; `app destroy` has none). */
  listOnly?: string | undefined;
}): Promise<boolean> {
  return confirm({
    presentation: options.presentation,
    yes: options.yes,
    io: options.io,
    question: `Remove ${options.count === 1 ? 'this deployment' : `these ${options.count} deployments`}?`,
    refusal: {
      message: `Removing ${options.count === 1 ? 'a deployment' : `${options.count} deployments`} needs confirmation, and there is no terminal to ask on.`,
      suggestions: [
        `Pass --yes to remove what is listed above: ${options.retry} --yes`,
        ...(options.listOnly === undefined ? [] : [`To only list it: ${options.listOnly}`]),
      ],
    },
  });
}

function revision(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}
