import type { Deployment, Service, Tag, Task } from '@aws-sdk/client-ecs';

import { anySignal, isAbortError, untilAborted } from '../aws/abort.js';
import { AwsClients } from '../aws/clients.js';
import type { ClusterOutputs } from '../cluster/outputs.js';
import { parseTimeout } from '../duration.js';
import { ExitCode, UserError } from '../errors.js';
import { silentSink, skipPhase, withPhase, type EventSink, type PhaseStatus } from '../events.js';
import type { PushImageOptions, PushImageResult } from '../image/push.js';
import { sdkDeployAws, type DeployAws } from './deploy-aws.js';
import {
  commandFor,
  decideAction,
  imageMissingError,
  inspectService,
  ownershipConflict,
  planFor,
  repositoryReference,
  resolveDeployTarget,
  type DeployRequest,
  type DeployTarget,
  type ExistingService,
} from './deploy-prepare.js';
import { createServiceInput, planCluster, updateServiceInput, type DeploymentPlan } from './plan.js';
import { TAG_KEYS, type ResourceTag } from './plan-tags.js';
import { Poller, type PollerOptions } from './poll.js';
import { CONNECT_TO_VARIABLE, connectToFromEnvironment, type ConnectAddress } from '../traefik/connect-to.js';
import { parseProbeAddress, probeUrl } from './track-probe.js';
import { waitForRoute, type RouteApi } from './track-route.js';
import { fatalStop, stoppedDuring } from './stop-verdict.js';
import {
  afterDeployFailure,
  deployFailureContext,
  guardDeploymentLimit,
  guardTarget,
} from './deploy-guards.js';
import { onFailurePolicy } from './failure-policy.js';
import {
  newStoppedTasks,
  RolloutError,
  serviceChange,
  stoppedTaskReport,
  trackRollout,
  type OurDeployment,
} from './track-rollout.js';

/**
 * `app deploy`: one state machine that emits typed events (DESIGN.md "Deploy: one event stream, three
 * renderers"): preflight -> task definition registered -> service created or updated (OUR deployment
 * id remembered) -> rollout -> route discovered -> URL answered -> live. Every phase is timed; the
 * whole run has a deadline. Bad input fails before any AWS call; a missing cluster or image fails
 * before anything is created.
 */

export interface DeployAppOptions extends DeployRequest {
  /** Build and push the image first (`image push`), and deploy what was pushed. */
  build?: boolean;
  /** Replace a deployment in progress; redeploy (new tasks) even when nothing changed. */
  force?: boolean;
  /** False: return once ECS accepted the change (`--no-wait`). */
  wait?: boolean;
  /**
   * The whole deploy, from the first call to live (`--timeout`, default 10 minutes): every AWS call,
   * the rollout, the route and the URL probe's requests included.
   */
  timeoutMs?: number;
  /** The same as text (`90s`, `10m`), as the flag gives it; wins over `timeoutMs`. */
  timeout?: string | undefined;
  /** How long Traefik may take to show the route once the tasks run. */
  routeTimeoutMs?: number;
  /** How long the URL may take to answer once routed. */
  probeTimeoutMs?: number;
  skipRouteCheck?: boolean;
  skipProbe?: boolean;
  /** `host[:port]` to send the URL probe to, with the deployment's Host header. */
  probeAddress?: string | undefined;
  /** Ctrl-C: stop watching (the deployment goes on in ECS) and say how to resume or roll back. */
  signal?: AbortSignal | undefined;
  onEvent?: EventSink | undefined;
  /** Where TRAEFIKCTL_TRAEFIK_PASSWORD is read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** For tests: the AWS calls; defaults to SDK clients for the env's region and profile. */
  aws?: DeployAws;
  /** For tests: Traefik's API; defaults to a client for the configured API URL. */
  routeApi?: RouteApi;
  poller?: Omit<PollerOptions, 'signal'>;
  now?: () => Date;
  /** For tests: the image push that `build` runs. */
  pushImage?: (options: PushImageOptions) => Promise<PushImageResult>;
  /** issue 18: what a failed first-time tag becomes (`--on-failure`); the app's `onFailure` else. */
  onFailure?: string | undefined;
  /** issue 18: at the app's `maxDeployments`, remove the oldest (expired, idle first) instead of refusing. */
  pruneOldest?: boolean | undefined;
}

