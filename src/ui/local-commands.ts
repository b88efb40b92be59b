import type { Presentation } from './mode.js';
import type { EventSink } from '../lib/events.js';
import type { LocalEnvironment } from '../lib/env/local.js';
import type { LocalClusterDownResult, LocalClusterResult, LocalClusterStatus } from '../lib/local/cluster.js';
import type { PushImageResult } from '../lib/image/push.js';
import type { AppUrlsResult } from '../lib/app/urls.js';
import type { DestroyedDeployment } from '../lib/app/destroy.js';
import type { PruneCriteria, PruneResult } from '../lib/app/prune.js';
import type { LogsResult } from '../lib/app/logs.js';
import type { LocalDryRunOptions, LocalDryRunResult } from '../lib/local/dry-run.js';
import { ExitCode } from '../lib/errors.js';
import type { CommandIO } from './io.js';

/**
 * The commands of an env of target `docker`: each command opens its env (`openEnvironment`) and, for a
 * local env, hands its flags to the function here, which calls src/lib/local and presents the result
 * the way the ECS branch of the same command does (same renderers, same `--json` shapes where the
 * results share one). Kept out of src/commands so that each command only gains one branch. `app deploy`
 * is not here: it shows a local deploy exactly as an ECS one (progress, CI observer, the URL), so the
 * command calls `deployLocal` itself.
 */

/** What a command offers its presentation (BaseCommand's protected helpers). */
export interface CommandIo {
  presentation: Presentation;
  progress(title?: string): Promise<EventSink>;
  endProgress(): Promise<void>;
  note(message: string): void;
  result(text: string): void;
  interruptSignal(): AbortSignal;
  setExitCode(code: ExitCode): void;
  confirm(question: string, options: { yes: boolean }): Promise<boolean>;
  io: CommandIO;
}

/** A BaseCommand seen through its helpers; they are protected only to keep them out of subclasses' API. */
export function io(command: object): CommandIo {
  return command as CommandIo;
}

