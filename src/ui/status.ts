import { TARGET_WORDS, type EnvStatus, type StatusDeployment } from '../lib/status/env.js';
import type { Presentation } from './mode.js';
import { formatAge } from '../lib/duration.js';
import { stylist } from './style.js';
import { renderTable, type Column } from './table.js';
import { visibleData } from './visible.js';

/** Reasons as one cell: `a; b`, without each sentence's own final period before a `;`. */
export function joinReasons(reasons: readonly string[]): string {
  return reasons
    .map((reason, index) => (index < reasons.length - 1 ? reason.replace(/\.$/, '') : reason))
    .join('; ');
}

/** Stray routers shown on the screen; the rest are counted (`routes` lists them all). */
const MAX_STRAYS = 8;

function expires(row: StatusDeployment, now: number, tty: boolean): string {
  if (row.expiresAt === undefined) return '-';
  if (!tty) return row.expiresAt;
  const at = Date.parse(row.expiresAt);
  if (Number.isNaN(at)) return row.expiresAt;
  return at <= now ? 'expired' : `in ${formatAge(at - now)}`;
}

function columns(
  presentation: Presentation,
  now: number,
  target: EnvStatus['target'],
): Column<StatusDeployment>[] {
  const tty = presentation.stdoutIsTty;
  const servers = (row: StatusDeployment) =>
    row.route === undefined ? '?' : `${row.route.serversUp}/${row.route.serversTotal}`;
  return [
    {
      header: 'app/tag',
      value: (row) => `${row.app}/${row.tag}`,
      styled: (row, s, text) => (row.problems.length > 0 ? s.red(text) : text),
    },
    { header: 'url', value: (row) => row.url },
    { header: 'rollout', value: (row) => row.rollout ?? '-' },
    {
      header: TARGET_WORDS[target].tasks,
      value: (row) => `${row.running}/${row.desired}`,
      align: 'right',
    },
    { header: 'route', value: (row) => row.route?.status ?? '?' },
    { header: 'servers', value: servers, align: 'right' },
    { header: 'expires', value: (row) => expires(row, now, tty) },
    {
      header: 'problems',
      value: (row) => (row.problems.length === 0 ? (tty ? 'ok' : '-') : joinReasons(row.problems)),
      styled: (row, s, text) => (row.problems.length === 0 ? s.green(text) : s.yellow(text)),
    },
  ];
}

/** The summary lines above the table: cluster and Traefik health, and their problems. */
export function statusHeader(outside: EnvStatus, color: boolean): string[] {
  // Stack states, Traefik's version, problems quoting AWS and Traefik: all outside text.
  const status = visibleData(outside);
  const s = stylist(color);
  const { cluster, traefik } = status;
  const words = TARGET_WORDS[status.target];
  const tasks =
    cluster.traefikTasks === undefined
      ? ''
      : `, ${cluster.traefikTasks.running}/${cluster.traefikTasks.desired} ${words.tasks}`;
  const version = traefik.version === undefined ? 'Traefik' : `Traefik ${traefik.version}`;
  const lines = [
    `${s.bold(`env ${status.env}`)}  ·  ${words.stack}${cluster.stackName} ${cluster.stackStatus}  ·  ${version}${tasks}${
      traefik.apiUrl === undefined ? '' : `  ·  ${traefik.apiUrl}`
    }`,
  ];
  const routes = traefik.routes;
  const routeText =
    routes === undefined
      ? 'routes unknown'
      : `${routes.total} routes (${routes.enabled} enabled, ${routes.warning} warning, ${routes.disabled} disabled${
          routes.missing > 0 ? `, ${routes.missing} missing` : ''
        })`;
  const problems =
    status.problems === 0
      ? s.green('no problems')
      : s.red(`${status.problems} problem${status.problems === 1 ? '' : 's'}`);
  const count = status.deployments.length;
  lines.push(`${count} deployment${count === 1 ? '' : 's'}  ·  ${routeText}  ·  ${problems}`);
  for (const problem of [...cluster.problems, ...traefik.problems]) lines.push(`${s.red('!')} ${problem}`);
  // issue 18: what the env costs a day, and apps near their maxDeployments.
  if (status.guardrails !== undefined) {
    lines.push(
      status.guardrails.costPerDay === 'unknown'
        ? `Fargate cost: unknown ${s.dim('(the AWS Price List or a task size could not be read)')}`
        : `Fargate cost: ${status.guardrails.costPerDay} ${s.dim('(on demand, AWS Price List)')}`,
    );
    for (const warning of status.guardrails.warnings) lines.push(`${s.yellow('!')} ${warning}`);
  }
  return lines;
}

/**
 * `traefikctl status` on stdout. A terminal gets the header, the deployments (problems first) and
 * the routers that belong to no live deployment; a pipe gets one TSV row per deployment (the
 * header lines go to stderr there, see `statusNotes`).
 */
export function renderEnvStatus(outside: EnvStatus, presentation: Presentation, now = Date.now()): string {
  const status = visibleData(outside);
  const table = renderTable(status.deployments, columns(presentation, now, status.target), presentation);
  if (!presentation.stdoutIsTty) return table;
  const s = stylist(presentation.color);
  const parts = [statusHeader(status, presentation.color).join('\n'), ''];
  parts.push(status.deployments.length === 0 ? s.dim('No deployments in this env.\n') : table);
  if (status.strays.length > 0) {
    parts.push(s.bold('Routers without a live deployment'));
    for (const stray of status.strays.slice(0, MAX_STRAYS)) {
      parts.push(
        `  ${stray.name}  ${stray.host ?? ''}  ${stray.status}  ${s.yellow(joinReasons(stray.problems))}`,
      );
    }
    const more = status.strays.length - MAX_STRAYS;
    if (more > 0)
      parts.push(s.dim(`  … and ${more} more: \`traefikctl routes --env ${status.env}\` lists them all.`));
    parts.push('');
  }
  return parts.join('\n');
}

/** For a pipe: the header and the stray routers, on stderr. */
export function statusNotes(outside: EnvStatus): string[] {
  const status = visibleData(outside);
  return [
    ...statusHeader(status, false),
    ...status.strays.map((stray) => `! ${stray.name}: ${joinReasons(stray.problems)}`),
  ];
}
