import type { ClusterDownPlan, ClusterDownResult } from '../lib/cluster/down.js';
import type { ClusterStatus } from '../lib/cluster/status.js';
import type { ClusterUpResult } from '../lib/cluster/up/index.js';
import type { Presentation } from './mode.js';
import { stylist } from './style.js';
import { visibleData } from './visible.js';

/**
 * What `cluster up`, `status` and `down` print on stdout. A terminal gets aligned, labelled lines;
 * a pipe gets `key<TAB>value` lines, one fact each, for `grep`/`cut` (`--json` prints the result
 * object instead). Nothing here ever receives the API password or its hash.
 */
type Row = [key: string, label: string, value: string | undefined];

/** Rows with a value; on a terminal only those with a label (the others are for scripts). */
function renderRows(rows: readonly Row[], presentation: Presentation): string {
  const present = rows.filter(
    (row): row is [string, string, string] => row[2] !== undefined && row[2] !== '',
  );
  if (!presentation.stdoutIsTty) return present.map(([key, , value]) => `${key}\t${value}\n`).join('');
  const labelled = present.filter(([, label]) => label !== '');
  const s = stylist(presentation.color);
  const width = Math.max(...labelled.map(([, label]) => label.length));
  return labelled.map(([, label, value]) => `${s.bold(label.padEnd(width))}  ${value}\n`).join('');
}

function parameterLabel(key: string): string {
  return key === 'ApiPasswordHash' ? 'API password' : key;
}

export function formatUpResult(outside: ClusterUpResult, presentation: Presentation): string {
  const result = visibleData(outside);
  if (result.action === 'planned') return formatPlan(result, presentation);
  const outputs = result.outputs;
  const headline = {
    created: `Created the cluster ${result.stackName}.`,
    updated: `Updated the cluster ${result.stackName} (${[
      ...(result.templateChanged ? ['template'] : []),
      ...result.changedParameters.map(parameterLabel),
    ].join(', ')}).`,
    unchanged: `The cluster ${result.stackName} is up to date: no changes.`,
  }[result.action];
  const login =
    outputs?.apiUsername === undefined
      ? undefined
      : `${outputs.apiUsername}, password in SSM ${result.passwordParameter}`;
  const rows = renderRows(
    [
      ['action', '', result.action],
      ['stack', '', result.stackName],
      ['cluster', 'ECS cluster', outputs?.cluster],
      ['url_pattern', 'URLs', outputs?.urlPattern],
      ['api_url', 'Traefik API', outputs?.apiUrl],
      ['password_parameter', 'API login', presentation.stdoutIsTty ? login : result.passwordParameter],
      ['load_balancer', 'Load balancer', outputs?.loadBalancerDns],
    ],
    presentation,
  );
  return presentation.stdoutIsTty ? `${headline}\n${rows}` : rows;
}

/** `--dry-run`: the parameters and the resources that would change. */
function formatPlan(result: ClusterUpResult, presentation: Presentation): string {
  const changes = result.changes ?? [];
  if (!presentation.stdoutIsTty) {
    return [
      'action\tplanned',
      ...result.changedParameters.map((key) => `parameter\t${parameterLabel(key)}`),
      ...changes.map((c) => `change\t${c.action}\t${c.logicalId}\t${c.resourceType}\t${c.replacement ?? ''}`),
    ]
      .map((line) => `${line}\n`)
      .join('');
  }
  const s = stylist(presentation.color);
  const lines = [
    `Dry run: ${result.stackName} would be ${result.existed ? 'updated' : 'created'}; nothing was changed.`,
    ...(result.existed && result.changedParameters.length > 0
      ? [`Parameters: ${result.changedParameters.map(parameterLabel).join(', ')}`]
      : []),
    ...(changes.length === 0 ? ['No resource changes.'] : []),
    ...changes.map(
      (c) =>
        `  ${c.action.padEnd(6)} ${c.logicalId} ${s.dim(c.resourceType)}${c.replacement === 'True' ? s.yellow(' (replaced)') : ''}`,
    ),
  ];
  return lines.map((line) => `${line}\n`).join('');
}