/** `live`: the URL answered; `rolled-out`: ECS finished, the URL was not probed; `applied`: --no-wait. */
export type DeployStatus = 'live' | 'rolled-out' | 'applied';

export interface PhaseRecord {
  id: string;
  title: string;
  status: PhaseStatus;
  elapsedMs?: number;
  detail?: string;
}

/** What `app deploy --json` prints. */
export interface DeployResult {
  app: string;
  tag: string;
  env: string;
  host: string;
  url: string;
  service: string;
  taskDefinitionArn: string;
  deploymentId: string | undefined;
  /** The digest-pinned image reference the tasks run. */
  image: string;
  status: DeployStatus;
  /**
   * What happened to the service: created, updated, or left running as it was (already this plan;
   * only its `deployed-at`/`expires-at` tags were renewed).
   */
  action: 'created' | 'updated' | 'unchanged';
  /** When `app prune --expired` may remove the deployment (ISO 8601); absent without a ttl. */
  expiresAt?: string;
  phases: PhaseRecord[];
}

export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_ROUTE_TIMEOUT_MS = 3 * 60_000;
export const DEFAULT_PROBE_TIMEOUT_MS = 2 * 60_000;

const PHASES = {
  preflight: { id: 'preflight', title: 'Check cluster, image and service' },
  taskDefinition: { id: 'task-definition', title: 'Register task definition' },
  service: { id: 'service', title: 'Update service' },
  rollout: { id: 'rollout', title: 'Roll out' },
  route: { id: 'route', title: 'Route in Traefik' },
  probe: { id: 'probe', title: 'Probe URL' },
} as const;

/** Records each phase's last state (for the result's `phases`) while passing every event on. */
function phaseRecorder(sink: EventSink) {
  const phases = new Map<string, PhaseRecord>();
  const emit: EventSink = (event) => {
    if (event.type === 'phase') {
      phases.set(event.id, {
        id: event.id,
        title: event.title,
        status: event.status,
        ...(event.elapsedMs === undefined ? {} : { elapsedMs: event.elapsedMs }),
        ...(event.detail === undefined ? {} : { detail: event.detail }),
      });
    }
    sink(event);
  };
  return { emit, phases: () => [...phases.values()] };
}

export function durationText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** What has been changed so far, for the Ctrl-C message. */
interface Progress {
  taskDefinitionArn?: string;
  applied?: 'created' | 'updated' | 'unchanged';
  /** An unchanged deployment's tags are being rewritten (some may be by now). */
  renewing?: boolean;
  deploymentId?: string | undefined;
  previousTaskDefinition?: string | undefined;
  cluster?: string;
  /** issue 18: the service ran tasks before this deploy (a failure is then ECS's to roll back). */
  ranBefore?: boolean;
  /**
   * The change whose request is out and whose answer hasn't come: when the deploy stops now, AWS may
   * or may not have carried it out.
   */
  sending?: 'register' | 'create' | 'update';
}

/** How a deploy stopped before its end: Ctrl-C, or its --timeout while a step other than a wait ran. */
type Stop = { interrupted: true } | { interrupted: false; timeoutText: string };

