import type { DryRunResult } from '../lib/app/deploy/dry-run.js';
import type { Change } from '../lib/app/deploy/ecs/diff.js';
import type { PlanGuards } from '../lib/app/deploy/ecs/guards.js';
import { decodeTagValue } from '../lib/ecs/tag-codec.js';
import type { LocalDryRunResult } from '../lib/local/dry-run.js';
import type { Presentation } from './mode.js';
import { stylist, type Stylist } from './style.js';
import { visibleData } from './visible.js';

/**
 * `app deploy --dry-run` on stdout: what the deploy would create or change, readable top to bottom.
 * The summary comes first, the full inputs ECS would receive in the middle, and what couldn't be
 * checked and what would fail last, where a terminal leaves them on screen. No colour in a pipe.
 */
export function formatDryRun(outside: DryRunResult, presentation: Pick<Presentation, 'color'>): string {
  // The current task definition and service come from AWS.
  const result = visibleData(outside);
  const s = stylist(presentation.color);
  const out: string[] = [];
  const section = (title: string) => out.push('', s.bold(title));

  out.push(
    `${s.bold(`Plan: ${result.app} at ${JSON.stringify(result.tag)} on env ${result.env}`)} ${s.dim('(dry run: nothing is changed)')}`,
  );
  const container = result.taskDefinition.containerDefinitions?.[0];
  const port = container?.portMappings?.[0]?.containerPort;
  const rows: [string, string][] = [
    ['URL', s.cyan(result.url)],
    ['Service', `${result.serviceName} in cluster ${result.cluster} ${s.dim(`(${actionText(result)})`)}`],
    [
      'Image',
      `${result.image.reference} ${s.dim(result.image.pinned ? '(pinned by digest)' : '(not pinned: the digest is read from ECR when deploying)')}`,
    ],
    [
      'Tasks',
      `${result.service.desiredCount ?? 1} × Fargate ${result.taskDefinition.cpu ?? '?'} CPU / ${result.taskDefinition.memory ?? '?'} MiB, ${result.taskDefinition.runtimePlatform?.cpuArchitecture ?? '?'}${port === undefined ? '' : `, port ${port}`}`,
    ],
  ];
  if (result.expiresAt !== undefined) rows.push(['Expires', result.expiresAt]);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) out.push(`  ${s.dim(label.padEnd(width))}  ${value}`);

  if (result.action === 'update' || result.action === 'unchanged') {
    section(`Changes to ${result.serviceName}`);
    const shown = result.changes;
    if (shown.length === 0) out.push('  none: the service already runs this plan');
    for (const change of shown) out.push(`  ${formatChange(change, s)}`);
    if (result.action === 'unchanged')
      out.push(
        s.dim('  Only the record changes: the deploy follows the running deployment and checks the URL.'),
      );
  }

  if (result.guards !== undefined) {
    section('Failure policy, expiry and cost');
    // Offline (no identity), prices aren't asked for (ecs/guards.ts): say so, not that they can't be read.
    const offline = result.skipped.some((item) => item.check === 'identity');
    const guards = guardRows(result.guards, s, offline);
    const guardWidth = Math.max(...guards.map(([label]) => label.length));
    for (const [label, value] of guards) out.push(`  ${s.dim(label.padEnd(guardWidth))}  ${value}`);
  }

  section('Traefik labels');
  for (const [key, value] of Object.entries(result.labels)) out.push(`  ${key}=${value}`);

  section('ECS tags');
  for (const { key, value } of result.tags) out.push(`  ${key}=${decodeTagValue(value)}`);

  // Tags are listed once, decoded, above; inside the inputs they would only repeat as base64 noise.
  section('ECS service (CreateService input; tags as above)');
  out.push(indent(JSON.stringify(withoutTags(result.service), undefined, 2)));

  section('Task definition (RegisterTaskDefinition input; tags as above)');
  out.push(indent(JSON.stringify(withoutTags(result.taskDefinition), undefined, 2)));

  checksAndProblems(result, s, out);
  return `${out.join('\n')}\n`;
}

/** The end of both plans: what couldn't be checked, what would fail, the warnings. */
function checksAndProblems(
  result: Pick<DryRunResult | LocalDryRunResult, 'skipped' | 'problems' | 'warnings'>,
  s: Stylist,
  out: string[],
): void {
  const section = (title: string) => out.push('', s.bold(title));
  if (result.skipped.length > 0) {
    section('Not checked');
    // Offline, every check is skipped for the same reason: say it once.
    const groups = new Map<string, { what: string[]; reason: string; fix: string | undefined }>();
    for (const item of result.skipped) {
      const key = `${item.reason}\0${item.fix ?? ''}`;
      const group = groups.get(key) ?? { what: [], reason: item.reason, fix: item.fix };
      group.what.push(item.what);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      out.push(`  ${s.dim('-')} ${group.what.join('; ')}`);
      out.push(`    ${s.dim('because')} ${group.reason}`);
      if (group.fix !== undefined) out.push(`    ${s.dim('→')} ${group.fix}`);
    }
  }
  if (result.problems.length > 0) {
    section('The deploy would fail');
    for (const item of result.problems) {
      out.push(`  ${s.red('✗')} ${item.message}`);
      for (const suggestion of item.suggestions) out.push(`    ${s.dim('→')} ${suggestion}`);
    }
  }
  if (result.warnings.length > 0) {
    section('Warnings');
    for (const warning of result.warnings) out.push(`  ${s.yellow('!')} ${warning}`);
  }
}

/**
 * `app deploy --dry-run` on an env of target `docker`: the same layout as the ECS plan, with what
 * `docker run` would get (container, network, image, labels, environment) in place of ECS's inputs.
 */
