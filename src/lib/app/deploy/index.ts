import { anySignal, isAbortError, untilAborted } from '../../aws/abort.js';
import { openEnvironment, type Environment } from '../../env/open.js';
import { formatDuration, parseTimeout } from '../../duration.js';
import { silentSink, skipPhase } from '../../events.js';
import type { DeployResult, DeployStatus } from '../../model.js';
import { CONNECT_TO_VARIABLE, connectToFromEnvironment } from '../../traefik/connect-to.js';
import { DEFAULT_TIMEOUT_MS, type DeployAppOptions, type DeployRun } from './context.js';
import { sdkDeployAws } from './ecs/api.js';
import { apply } from './ecs/apply.js';
import { planCluster } from './ecs/plan.js';
import { decideAction, preflight, pushBuiltImage } from './ecs/preflight.js';
import { ownServers, stillOurs, waitForRollout } from './ecs/rollout.js';
import { stoppedError } from './interrupt.js';
import { afterDeployFailure, deployFailureContext, guardDeploymentLimit, guardTarget } from './ecs/guards.js';
import { onFailurePolicy } from './ecs/failure-policy.js';
import { PHASES, phaseRecorder } from './phases.js';
import { Poller } from './poll.js';
import { commandFor, planFromSpec, resolveDeploySpec } from './request.js';
import { parseProbeAddress } from './track-probe.js';
import { probeLiveUrl, waitForLiveRoute } from './wait-live.js';

export type { DeployResult, DeployStatus, PhaseRecord } from '../../model.js';
export {
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_ROUTE_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  type DeployAppOptions,
} from './context.js';

/**
 * `app deploy`: one state machine that emits typed events (DESIGN.md "Deploy: one event stream, three
 * renderers"): preflight -> task definition registered -> service created or updated (OUR deployment
 * id remembered) -> rollout -> route discovered -> URL answered -> live. Every phase is timed; the
 * whole run has a deadline. Bad input fails before any AWS call; a missing cluster or image fails
 * before anything is created. The steps on ECS are in ecs/; the route and URL waits are any target's.
 */
export async function deployApp(options: DeployAppOptions): Promise<DeployResult> {
  const environment =
    options.environment ??
    (await openEnvironment({ cwd: options.cwd, global: options.global, environment: options.env }));
  try {
    return await deployIn(environment, options);
  } finally {
    if (options.environment === undefined) await environment.close();
  }
}