/** A change that may or may not have happened, and how to find out. */
function changeInFlight(
  target: DeployTarget,
  progress: Progress,
): { what: string; outcome: string; suggestions: string[] } | undefined {
  const name = target.names.serviceName;
  const check = `See what is there: \`aws ecs describe-services --cluster ${progress.cluster ?? target.context.cluster} --services ${name}\`.`;
  const again = `Deploy again to finish (it picks up what is there): \`${commandFor('app deploy', target)}\`.`;
  switch (progress.sending) {
    case undefined:
      return undefined;
    case 'register':
      return {
        what: `registering a task definition for ${name}`,
        outcome: 'a new revision may exist now; the service was not changed.',
        suggestions: [`Deploy again with \`${commandFor('app deploy', target)}\`.`],
      };
    case 'create':
      return {
        what: `ECS was creating the service ${name}`,
        outcome: 'the request was sent, so the service may exist now.',
        suggestions: [check, again, `Or remove it: \`${commandFor('app destroy', target)}\`.`],
      };
    case 'update':
      return {
        what: `ECS was updating the service ${name}${progress.taskDefinitionArn ? ` to ${progress.taskDefinitionArn.split('/').pop() ?? ''}` : ''}`,
        outcome: 'the request was sent, so the update may have happened.',
        suggestions: [
          check,
          again,
          ...(progress.previousTaskDefinition === undefined || progress.cluster === undefined
            ? []
            : [
                `Or roll back: \`aws ecs update-service --cluster ${progress.cluster} --service ${name} --task-definition ${progress.previousTaskDefinition}\`.`,
              ]),
        ],
      };
  }
}

function stoppedError(target: DeployTarget, progress: Progress, stop: Stop): UserError {
  const name = target.names.serviceName;
  const stopped = stop.interrupted ? 'Stopped' : `Gave up after the --timeout of ${stop.timeoutText}`;
  const suggestions: string[] = [];
  let message: string;
  const inFlight = changeInFlight(target, progress);
  if (inFlight !== undefined) {
    message = `${stopped} while ${inFlight.what}: ${inFlight.outcome}`;
    suggestions.push(...inFlight.suggestions);
  } else if (progress.applied === undefined) {
    message = progress.renewing
      ? `${stopped} while renewing the tags of ${name} (deployed-at, expires-at): some may be renewed, nothing else was changed.`
      : progress.taskDefinitionArn
        ? `${stopped} after registering ${progress.taskDefinitionArn.split('/').pop() ?? 'the task definition'}; the service ${name} was not changed.`
        : `${stopped} before changing anything.`;
    suggestions.push(`Deploy again with \`${commandFor('app deploy', target)}\`.`);
  } else {
    const watching = stop.interrupted
      ? `Stopped watching ${name}`
      : `Gave up watching ${name} after the --timeout of ${stop.timeoutText}`;
    message = `${watching}: ${progress.deploymentId ? `the deployment ${progress.deploymentId}` : 'the deployment'} goes on in ECS.`;
    suggestions.push(
      `Watch it again (it picks up the same deployment): \`${commandFor('app deploy', target)}\`.`,
    );
    if (progress.applied === 'created') {
      suggestions.push(`Or remove it: \`${commandFor('app destroy', target)}\`.`);
    } else if (progress.previousTaskDefinition !== undefined && progress.cluster !== undefined) {
      suggestions.push(
        `Or roll back: \`aws ecs update-service --cluster ${progress.cluster} --service ${name} --task-definition ${progress.previousTaskDefinition}\`.`,
      );
    }
  }
  if (!stop.interrupted) suggestions.push('Or give it longer next time: --timeout 20m.');
  return stop.interrupted
    ? new UserError(message, { suggestions, exitCode: ExitCode.Interrupted, code: 'INTERRUPTED' })
    : new UserError(message, { suggestions, exitCode: ExitCode.TimedOut, code: 'DEPLOY_TIMED_OUT' });
}

/** The deployment our call started: the primary one running our revision, else the primary one. */
function ourDeployment(service: Service, taskDefinitionArn: string): Deployment | undefined {
  const deployments = service.deployments ?? [];
  const primary = deployments.filter((deployment) => deployment.status === 'PRIMARY');
  // moto never changes a service's deployments on update (shared/notes/moto.md §1.3): its only
  // PRIMARY keeps the old revision, and that is the deployment to follow there.
  return primary.find((deployment) => deployment.taskDefinition === taskDefinitionArn) ?? primary[0];
}