export function formatStatus(outside: ClusterStatus, presentation: Presentation, now = new Date()): string {
  // Stack states and reasons, Traefik's version and errors: outside text.
  const status = visibleData(outside);
  const tty = presentation.stdoutIsTty;
  const s = stylist(presentation.color && tty);
  const { outputs, traefik, api } = status;
  const updated =
    status.lastUpdated === undefined
      ? undefined
      : tty
        ? relativeTime(status.lastUpdated, now)
        : status.lastUpdated;
  const stackState =
    status.stackStatus.endsWith('_COMPLETE') && !status.stackStatus.includes('ROLLBACK')
      ? s.green(status.stackStatus)
      : s.yellow(status.stackStatus);
  const tasks =
    traefik === undefined
      ? undefined
      : `${traefik.running}/${traefik.desired} running${traefik.pending > 0 ? `, ${traefik.pending} pending` : ''}`;
  const apiText = !api.checked
    ? api.url === undefined
      ? undefined
      : `${api.url} (not checked)`
    : api.healthy
      ? `${api.url} ${s.green('healthy')}`
      : `${api.url} ${s.red('not healthy')}: ${api.error ?? 'no answer'}`;
  if (!tty) {
    return renderRows(
      [
        ['stack', '', status.stackName],
        ['status', '', status.stackStatus],
        ['status_reason', '', status.stackStatusReason],
        ['updated', '', updated],
        ['cluster', '', outputs?.cluster],
        ['traefik_running', '', traefik === undefined ? undefined : String(traefik.running)],
        ['traefik_desired', '', traefik === undefined ? undefined : String(traefik.desired)],
        ['traefik_image', '', status.parameters.TraefikImage],
        ['traefik_version', '', api.version],
        ['api_url', '', api.url],
        ['api_healthy', '', api.checked ? String(api.healthy) : undefined],
        ['api_error', '', api.error],
        ['url_pattern', '', outputs?.urlPattern],
        ['load_balancer', '', outputs?.loadBalancerDns],
        ['deployments', '', String(status.deployments.live)],
        ['subnets', '', outputs?.subnets.join(',')],
        ['password_parameter', '', outputs?.passwordParameter],
      ],
      presentation,
    );
  }
  return renderRows(
    [
      ['', 'Stack', `${status.stackName} ${stackState}${updated ? s.dim(` (updated ${updated})`) : ''}`],
      ['', 'Problem', status.stackStatusReason ?? status.outputsError],
      ['', 'ECS cluster', outputs?.cluster],
      [
        '',
        'Traefik',
        [tasks, status.parameters.TraefikImage, api.version ? `v${api.version.replace(/^v/, '')}` : undefined]
          .filter(Boolean)
          .join(' · ') || undefined,
      ],
      ['', 'API', apiText],
      [
        '',
        'API login',
        outputs?.apiUsername === undefined
          ? undefined
          : `${outputs.apiUsername}, password in SSM ${outputs.passwordParameter ?? '?'}`,
      ],
      ['', 'URLs', outputs?.urlPattern],
      ['', 'Load balancer', outputs?.loadBalancerDns],
      ['', 'Deployments', `${status.deployments.live} live`],
      ['', 'Subnets', outputs === undefined ? undefined : `${outputs.subnets.join(', ')}`],
    ],
    presentation,
  );
}

/** What `cluster down` is about to remove, for stderr before asking. */
export function describeDown(outside: ClusterDownPlan, force: boolean, color: boolean): string {
  const plan = visibleData(outside);
  const s = stylist(color);
  const lines = [`${s.bold('cluster down')} removes, in env ${plan.env}:`];
  if (force && plan.deployments.length > 0) {
    lines.push(
      `  ${plan.deployments.length} app deployment(s): ${plan.deployments.map((d) => d.service).join(', ')}`,
    );
  }
  lines.push(
    plan.stackId === undefined
      ? `  (no stack: ${plan.stackName} doesn't exist)`
      : `  the stack ${plan.stackName} (${plan.stackStatus ?? '?'}): load balancer, Traefik, security groups, roles, log group`,
  );
  lines.push(`  the Traefik API password in SSM ${plan.passwordParameter}`);
  return `${lines.join('\n')}\n`;
}

export function formatDownResult(outside: ClusterDownResult, presentation: Presentation): string {
  const result = visibleData(outside);
  if (!presentation.stdoutIsTty) {
    return renderRows(
      [
        ['stack', '', result.stackName],
        ['stack_deleted', '', String(result.stackDeleted)],
        ['password_deleted', '', String(result.passwordDeleted)],
        ['deployments_removed', '', String(result.deploymentsRemoved.length)],
      ],
      presentation,
    );
  }
  const removed = result.deploymentsRemoved.length;
  return `${
    result.stackDeleted ? `Removed the cluster ${result.stackName}` : `There was no stack ${result.stackName}`
  }${removed > 0 ? `, ${removed} deployment${removed === 1 ? '' : 's'}` : ''}${
    result.passwordDeleted ? ' and the API password' : ''
  }.\n`;
}

function relativeTime(iso: string, now: Date): string {
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