export function formatLocalDryRun(
  outside: LocalDryRunResult,
  presentation: Pick<Presentation, 'color'>,
): string {
  // Container names, image ids and labels of running containers come from the engine.
  const result = visibleData(outside);
  const s = stylist(presentation.color);
  const out: string[] = [];
  const section = (title: string) => out.push('', s.bold(title));

  out.push(
    `${s.bold(`Plan: ${result.app} at ${JSON.stringify(result.tag)} on env ${result.env} (local Docker)`)} ${s.dim('(dry run: nothing is changed)')}`,
  );
  const rows: [string, string][] = [
    ['URL', s.cyan(result.url)],
    [
      'Container',
      `${result.container} on network ${result.network} ${s.dim(`(${localActionText(result.action)})`)}`,
    ],
    ['Image', `${result.image.reference} ${s.dim(localImageText(result))}`],
    [
      'Runs',
      `${result.memory} MiB memory limit, port ${result.port}${result.stopTimeout === undefined ? '' : `, ${result.stopTimeout}s from SIGTERM to SIGKILL`}`,
    ],
    [
      'Traefik',
      `${result.traefik.container} ${s.dim(result.traefik.running === undefined ? '(not looked up)' : result.traefik.running ? '(running)' : '(not running)')}, routes ${result.serviceName}@docker`,
    ],
  ];
  if (result.replaces.length > 0)
    rows.push(['Replaces', `${result.replaces.join(', ')} ${s.dim('(removed once the new one is routed)')}`]);
  if (result.expiresAt !== undefined) rows.push(['Expires', result.expiresAt]);
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) out.push(`  ${s.dim(label.padEnd(width))}  ${value}`);

  if (result.action === 'update' || result.action === 'unchanged') {
    section(`Changes to ${result.serviceName}`);
    if (result.changes.length === 0)
      out.push(
        result.action === 'unchanged'
          ? '  none: the container already runs this plan'
          : '  none but the record: the deploy starts a new container all the same',
      );
    for (const change of result.changes) out.push(`  ${formatChange(change, s)}`);
    if (result.action === 'unchanged')
      out.push(s.dim('  The deploy keeps the running container and checks its route and URL.'));
  }

  section('Traefik labels');
  for (const [key, value] of Object.entries(result.labels)) out.push(`  ${key}=${value}`);
  section('State labels');
  for (const [key, value] of Object.entries(result.stateLabels)) out.push(`  ${key}=${value}`);
  section('Environment');
  for (const [key, value] of Object.entries(result.environment)) out.push(`  ${key}=${value}`);
  const { passed, missing } = result.secrets;
  if (passed.length + missing.length > 0) {
    section('Secrets');
    for (const name of passed) out.push(`  ${name} ${s.dim('(its value from the variable set here)')}`);
    for (const name of missing)
      out.push(`  ${name} ${s.yellow('not set here: the container starts without it')}`);
  }

  checksAndProblems(result, s, out);
  return `${out.join('\n')}\n`;
}

function localActionText(action: LocalDryRunResult['action']): string {
  switch (action) {
    case 'create':
      return 'new: would be created';
    case 'update':
      return 'would replace the running one';
    case 'unchanged':
      return 'already runs this plan';
    case 'unknown':
      return 'not looked up';
  }
}

function localImageText(result: LocalDryRunResult): string {
  if (result.image.id !== undefined) return `(${result.image.id} in the local engine)`;
  if (result.skipped.some((item) => item.check === 'image')) return '(not looked up)';
  return '(missing from the local engine)';
}

/** issue 18: what a failure does, when the deployment expires, the app's limit, what it costs a day. */
function guardRows(guards: PlanGuards, s: Stylist, offline: boolean): [string, string][] {
  const rows: [string, string][] = [
    [
      'On failure',
      `${guards.failurePolicy} ${s.dim(`(failureThreshold ${guards.failureThreshold}, --on-failure ${guards.onFailure})`)}`,
    ],
    [
      'Expiry',
      guards.expiresAt === undefined
        ? `never ${s.dim('(no ttl)')}`
        : `${guards.expiresAt}${guards.ttlSource === undefined ? '' : ` ${s.dim(`(${guards.ttlSource})`)}`}`,
    ],
  ];
  if (guards.maxDeployments !== undefined)
    rows.push(['Limit', `${guards.maxDeployments} deployments of this app per env (maxDeployments)`]);
  rows.push([
    'Cost',
    guards.costPerDayUsd === undefined
      ? `unknown ${s.dim(offline ? '(not looked up offline)' : "(Fargate prices can't be read from the AWS Price List)")}`
      : `${guards.costPerDay} ${s.dim('(Fargate on-demand, AWS Price List)')}`,
  ]);
  return rows;
}

function actionText(result: DryRunResult): string {
  switch (result.action) {
    case 'create':
      return 'new: would be created';
    case 'update':
      return 'exists: would be updated';
    case 'unchanged':
      return 'exists: already runs this plan';
    case 'unknown':
      return 'not looked up';
  }
}

function formatChange(change: Change, s: Stylist): string {
  switch (change.kind) {
    case 'added':
      return `${s.green('+')} ${change.field}: ${change.after ?? ''}`;
    case 'removed':
      return `${s.red('-')} ${change.field}: ${change.before ?? ''}`;
    case 'changed':
      return `${s.yellow('~')} ${change.field}: ${change.before ?? ''} ${s.dim('→')} ${change.after ?? ''}`;
  }
}

function withoutTags<T extends { tags?: unknown }>(input: T): Omit<T, 'tags'> {
  const { tags: _tags, ...rest } = input;
  return rest;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