function lines(rows: readonly (readonly [string, string | undefined])[]): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key.padEnd(width)}  ${value ?? ''}`)
    .join('\n');
}

export async function clusterUp(command: object, local: LocalEnvironment): Promise<LocalClusterResult> {
  const cli = io(command);
  const { localClusterUp } = await import('../lib/local/cluster.js');
  const result = await localClusterUp({
    local,
    onEvent: await cli.progress(`Bring up the local cluster of ${local.env}`),
    signal: cli.interruptSignal(),
  });
  await cli.endProgress();
  if (cli.presentation.mode !== 'json') {
    cli.result(
      [
        `Traefik ${result.traefikVersion ?? ''} of ${result.env} is up (${result.action}) on ${result.entryPointUrl}`,
        lines([
          ['network', result.network],
          ['container', `${result.container} (${result.image})`],
          ['urls', result.urlPattern],
          ['api', `${result.apiUrl} (user ${result.apiUsername}, password in ${result.passwordFile})`],
        ]),
      ].join('\n'),
    );
  }
  return result;
}

export async function clusterStatus(command: object, local: LocalEnvironment): Promise<LocalClusterStatus> {
  const cli = io(command);
  const { localClusterStatus } = await import('../lib/local/cluster.js');
  const status = await localClusterStatus(local);
  if (cli.presentation.mode !== 'json') {
    cli.result(
      lines([
        ['env', `${status.env} (local Docker)`],
        ['network', `${status.network.name}${status.network.exists ? '' : ' (missing)'}`],
        [
          'traefik',
          `${status.traefik.container}: ${status.traefik.state}${status.traefik.image ? ` (${status.traefik.image})` : ''}`,
        ],
        ['entry point', status.entryPointUrl],
        [
          'api',
          `${status.apiUrl}: ${status.api.ok ? `Traefik ${status.api.version ?? ''}` : (status.api.message ?? 'unavailable')}`,
        ],
        ['deployments', String(status.deployments)],
      ]),
    );
  }
  if (status.traefik.state === 'missing') cli.setExitCode(ExitCode.Failure);
  return status;
}

export async function clusterDown(
  command: object,
  local: LocalEnvironment,
  flags: { yes: boolean; force: boolean },
): Promise<LocalClusterDownResult | undefined> {
  const cli = io(command);
  const { localClusterDown } = await import('../lib/local/cluster.js');
  const question = `Remove the local cluster of ${local.env} (${local.traefikContainer}, network ${local.network})?`;
  if (!(await cli.confirm(question, { yes: flags.yes }))) {
    cli.note('Nothing was removed.');
    return undefined;
  }
  const result = await localClusterDown({
    local,
    force: flags.force,
    onEvent: await cli.progress(`Remove the local cluster of ${local.env}`),
  });
  await cli.endProgress();
  if (cli.presentation.mode !== 'json') {
    const removed = [
      result.removed.traefik ? local.traefikContainer : undefined,
      result.removed.network ? `network ${local.network}` : undefined,
      ...result.removed.deployments,
    ].filter(Boolean);
    cli.result(
      removed.length === 0 ? `Nothing of ${local.env} was left to remove.` : `Removed ${removed.join(', ')}.`,
    );
  }
  return result;
}

export async function imagePush(
  command: object,
  local: LocalEnvironment,
  options: { app: string | undefined; tags: string[]; platform: string | undefined; noBuild: boolean },
): Promise<PushImageResult> {
  const cli = io(command);
  const [{ resolveApp }, { buildLocalImage }] = await Promise.all([
    import('../lib/config/resolve.js'),
    import('../lib/local/image.js'),
  ]);
  const { name, app } = await resolveApp(local.context, options.app, process.cwd());
  const result = await buildLocalImage({
    app: name,
    appConfig: app,
    configDir: local.context.configDir,
    tags: options.tags,
    platform: options.platform,
    noBuild: options.noBuild,
    onEvent: await cli.progress(`Build ${name} into the local engine`),
  });
  await cli.endProgress();
  if (cli.presentation.mode !== 'json') cli.result(result.imageUri);
  return result;
}

/** `app deploy --dry-run`: the plan on stdout either way; exit 1 when the deploy would fail. */
export async function appDeployDryRun(
  command: object,
  request: LocalDryRunOptions,
): Promise<LocalDryRunResult> {
  const cli = io(command);
  const { dryRunLocalDeploy } = await import('../lib/local/dry-run.js');
  const plan = await dryRunLocalDeploy(request);
  if (cli.presentation.mode !== 'json') {
    const { formatLocalDryRun } = await import('./deploy-plan.js');
    cli.result(formatLocalDryRun(plan, { color: cli.presentation.color && cli.presentation.stdoutIsTty }));
  }
  if (plan.problems.length > 0) cli.setExitCode(ExitCode.Failure);
  return plan;
}

export async function appUrls(
  command: object,
  local: LocalEnvironment,
  options: { app: string | undefined; check: boolean },
): Promise<AppUrlsResult> {
  const cli = io(command);
  const { localUrls } = await import('../lib/local/list.js');
  const result = await localUrls(local, { app: options.app, check: options.check });
  if (cli.presentation.mode !== 'json') {
    const [{ renderUrlsTable, urlsNotes }, { stylist }] = await Promise.all([
      import('./app-urls.js'),
      import('./style.js'),
    ]);
    cli.io.stdout.write(renderUrlsTable(result, cli.presentation));
    for (const note of urlsNotes(result, stylist(cli.presentation.color))) cli.note(note);
  }
  if (result.deployments.some((row) => row.check !== undefined && !row.check.ok))
    cli.setExitCode(ExitCode.ProbeFailed);
  return result;
}

export async function appDestroy(
  command: object,
  local: LocalEnvironment,
  options: { app: string; tag: string; yes: boolean },
): Promise<DestroyedDeployment | undefined> {
  const cli = io(command);
  const [{ planLocalDestroy, destroyLocalDeployments }, ui] = await Promise.all([
    import('../lib/local/destroy.js'),
    import('./app-remove.js'),
  ]);
  const target = await planLocalDestroy(local, options);
  cli.note(ui.describeRemoval([target], { color: cli.presentation.color }).trimEnd());
  const retry = `traefikctl app destroy ${options.app} --tag ${JSON.stringify(options.tag)} --env ${local.env}`;
  if (!(await ui.confirmRemoval({ presentation: cli.presentation, yes: options.yes, count: 1, retry }))) {
    cli.note('Nothing was removed.');
    return undefined;
  }
  const [result] = await destroyLocalDeployments([target], {
    onEvent: await cli.progress(`Destroy ${options.app} ${options.tag}`),
  });
  await cli.endProgress();
  if (result !== undefined && cli.presentation.mode !== 'json')
    cli.io.stdout.write(ui.renderRemovalTable([result], cli.presentation));
  return result;
}

export async function appPrune(
  command: object,
  local: LocalEnvironment,
  options: { app: string | undefined; criteria: PruneCriteria; dryRun: boolean; yes: boolean; retry: string },
): Promise<PruneResult> {
  const cli = io(command);
  const [{ planLocalPrune }, { destroyLocalDeployments }, { pruneResult }, ui] = await Promise.all([
    import('../lib/local/prune.js'),
    import('../lib/local/destroy.js'),
    import('../lib/app/prune.js'),
    import('./app-remove.js'),
  ]);
  const plan = await planLocalPrune(local, { app: options.app, criteria: options.criteria });
  if (plan.targets.length === 0) {
    cli.note(
      `Nothing to prune in env ${local.env} (${plan.kept} deployment${plan.kept === 1 ? '' : 's'} kept).`,
    );
    return pruneResult(plan, { dryRun: options.dryRun });
  }
  cli.note(ui.describeRemoval(plan.targets, { color: cli.presentation.color }).trimEnd());
  const go =
    !options.dryRun &&
    (await ui.confirmRemoval({
      presentation: cli.presentation,
      yes: options.yes,
      count: plan.targets.length,
      retry: options.retry,
      listOnly: `${options.retry} --dry-run`,
    }));
  const removed = go
    ? await destroyLocalDeployments(plan.targets, { onEvent: await cli.progress(`Prune ${local.env}`) })
    : undefined;
  await cli.endProgress();
  const result = pruneResult(plan, { dryRun: options.dryRun, removed });
  if (!go && !options.dryRun) cli.note('Nothing was removed.');
  else if (cli.presentation.mode !== 'json')
    cli.io.stdout.write(ui.renderRemovalTable(result.deployments, cli.presentation));
  return result;
}

export async function appLogs(
  command: object,
  local: LocalEnvironment,
  options: { app: string; tag: string; since: string; follow: boolean },
): Promise<LogsResult | undefined> {
  const cli = io(command);
  const [{ localLogs }, { formatLogLine }] = await Promise.all([
    import('../lib/local/logs.js'),
    import('./app-logs.js'),
  ]);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  cli.io.stdout.once('error', onSignal);
  try {
    const json = cli.presentation.mode === 'json';
    return await localLogs(local, {
      ...options,
      signal: stop.signal,
      ...(json ? {} : { onLine: (line) => cli.io.stdout.write(formatLogLine(line, cli.presentation)) }),
    });
  } finally {
    process.off('SIGINT', onSignal);
    cli.io.stdout.off('error', onSignal);
  }
}