async function traefikApi(
  options: DeployAppOptions,
  aws: DeployAws,
  target: DeployTarget,
  outputs: ClusterOutputs,
  connectTo: ConnectAddress | undefined,
): Promise<RouteApi | undefined> {
  if (options.routeApi !== undefined) return options.routeApi;
  const apiUrl = target.context.traefik.apiUrl ?? outputs.apiUrl;
  if (apiUrl === undefined) return undefined;
  const env = options.env ?? process.env;
  const parameter =
    target.context.traefik.passwordParameter ??
    outputs.passwordParameter ??
    `/traefikctl/${target.context.env}/traefik-api-password`;
  const password = env.TRAEFIKCTL_TRAEFIK_PASSWORD ?? (await aws.secureParameter(parameter));
  const { TraefikClient } = await import('../traefik/client.js');
  return new TraefikClient({
    apiUrl,
    username: outputs.apiUsername ?? target.context.traefik.username,
    password,
    credentialHints: [
      `The password comes from TRAEFIKCTL_TRAEFIK_PASSWORD, else the SSM parameter ${parameter}.`,
    ],
    connectTo,
    signal: options.signal,
  });
}

export async function deployApp(options: DeployAppOptions): Promise<DeployResult> {
  const recorder = phaseRecorder(options.onEvent ?? silentSink);
  const emit = recorder.emit;
  const now = options.now ?? (() => new Date());
  const target = await resolveDeployTarget(options);
  const onFailure = onFailurePolicy(options.onFailure, target.appConfig); // issue 18: exit 2 before any call
  // TRAEFIKCTL_CONNECT_TO sends the API's and the probe's connections to the env's entry point;
  // --probe-address wins for the probe. Both are checked before anything changes.
  const connectTo = connectToFromEnvironment(options.env ?? process.env);
  const probeAddress = options.probeAddress ?? (options.env ?? process.env)[CONNECT_TO_VARIABLE]?.trim();
  if (options.probeAddress !== undefined) parseProbeAddress(options.probeAddress);
  const timeoutMs =
    options.timeout === undefined ? (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) : parseTimeout(options.timeout);

  // The deadline aborts an AWS call in flight as Ctrl-C does: --timeout bounds the whole command.
  const expiry = new AbortController();
  const clients =
    options.aws === undefined
      ? new AwsClients({
          region: target.context.region,
          profile: target.context.profile,
          signal: anySignal(options.signal, expiry.signal),
        })
      : undefined;
  clients?.checkContext();
  const aws = options.aws ?? sdkDeployAws(clients ?? new AwsClients());
  const poller = new Poller({ ...options.poller, signal: options.signal });
  const deadline = poller.now() + timeoutMs;
  const progress: Progress = {};
  const timer = setTimeout(() => expiry.abort(new Error(`--timeout ${durationText(timeoutMs)}`)), timeoutMs);
  try {
    const running = run({
      options: { ...options, timeoutMs },
      target,
      aws,
      clients,
      poller,
      deadline,
      emit,
      now,
      progress,
      recorder,
      connectTo,
      probeAddress: probeAddress || undefined,
    });
    // Ctrl-C ends the command at once, even while something that can't be aborted runs.
    return await untilAborted(running, options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw stoppedError(target, progress, { interrupted: true });
    // The phases that wait say themselves that time ran out; an AWS call cut short by it can't.
    if (expiry.signal.aborted && isAbortError(error))
      throw stoppedError(target, progress, { interrupted: false, timeoutText: durationText(timeoutMs) });
    // issue 18: a failed rollout of a first-time tag is scaled to 0 (or kept, or removed).
    throw await afterDeployFailure(
      error,
      deployFailureContext({
        target,
        cluster: progress.cluster ?? target.context.cluster,
        commandFor: (verb) => commandFor(verb, target),
        policy: onFailure,
        progress,
        updateService: (input) => aws.updateService(input),
        clients: clients ?? new AwsClients(),
        onEvent: emit,
      }),
    );
  } finally {
    clearTimeout(timer);
    await clients?.destroy();
  }
}

interface RunContext {
  options: DeployAppOptions;
  target: DeployTarget;
  aws: DeployAws;
  clients: AwsClients | undefined;
  poller: Poller;
  deadline: number;
  emit: EventSink;
  now: () => Date;
  progress: Progress;
  recorder: ReturnType<typeof phaseRecorder>;
  /** Where the API's connections go (TRAEFIKCTL_CONNECT_TO). */
  connectTo: ConnectAddress | undefined;
  /** Where the probe connects: --probe-address, else TRAEFIKCTL_CONNECT_TO. */
  probeAddress: string | undefined;
}

async function run(ctx: RunContext): Promise<DeployResult> {
  const { options, target, aws, poller, deadline, emit, progress, connectTo, probeAddress } = ctx;
  const { names } = target;
  const env = target.context.env;
  const startedAt = ctx.now();

  // Ctrl-C before a step that changes AWS means that step never starts.
  const checkpoint = () => options.signal?.throwIfAborted();
  checkpoint();

  // Preflight: reads only. Nothing is created unless all of it passes.
  const preflight = await withPhase(emit, PHASES.preflight, async (setDetail) => {
    const region = await aws.region();
    if (region === undefined) {
      throw new UserError("Can't deploy: no AWS region is set.", {
        suggestions: ['Pass --region, set AWS_REGION, or set `region` in the configuration.'],
        code: 'AWS_NO_REGION',
      });
    }
    const [deployedBy, outputs] = await Promise.all([aws.callerArn(), aws.clusterOutputs(env)]);
    let image: { repository: string; digest: string } | undefined;
    if (!options.build) {
      const repository = await repositoryReference(aws, target);
      const digest =
        repository === undefined ? undefined : await aws.imageDigest(target.repository, names.dockerTag);
      if (repository === undefined || digest === undefined)
        throw imageMissingError(target, repository !== undefined);
      image = { repository, digest };
    }
    const existing = await inspectService(aws, outputs.cluster, names.serviceName);
    if (existing !== undefined) {
      const conflict = ownershipConflict(existing, target);
      if (conflict !== undefined) throw conflict;
    }
    setDetail(
      `cluster ${outputs.cluster}, ${image ? `image ${image.digest.slice(0, 19)}…, ` : ''}service ${existing ? 'exists' : 'is new'}`,
    );
    return { region, deployedBy, outputs, image, existing };
  });
  const { outputs, existing } = preflight;
  progress.cluster = outputs.cluster;
  progress.ranBefore = (existing?.service.runningCount ?? 0) > 0;
  // issue 18: a new tag must fit under the app's maxDeployments (refused, or --prune-oldest).
  if (existing === undefined)
    await guardDeploymentLimit({
      target: guardTarget(target, outputs.cluster, (verb) => commandFor(verb, target)),
      clients: ctx.clients ?? new AwsClients(),
      pruneOldest: options.pruneOldest ?? false,
      now: startedAt,
      onEvent: emit,
    });

  let image = preflight.image;
  if (options.build) {
    const push = ctx.options.pushImage ?? (await import('../image/push.js')).pushImage;
    if (ctx.clients === undefined && ctx.options.pushImage === undefined)
      throw new Error('deployApp: --build needs AWS clients or a pushImage');
    const pushed = await push({
      app: target.app,
      appConfig: target.appConfig,
      configDir: target.context.configDir,
      tags: [target.tag],
      registryOverride: target.context.registry,
      clients: ctx.clients ?? new AwsClients(),
      onEvent: emit,
    });
    image = { repository: `${pushed.registry}/${pushed.repository}`, digest: pushed.digest };
  }
  if (image === undefined) throw new Error('deployApp: no image');
  checkpoint();

  const plan = planFor(target, {
    region: preflight.region,
    repository: image.repository,
    digest: image.digest,
    cluster: planCluster(outputs),
    deployedBy: preflight.deployedBy,
    now: startedAt,
  });
  for (const warning of plan.warnings) emit({ type: 'warning', message: warning });
  const decision = decideAction(existing, plan, target, { force: options.force ?? false, now: startedAt });

  const applied = await apply(ctx, plan, existing, decision.action);
  const base = {
    app: target.app,
    tag: target.tag,
    env,
    host: plan.host,
    url: plan.url,
    service: plan.serviceName,
    taskDefinitionArn: applied.taskDefinitionArn,
    deploymentId: applied.deploymentId,
    image: applied.image,
    action: applied.action,
    ...(plan.expiresAt === undefined ? {} : { expiresAt: plan.expiresAt }),
  };
  const result = (status: DeployStatus): DeployResult => ({ ...base, status, phases: ctx.recorder.phases() });

  if (options.wait === false) {
    for (const phase of [PHASES.rollout, PHASES.route, PHASES.probe]) skipPhase(emit, phase, '--no-wait');
    return result('applied');
  }

  const deployAgain = commandFor('app deploy', target);
  // The awslogs stream of a task's container: <stream prefix = service>/<container>/<task id>.
  const taskLogLines = (task: Task, container: string) =>
    aws.lastLogLines(
      outputs.logGroup,
      `${plan.serviceName}/${container}/${task.taskArn?.split('/').pop() ?? ''}`,
      5,
    );
  if (applied.deploymentId === undefined) {
    skipPhase(emit, PHASES.rollout, 'ECS reported no deployment to follow');
  } else {
    const deploymentId = applied.deploymentId;
    await withPhase(
      emit,
      {
        ...PHASES.rollout,
        title: `Roll out ${plan.service.desiredCount ?? 1} task${plan.service.desiredCount === 1 ? '' : 's'}`,
      },
      (setDetail) =>
        trackRollout({
          ecs: aws,
          cluster: outputs.cluster,
          service: plan.serviceName,
          deploymentId,
          taskDefinition: applied.taskDefinitionArn,
          created: applied.action === 'created',
          previousTaskDefinition: applied.action === 'updated' ? progress.previousTaskDefinition : undefined,
          poller,
          deadline,
          since: startedAt,
          onEvent: emit,
          setDetail,
          logLines: taskLogLines,
          hints: { logs: commandFor('app logs', target), retry: deployAgain },
          verdict: fatalStop, // issue 18: fail on the first fatal stop, not the circuit breaker's
        }),
    );
  }

  const phaseDeadline = (ms: number) => {
    const own = poller.now() + ms;
    return own < deadline
      ? { deadline: own, overall: false, text: durationText(ms) }
      : {
          deadline,
          overall: true,
          text: `the --timeout of ${durationText(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)}`,
        };
  };

  // While the route and the URL are waited for, each look first checks that the service is still
  // ours: `app destroy` of the tag, or another deploy of it, must not be reported as our success.
  const ours: OurDeployment = {
    cluster: outputs.cluster,
    service: plan.serviceName,
    deploymentId: applied.deploymentId,
    taskDefinition: applied.taskDefinitionArn,
    retry: deployAgain,
  };
  const stillOurs = async () => {
    const answer = await aws
      .describeServices({ cluster: outputs.cluster, services: [plan.serviceName] })
      .catch((error: unknown) => {
        if (isAbortError(error) || options.signal?.aborted) throw error;
        return undefined; // can't tell now: the next look will
      });
    if (answer === undefined) return;
    const change = serviceChange(
      answer.services?.find((service) => service.serviceName === plan.serviceName),
      ours,
    );
    if (change !== undefined) throw change;
    await noFatalStop();
  };

  // A rollout can read COMPLETED while its task then crashes (ECS restarts it, again and again):
  // a task of ours that stops for a reason no retry fixes ends the wait at once, with its exit code
  // and last log lines, instead of after the route's timeout. One ListTasks per look.
  const seenStopped = new Set<string>();
  let routed = false; // issue 18: an exit after Traefik routed the deployment is not a verdict
  const noFatalStop = async () => {
    if (applied.deploymentId === undefined) return;
    const ours = stoppedDuring({ taskDefinition: applied.taskDefinitionArn, since: startedAt }); // issue 18
    const stopped = await newStoppedTasks(
      aws,
      outputs.cluster,
      applied.deploymentId,
      seenStopped,
      ours,
    ).catch((error: unknown) => {
      if (isAbortError(error) || options.signal?.aborted) throw error;
      return []; // can't tell now: the next look will
    });
    for (const task of stopped) {
      const verdict = fatalStop(task, { routed });
      if (verdict === undefined) continue;
      const report = await stoppedTaskReport(task, taskLogLines);
      throw new RolloutError(
        `Task ${report.taskId} of ${plan.serviceName} stopped: ${report.summary} (${verdict}).`,
        'failed',
        [
          ...report.logLines.map((line) => `log: ${line}`),
          `See the app's logs: \`${commandFor('app logs', target)}\`.`,
          `Fix the app or its configuration, then deploy again: \`${deployAgain}\`.`,
        ],
      );
    }
  };

  const api = options.skipRouteCheck ? undefined : await traefikApi(options, aws, target, outputs, connectTo);
  if (options.skipRouteCheck) skipPhase(emit, PHASES.route, '--skip-route-check');
  else if (api === undefined) skipPhase(emit, PHASES.route, 'no Traefik API configured (traefik.apiUrl)');
  else {
    const limit = phaseDeadline(options.routeTimeoutMs ?? DEFAULT_ROUTE_TIMEOUT_MS);
    await withPhase(
      emit,
      { ...PHASES.route, title: `Route ${plan.serviceName}@ecs in Traefik` },
      async (setDetail) => {
        const route = await waitForRoute({
          api,
          name: plan.serviceName,
          host: plan.host,
          poller,
          deadline: limit.deadline,
          deadlineIsOverall: limit.overall,
          timeoutText: limit.text,
          setDetail,
          hints: { routes: `traefikctl routes --env ${env}`, env },
          check: stillOurs,
        });
        routed = true;
        const up = route.servers.filter((server) => server.status === 'UP').length;
        setDetail(`${up}/${route.servers.length} server${route.servers.length === 1 ? '' : 's'} UP`);
      },
    );
  }

  if (options.skipProbe) {
    skipPhase(emit, PHASES.probe, '--skip-probe');
    emit({ type: 'info', message: `Rolled out: ${plan.url} (not probed)` });
    return result('rolled-out');
  }
  const limit = phaseDeadline(options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
  const path = target.appConfig.healthCheck?.path ?? '/';
  await withPhase(
    emit,
    { ...PHASES.probe, title: `Probe ${plan.url}${path === '/' ? '' : path}` },
    async (setDetail) => {
      const answer = await probeUrl({
        url: plan.url,
        path,
        address: probeAddress,
        poller,
        deadline: limit.deadline,
        deadlineIsOverall: limit.overall,
        timeoutText: limit.text,
        setDetail,
        check: stillOurs,
      });
      setDetail(`HTTP ${answer.status} in ${answer.ms}ms`);
    },
  );
  emit({ type: 'info', message: `Live: ${plan.url}` });
  return result('live');
}

/**
 * Rewrites a resource's deployment tags to the plan's: one TagResource, plus one UntagResource for the
 * traefikctl tags the plan no longer has (an expiry dropped with the ttl). Other tags are left alone.
 */
async function retag(
  aws: DeployAws,
  arn: string,
  current: readonly Tag[] | undefined,
  planned: readonly ResourceTag[],
): Promise<void> {
  await aws.tagResource(arn, [...planned]);
  const keys = new Set(planned.map((tag) => tag.key));
  const ours = new Set<string>(Object.values(TAG_KEYS));
  const stale = (current ?? [])
    .map((tag) => tag.key)
    .filter((key): key is string => key !== undefined && ours.has(key) && !keys.has(key));
  if (stale.length > 0) await aws.untagResource(arn, stale);
}

interface Applied {
  taskDefinitionArn: string;
  deploymentId: string | undefined;
  image: string;
  action: DeployResult['action'];
}

async function apply(
  ctx: RunContext,
  plan: DeploymentPlan,
  existing: ExistingService | undefined,
  action: ReturnType<typeof decideAction>['action'],
): Promise<Applied> {
  const { aws, emit, progress } = ctx;
  const name = plan.serviceName;

  if (action.kind === 'unchanged') {
    const arn = existing?.service.taskDefinition ?? '';
    const why = `already ${arn.split('/').pop() ?? arn}`;
    skipPhase(emit, PHASES.taskDefinition, why);
    // Nothing to roll out, but the deployment's record is renewed: deploying a tag again is what keeps
    // `app prune --expired` (expires-at) and `--older-than` (deployed-at) off it.
    ctx.options.signal?.throwIfAborted();
    await withPhase(emit, { ...PHASES.service, title: `Update service ${name}` }, async (setDetail) => {
      const serviceArn = existing?.service.serviceArn;
      progress.renewing = true;
      if (serviceArn !== undefined) await retag(aws, serviceArn, existing?.service.tags, plan.tags);
      if (existing?.deployed !== undefined && arn !== '')
        await retag(aws, arn, existing.deployed.tags, plan.tags);
      progress.applied = 'unchanged';
      progress.deploymentId = action.deployment.id;
      setDetail(
        `unchanged, ${plan.expiresAt === undefined ? `deployed-at renewed (${plan.deployedAt}; no ttl)` : `expiry extended to ${plan.expiresAt}`}; following ${action.deployment.id ?? 'its deployment'}`,
      );
    });
    const image = existing?.deployed?.taskDefinition.containerDefinitions?.[0]?.image ?? plan.image.reference;
    return { taskDefinitionArn: arn, deploymentId: action.deployment.id, image, action: 'unchanged' };
  }

  ctx.options.signal?.throwIfAborted();
  const registered = await withPhase(emit, PHASES.taskDefinition, async (setDetail) => {
    progress.sending = 'register';
    const taskDefinition = await aws.registerTaskDefinition(plan.taskDefinition);
    delete progress.sending;
    const arn = taskDefinition.taskDefinitionArn ?? '';
    setDetail(arn.split('/').pop() ?? arn);
    return arn;
  });
  progress.taskDefinitionArn = registered;
  ctx.options.signal?.throwIfAborted();

  if (action.kind === 'create') {
    await withPhase(emit, { ...PHASES.service, title: `Create service ${name}` }, async (setDetail) => {
      progress.sending = 'create';
      const created = await aws.createService(createServiceInput(plan, registered));
      delete progress.sending;
      progress.applied = 'created';
      const deployment = ourDeployment(created, registered);
      progress.deploymentId = deployment?.id;
      setDetail(deployment?.id ?? 'created');
    });
    return {
      taskDefinitionArn: registered,
      deploymentId: progress.deploymentId,
      image: plan.image.reference,
      action: 'created',
    };
  }

  progress.previousTaskDefinition = existing?.service.taskDefinition;
  await withPhase(emit, { ...PHASES.service, title: `Update service ${name}` }, async (setDetail) => {
    const input = {
      ...updateServiceInput(plan, registered),
      ...(action.force ? { forceNewDeployment: true } : {}),
    };
    progress.sending = 'update';
    const updated = await aws.updateService(input);
    delete progress.sending;
    progress.applied = 'updated';
    const deployment = ourDeployment(updated, registered);
    progress.deploymentId = deployment?.id;
    // UpdateService can't change tags: the deployment's record is rewritten with TagResource.
    const arn = updated.serviceArn ?? existing?.service.serviceArn;
    if (arn !== undefined) await retag(aws, arn, existing?.service.tags, plan.tags);
    setDetail(deployment?.id ?? 'updated');
  });
  return {
    taskDefinitionArn: registered,
    deploymentId: progress.deploymentId,
    image: plan.image.reference,
    action: 'updated',
  };
}