async function deployIn(environment: Environment, options: DeployAppOptions): Promise<DeployResult> {
  const recorder = phaseRecorder(options.onEvent ?? silentSink);
  const spec = await resolveDeploySpec(environment.context, options);
  // What a failed first-time tag becomes: a bad --on-failure is a usage error before any call.
  const onFailure = onFailurePolicy(options.onFailure, spec.appConfig);
  // TRAEFIKCTL_CONNECT_TO sends the API's and the probe's connections to the env's entry point;
  // --probe-address wins for the probe. Both are checked before anything changes.
  connectToFromEnvironment(options.env ?? process.env);
  const probeAddress = options.probeAddress ?? (options.env ?? process.env)[CONNECT_TO_VARIABLE]?.trim();
  if (options.probeAddress !== undefined) parseProbeAddress(options.probeAddress);
  const timeoutMs =
    options.timeout === undefined ? (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) : parseTimeout(options.timeout);

  // The deadline aborts an AWS call in flight as Ctrl-C does: --timeout bounds the whole command.
  const expiry = new AbortController();
  const clients =
    options.aws === undefined
      ? environment.awsClients({ signal: anySignal(options.signal, expiry.signal) })
      : undefined;
  clients?.checkContext();
  const poller = new Poller({ ...options.poller, signal: options.signal });
  const run: DeployRun = {
    options: { ...options, timeoutMs },
    spec,
    aws: options.aws ?? sdkDeployAws(clients ?? environment.clients),
    clients,
    environment,
    poller,
    deadline: poller.now() + timeoutMs,
    emit: recorder.emit,
    recorder,
    startedAt: (options.now ?? (() => new Date()))(),
    progress: {},
    probeAddress: probeAddress || undefined,
  };
  const timer = setTimeout(
    () => expiry.abort(new Error(`--timeout ${formatDuration(timeoutMs)}`)),
    timeoutMs,
  );
  try {
    // Ctrl-C ends the command at once, even while something that can't be aborted runs.
    return await untilAborted(steps(run), options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw stoppedError(spec, run.progress, { interrupted: true });
    // The phases that wait say themselves that time ran out; an AWS call cut short by it can't.
    if (expiry.signal.aborted && isAbortError(error))
      throw stoppedError(spec, run.progress, { interrupted: false, timeoutText: formatDuration(timeoutMs) });
    // A failed rollout of a first-time tag is scaled to 0 (or kept, or removed): ecs/guards.ts.
    throw await afterDeployFailure(
      error,
      deployFailureContext({
        target: spec,
        cluster: run.progress.cluster ?? spec.context.cluster,
        commandFor: (verb) => commandFor(verb, spec),
        policy: onFailure,
        progress: run.progress,
        updateService: (input) => run.aws.updateService(input),
        clients: clients ?? environment.clients,
        onEvent: recorder.emit,
      }),
    );
  } finally {
    clearTimeout(timer);
    await clients?.destroy();
  }
}

/** The sequence. Ctrl-C before a step that changes AWS means that step never starts. */
async function steps(run: DeployRun): Promise<DeployResult> {
  const { spec, options, emit } = run;
  const checkpoint = () => options.signal?.throwIfAborted();
  checkpoint();
  const found = await preflight(run);
  run.progress.cluster = found.outputs.cluster;
  run.progress.ranBefore = (found.existing?.service.runningCount ?? 0) > 0;
  // A new tag must fit under the app's maxDeployments (refused, or --prune-oldest).
  if (found.existing === undefined)
    await guardDeploymentLimit({
      target: guardTarget(spec, found.outputs.cluster, (verb) => commandFor(verb, spec)),
      clients: run.clients ?? run.environment.clients,
      pruneOldest: options.pruneOldest ?? false,
      now: run.startedAt,
      onEvent: emit,
    });
  const image = options.build ? await pushBuiltImage(run) : found.image;
  if (image === undefined) throw new Error('deployApp: no image');
  checkpoint();

  const plan = planFromSpec(spec, {
    region: found.region,
    repository: image.repository,
    digest: image.digest,
    cluster: planCluster(found.outputs),
    deployedBy: found.deployedBy,
    now: run.startedAt,
  });
  for (const warning of plan.warnings) emit({ type: 'warning', message: warning });
  const decision = decideAction(found.existing, plan, spec, {
    force: options.force ?? false,
    now: run.startedAt,
  });
  const applied = await apply(run, plan, found.existing, decision.action);
  const result = (status: DeployStatus): DeployResult => ({
    app: spec.app,
    tag: spec.tag,
    env: spec.context.env,
    host: plan.host,
    url: plan.url,
    service: plan.serviceName,
    taskDefinitionArn: applied.taskDefinitionArn,
    deploymentId: applied.deploymentId,
    image: applied.image,
    action: applied.action,
    ...(plan.expiresAt === undefined ? {} : { expiresAt: plan.expiresAt }),
    status,
    phases: run.recorder.phases(),
  });
  if (options.wait === false) {
    for (const phase of [PHASES.rollout, PHASES.route, PHASES.probe]) skipPhase(emit, phase, '--no-wait');
    return result('applied');
  }

  const deployment = { run, plan, outputs: found.outputs, applied };
  await waitForRollout(deployment);
  const live = {
    router: `${plan.serviceName}@ecs`,
    name: plan.serviceName,
    host: plan.host,
    url: plan.url,
    stackApi: found.outputs,
    check: stillOurs(deployment),
    ownServers: ownServers(deployment),
  };
  await waitForLiveRoute(run, live);
  return result((await probeLiveUrl(run, live)) ? 'live' : 'rolled-out');
}
