import type { AppUrlsResult, DeploymentUrl } from '../lib/app/urls.js';
import type { Presentation } from './mode.js';
import { formatAge, formatElapsed } from '../lib/duration.js';
import type { Stylist } from './style.js';
import { renderTable, type Column } from './table.js';
import { visibleData } from './visible.js';

/**
 * `app urls` on stdout: a table with a header and relative times on a terminal, tab-separated rows
 * with ISO 8601 times in a pipe (columns: app, tag, url, running/desired, rollout, route, servers,
 * deployed-at, deployed-by, expires-at, the check with --check, and the daily Fargate cost when priced).
 */
export function renderUrlsTable(
  result: AppUrlsResult,
  presentation: Presentation,
  now: number = Date.now(),
  /** More columns after the usual ones (the traffic columns, src/ui/traffic.ts). */
  extra: readonly Column<DeploymentUrl>[] = [],
): string {
  const terminal = presentation.stdoutIsTty;
  const columns: Column<DeploymentUrl>[] = [
    { header: 'app', value: (row) => row.app },
    { header: 'tag', value: (row) => row.tag },
    { header: 'url', value: (row) => row.url, styled: (_row, s, text) => s.cyan(text) },
    // Running/desired where the env runs: ECS tasks, or the local target's containers.
    { header: result.target, value: (row) => `${row.running}/${row.desired}`, align: 'right' },
    {
      header: 'rollout',
      value: (row) => (row.rollout ?? '-').toLowerCase().replace('_', ' '),
      styled: (row, s, text) => rolloutTone(row.rollout, s)(text),
    },
    {
      header: 'route',
      value: (row) => row.route?.status ?? '-',
      styled: (row, s, text) => routeTone(row, s)(text),
    },
    {
      header: 'servers',
      value: (row) => (row.route === undefined ? '-' : `${row.route.serversUp}/${row.route.serversTotal}`),
      align: 'right',
    },
    {
      header: 'age',
      value: (row) => (terminal ? age(row.deployedAt, now) : row.deployedAt),
      align: terminal ? 'right' : 'left',
    },
    { header: 'by', value: (row) => (terminal ? principal(row.deployedBy) : row.deployedBy) },
    {
      header: 'expires',
      value: (row) => (terminal ? expiry(row.expiresAt, now) : (row.expiresAt ?? '-')),
      styled: (_row, s, text) => (text === 'expired' ? s.yellow(text) : text),
    },
  ];
  if (result.deployments.some((row) => row.check !== undefined)) {
    columns.push({
      header: 'check',
      value: (row) => checkText(row),
      styled: (row, s, text) => (row.check?.ok ? s.green : s.red)(text),
    });
  }
  if (result.deployments.some((row) => row.costPerDay !== undefined)) {
    columns.push({
      header: 'cost/day',
      value: (row) => (row.costPerDay ?? '-').replace('/day', ''),
      align: terminal ? 'right' : 'left',
    });
  }
  columns.push(...extra);
  return renderTable(result.deployments, columns, presentation);
}

/** Lines for stderr: why route status is missing, and which probes failed. */
export function urlsNotes(outside: AppUrlsResult, s: Stylist): string[] {
  const result = visibleData(outside);
  const notes: string[] = [];
  if (result.deployments.length === 0) {
    notes.push(
      `No deployments in env ${result.env}. Deploy one with \`traefikctl app deploy <app> --tag <tag> --env ${result.env}\`.`,
    );
  }
  const traefik = result.traefik;
  if (traefik.status === 'skipped') {
    notes.push(
      `${s.dim('Route status not shown:')} ${traefik.message ?? ''}.${traefik.suggestions?.[0] ? ` ${traefik.suggestions[0]}` : ''}`,
    );
  } else if (traefik.status === 'failed') {
    notes.push(`${s.yellow('!')} Route status not shown: ${traefik.message ?? 'Traefik could not be read'}`);
    for (const suggestion of traefik.suggestions ?? []) notes.push(`  ${s.dim('→')} ${suggestion}`);
  }
  if (result.totalCostPerDay !== undefined && result.deployments.length > 0) {
    notes.push(
      result.totalCostPerDay === 'unknown'
        ? `${s.dim('Fargate cost of env')} ${result.env}${s.dim(': unknown (the AWS Price List or a task size could not be read)')}`
        : `${s.dim('Fargate cost of env')} ${result.env}${s.dim(':')} ${result.totalCostPerDay} ${s.dim('(on demand, AWS Price List)')}`,
    );
  }
  const failed = result.deployments.filter((row) => row.check !== undefined && !row.check.ok);
  if (failed.length > 0) {
    notes.push(
      `${s.red('✗')} ${failed.length} of ${result.deployments.length} URL${result.deployments.length === 1 ? '' : 's'} did not answer: ${failed.map((row) => `${row.url} (${checkText(row)}${row.desired === 0 ? ', scaled to 0' : ''})`).join(', ')}`,
    );
  }
  return notes;
}

function checkText(row: DeploymentUrl): string {
  const check = row.check;
  if (check === undefined) return '-';
  if (check.status !== undefined) return `${check.status} ${formatElapsed(check.elapsedMs)}`;
  return check.error ?? 'no answer';
}

function age(iso: string, now: number): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? '-' : formatAge(now - time);
}

function expiry(iso: string | undefined, now: number): string {
  if (iso === undefined) return '-';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '-';
  return time <= now ? 'expired' : `in ${formatAge(time - now)}`;
}

/**
 * The part of an STS caller ARN that names a person or a job: the session name of an assumed role
 * (`jane@example.com`, `GitHubActions`), the user name of an IAM user.
 */
export function principal(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  if (resource === '') return arn;
  const parts = resource.split('/');
  return parts.at(-1) || resource;
}

function rolloutTone(rollout: string | undefined, s: Stylist): (text: string) => string {
  switch (rollout) {
    case 'COMPLETED':
      return s.green;
    case 'FAILED':
      return s.red;
    case 'IN_PROGRESS':
      return s.yellow;
    case undefined:
    default:
      return (text) => text;
  }
}

function routeTone(row: DeploymentUrl, s: Stylist): (text: string) => string {
  const route = row.route;
  if (route === undefined) return s.dim;
  if (route.status === 'enabled' && route.attention.length === 0) return s.green;
  if (route.status === 'disabled' || route.status === 'missing') return s.red;
  return s.yellow;
}
