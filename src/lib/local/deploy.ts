import { commandFor, resolveDeploySpec, type DeployRequest } from '../app/deploy/request.js';
import {
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_ROUTE_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
} from '../app/deploy/context.js';
import type { DeployResult, DeployStatus } from '../model.js';
import { phaseRecorder } from '../app/deploy/phases.js';
import { Poller } from '../app/deploy/poll.js';
import { probeUrl } from '../app/deploy/track-probe.js';
import { waitForRoute } from '../app/deploy/track-route.js';
import { asksTraefik, lookAtTraefik, PREFLIGHT_LOOK } from '../app/deploy/wait-live.js';
import { loadContext, type ResolvedContext } from '../config/resolve.js';
import { dockerVersion, imageId, shortImageId } from '../docker/docker.js';
import { runDocker } from '../docker/exec.js';
import { formatDuration, parseTimeout } from '../duration.js';
import { ExitCode, isUserError, UserError } from '../errors.js';
import { silentSink, skipPhase, withPhase, type EventSink } from '../events.js';
import { localTraefikClient, notUp, throttleOf } from './cluster.js';
import {
  addressOn,
  containerName,
  inspectContainer,
  labelsOf,
  lastLogLines,
  removeContainers,
  type ContainerInfo,
} from './engine.js';
import { localEnvironment } from '../env/local.js';
import {
  deploymentContainers,
  localCaller,
  localContainerSpec,
  localImageMissing,
  localImageReference,
  localSecrets,
  localSecretsWarning,
  newContainerName,
  ownershipConflict,
  SPEC_LABEL,
} from './deploy-spec.js';
import { buildLocalImage } from './image.js';

/**
 * `app deploy --env <docker env>`: the same state machine and events as on ECS, on the local engine.
 * A container with the deployment's Traefik labels (src/lib/labels.ts, the same map as ECS's
 * dockerLabels) and its state in `traefikctl.*` labels is started on traefikctl's network -> healthy
 * -> routed by Traefik's Docker provider (its own server UP) -> the URL answers through 127.0.0.1 ->
 * live. A redeploy starts the new container first and stops the old one only once the new one is
 * routed, so no request goes unanswered.
 */

export interface LocalDeployOptions extends DeployRequest {
  /** The env's configuration, when the command has opened it already (`openEnvironment`). */
  context?: ResolvedContext | undefined;
  build?: boolean | undefined;
  force?: boolean | undefined;
  wait?: boolean | undefined;
  timeoutMs?: number | undefined;
  timeout?: string | undefined;
  routeTimeoutMs?: number | undefined;
  probeTimeoutMs?: number | undefined;
  skipRouteCheck?: boolean | undefined;
  skipProbe?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: EventSink | undefined;
  now?: () => Date;
  /** Where the app's secrets are read (`localSecrets`), the engine's socket too; process.env by default. */
  processEnv?: NodeJS.ProcessEnv;
}

const PHASES = {
  preflight: { id: 'preflight', title: 'Check Docker, Traefik and image' },
  container: { id: 'container', title: 'Start container' },
  healthy: { id: 'healthy', title: 'Container healthy' },
  route: { id: 'route', title: 'Route in Traefik' },
  replace: { id: 'replace', title: 'Stop the replaced container' },
  probe: { id: 'probe', title: 'Probe URL' },
} as const;

/** Beyond Traefik's providers throttle, before the replaced container is stopped. */
const THROTTLE_MARGIN_MS = 500;

/** A container of the deployment that exited: its exit code and last log lines, exit 3. */
async function exitedError(
  info: ContainerInfo,
  service: string,
  hints: { logs: string; retry: string },
): Promise<UserError> {
  const name = containerName(info);
  const logs = await lastLogLines(name, 10);
  const reason = info.State.OOMKilled ? ' (out of memory)' : info.State.Error ? ` (${info.State.Error})` : '';
  return new UserError(
    `The container ${name} of ${service} exited with code ${info.State.ExitCode}${reason} before it was live.`,
    {
      suggestions: [
        ...(logs.length === 0 ? ['It wrote no log lines.'] : logs.map((line) => `log: ${line}`)),
        `See the app's logs: \`${hints.logs}\`.`,
        `Fix the app or its configuration, then deploy again: \`${hints.retry}\`.`,
      ],
      exitCode: ExitCode.DeploymentFailed,
      code: 'DEPLOY_FAILED',
    },
  );
}

export async function deployLocal(options: LocalDeployOptions): Promise<DeployResult> {
  const record = phaseRecorder(options.onEvent ?? silentSink);
  const emit = record.emit;
  const now = options.now ?? (() => new Date());
  const context = options.context ?? (await loadContext(options.cwd, options.global));
  const target = await resolveDeploySpec(context, options);
  const local = localEnvironment(target.context, options.processEnv);
  const timeoutMs =
    options.timeout === undefined ? (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) : parseTimeout(options.timeout);
  // The engine and Traefik's Docker provider answer at once (no 15 s ECS refresh): look often.
  const poller = new Poller({ signal: options.signal, intervalMs: 300, maxIntervalMs: 1_000 });
  const deadline = poller.now() + timeoutMs;
  const { names } = target;
  const env = local.env;
  const startedAt = now();
  const hints = {
    logs: `${commandFor('app logs', target).replace(/ --tag .*$/, '')} --env ${env}`,
    retry: commandFor('app deploy', target),
  };

  // Preflight: reads only, and the build. Nothing runs unless all of it passes.
  const reference = localImageReference(target);
  const preflight = await withPhase(emit, PHASES.preflight, async (setDetail) => {
    await dockerVersion().catch((error: unknown) => {
      // Without Docker the plan can still be seen: say so next to how to start Docker.
      if (!isUserError(error) || !error.code?.startsWith('DOCKER_')) throw error;
      throw new UserError(error.message, {
        suggestions: [
          ...error.suggestions,
          `Or see the plan without Docker: \`${commandFor('app deploy', target, ' --dry-run')}\`.`,
        ],
        code: error.code,
        cause: error,
      });
    });
    const traefik = await inspectContainer(local.traefikContainer);
    if (!traefik?.State.Running) throw notUp(local);
    // The route wait will ask Traefik's API: one look now, so that a Traefik that hangs (a paused
    // container is "running") or refuses the password fails here, with nothing started.
    const looksAtTraefik = asksTraefik(options);
    if (looksAtTraefik) {
      const quick = await localTraefikClient(local, { signal: options.signal, ...PREFLIGHT_LOOK });
      await lookAtTraefik(quick, `${names.serviceName}@docker`, env);
    }
    // Stopped ones too: a container of the tag that crashed since is replaced (removed) as well.
    const existing = await deploymentContainers(env, names.serviceName);
    const conflict = ownershipConflict(existing, target, env);
    if (conflict !== undefined) throw conflict;
    // Without --build the image must be in the engine already: part of the check, not found later.
    const found = options.build ? undefined : await imageId(reference);
    if (!options.build && found === undefined) throw localImageMissing(target, env);
    setDetail(
      [
        `Traefik ${local.traefikContainer} ${looksAtTraefik ? 'answers' : 'running'}`,
        ...(found === undefined ? [] : [`image ${reference} ${shortImageId(found)}`]),
        existing.length === 0 ? 'new deployment' : 'replacing one',
      ].join(', '),
    );
    return { existing, image: found, throttleMs: throttleOf(traefik) };
  });
  options.signal?.throwIfAborted();

  let image = preflight.image;
  if (options.build) {
    const built = await buildLocalImage({
      app: target.app,
      appConfig: target.appConfig,
      configDir: target.context.configDir,
      tags: [target.tag],
      onEvent: emit,
    });
    image = built.digest;
  }
  if (image === undefined) throw localImageMissing(target, env);

  const secrets = localSecrets(target, options.processEnv);
  const { plan, url, environment, secretEnvironment, specHash, labels, memory, stopTimeout } =
    localContainerSpec(target, local, {
      image,
      deployedBy: localCaller(),
      now: startedAt,
      secrets: secrets.values,
    });
  const secretsWarning = localSecretsWarning(target, secrets.missing);
  if (secretsWarning !== undefined) emit({ type: 'warning', ...secretsWarning });
  for (const warning of plan.warnings) emit({ type: 'warning', message: warning });

  const containerEnvironment = { ...environment, ...secretEnvironment };

  const current = preflight.existing.find(
    (info) => labelsOf(info)[SPEC_LABEL] === specHash && info.State.Running,
  );
  const unchanged = current !== undefined && !options.force && plan.expiresAt === undefined;

  const base = {
    app: target.app,
    tag: target.tag,
    env,
    host: plan.host,
    url,
    service: plan.serviceName,
    // No task definition locally: the container runs the image id directly.
    taskDefinitionArn: '',
    image,
    ...(plan.expiresAt === undefined ? {} : { expiresAt: plan.expiresAt }),
  };

  let container: ContainerInfo;
  let action: DeployResult['action'];
  if (unchanged) {
    container = current;
    action = 'unchanged';
    skipPhase(emit, PHASES.container, `already running as ${containerName(current)}`);
  } else {
    action = preflight.existing.length === 0 ? 'created' : 'updated';
    const name = newContainerName(plan.serviceName);
    container = await withPhase(
      emit,
      { ...PHASES.container, title: `Start container ${name}` },
      async (setDetail) => {
        const args = [
          'run',
          '--detach',
          '--name',
          name,
          '--network',
          local.network,
          '--memory',
          `${memory}m`,
          // As ECS's container stopTimeout: what the app gets between SIGTERM and SIGKILL when replaced.
          ...(stopTimeout === undefined ? [] : ['--stop-timeout', String(stopTimeout)]),
          ...Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
          // Only the names reach argv: docker reads each value from its own environment.
          ...Object.keys(containerEnvironment).flatMap((key) => ['--env', key]),
          image,
        ];
        const started = await runDocker(args, {
          captureStdout: true,
          env: containerEnvironment,
          secrets: Object.values(containerEnvironment),
        });
        if (started.exitCode !== 0) {
          await removeContainers([name], 0);
          throw new UserError(
            `Can't start ${name}: ${started.stderrTail.slice(-3).join(' ') || `docker run exited ${started.exitCode}`}`,
            {
              suggestions: [`Deploy again: \`${hints.retry}\`.`],
              exitCode: ExitCode.DeploymentFailed,
              code: 'DEPLOY_FAILED',
            },
          );
        }
        const info = await inspectContainer(name);
        if (info === undefined)
          throw new UserError(`The container ${name} is gone right after it started.`, {
            exitCode: ExitCode.DeploymentFailed,
            code: 'DEPLOY_FAILED',
          });
        setDetail(`${info.Id.slice(0, 12)} on ${local.network}`);
        return info;
      },
    );
  }
  const name = containerName(container);
  const result = (status: DeployStatus): DeployResult => ({
    ...base,
    deploymentId: container.Id.slice(0, 12),
    action,
    status,
    phases: record.phases(),
  });

  // A failure from here on removes the new container: the old one (if any) goes on serving.
  try {
    if (options.wait === false) {
      for (const phase of [PHASES.healthy, PHASES.route, PHASES.probe]) skipPhase(emit, phase, '--no-wait');
      await stopReplaced(preflight, container, emit);
      return result('applied');
    }

    /** Throws (exit 3) when the container no longer runs. */
    const stillRunning = async () => {
      const info = await inspectContainer(name);
      if (info === undefined) {
        throw new UserError(
          `The container ${name} of ${plan.serviceName} was removed while the deploy waited for it.`,
          {
            suggestions: [`Deploy again: \`${hints.retry}\`.`],
            exitCode: ExitCode.DeploymentFailed,
            code: 'DEPLOY_TAKEN_OVER',
          },
        );
      }
      if (!info.State.Running) throw await exitedError(info, plan.serviceName, hints);
      return info;
    };

    const limit = (ms: number) => {
      const own = poller.now() + ms;
      return own < deadline
        ? { deadline: own, overall: false, text: formatDuration(ms) }
        : { deadline, overall: true, text: `the --timeout of ${formatDuration(timeoutMs)}` };
    };

    const healthLimit = limit(options.routeTimeoutMs ?? DEFAULT_ROUTE_TIMEOUT_MS);
    const healthy = await withPhase(emit, PHASES.healthy, async (setDetail) => {
      const firstSeen = poller.now();
      const outcome = await poller.until<ContainerInfo>(
        async () => {
          const info = await stillRunning();
          const health = info.State.Health?.Status;
          if (health === 'unhealthy') {
            throw new UserError(
              `The container ${name} of ${plan.serviceName} is unhealthy (its image's health check fails).`,
              {
                suggestions: [
                  ...(await lastLogLines(name, 10)).map((line) => `log: ${line}`),
                  `Fix the app, then deploy again: \`${hints.retry}\`.`,
                ],
                exitCode: ExitCode.DeploymentFailed,
                code: 'DEPLOY_FAILED',
              },
            );
          }
          if (health !== undefined && health !== 'healthy') {
            setDetail(`health ${health}`);
            return undefined;
          }
          // Without a health check of its own, a container that crashes at start is caught by running
          // a moment; Traefik's own check (the app's healthCheck labels) decides the route next.
          if (health === undefined && poller.now() - firstSeen < 1_000) return undefined;
          setDetail(health === undefined ? 'running (the image has no health check)' : 'healthy');
          return info;
        },
        { deadline: healthLimit.deadline },
      );
      if (outcome.status === 'done') return outcome.value;
      throw new UserError(`The container ${name} is not healthy after ${healthLimit.text}.`, {
        suggestions: [`See what it says: \`${hints.logs}\`.`],
        exitCode: healthLimit.overall ? ExitCode.TimedOut : ExitCode.DeploymentFailed,
        code: 'DEPLOY_TIMED_OUT',
      });
    });

    const address = addressOn(healthy, local.network);
    const server = `http://${address ?? ''}:${target.appConfig.port}`;
    if (options.skipRouteCheck) skipPhase(emit, PHASES.route, '--skip-route-check');
    else {
      const client = await localTraefikClient(local, { signal: options.signal });
      const routeLimit = limit(options.routeTimeoutMs ?? DEFAULT_ROUTE_TIMEOUT_MS);
      await withPhase(
        emit,
        { ...PHASES.route, title: `Route ${plan.serviceName}@docker in Traefik` },
        async (setDetail) => {
          await waitForRoute({
            api: client,
            name: plan.serviceName,
            provider: 'docker',
            host: plan.host,
            poller,
            deadline: routeLimit.deadline,
            deadlineIsOverall: routeLimit.overall,
            timeoutText: routeLimit.text,
            setDetail,
            hints: { routes: `traefikctl routes --env ${env}`, env },
            check: async () => {
              await stillRunning();
            },
            // The route counts once Traefik has THIS container's server UP: during a redeploy the old
            // one is UP already, and stopping it before the new one is routed would leave a gap.
            ownServers: () => Promise.resolve(new Set([server])),
          });
          setDetail(`${server} UP`);
        },
      );
    }

    await stopReplaced(preflight, container, emit);

    if (options.skipProbe) {
      skipPhase(emit, PHASES.probe, '--skip-probe');
      emit({ type: 'info', message: `Running: ${url} (not probed)` });
      return result('rolled-out');
    }
    const probeLimit = limit(options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
    const path = target.appConfig.healthCheck?.path ?? '/';
    await withPhase(
      emit,
      { ...PHASES.probe, title: `Probe ${url}${path === '/' ? '' : path}` },
      async (setDetail) => {
        // `*.localhost` is loopback (RFC 6761): no DNS, straight to the published entry point, Host kept.
        const answer = await probeUrl({
          url,
          path,
          address: `127.0.0.1:${local.port}`,
          poller,
          deadline: probeLimit.deadline,
          deadlineIsOverall: probeLimit.overall,
          timeoutText: probeLimit.text,
          setDetail,
          check: async () => {
            await stillRunning();
          },
        });
        setDetail(`HTTP ${answer.status} in ${answer.ms}ms`);
      },
    );
    emit({ type: 'info', message: `Live: ${url}` });
    return result('live');
  } catch (error) {
    if (action !== 'unchanged' && !options.signal?.aborted)
      await removeContainers([name], 0).catch(() => undefined);
    throw error;
  }
}

/** Stops the containers this deploy replaces, once the new one carries the traffic. */
async function stopReplaced(
  { existing, throttleMs }: { existing: readonly ContainerInfo[]; throttleMs: number },
  current: ContainerInfo,
  emit: EventSink,
): Promise<void> {
  const replaced = existing.filter((info) => info.Id !== current.Id).map(containerName);
  if (replaced.length === 0) return;
  await withPhase(emit, PHASES.replace, async (setDetail) => {
    // Traefik applies a provider's changes at most every providersThrottleDuration (200 ms on a
    // Traefik of `cluster up`, 2 s on an older one): the change that routed the new container must be
    // out of that window, so that the old one's removal is applied the moment it stops.
    await new Promise((resolve) => setTimeout(resolve, throttleMs + THROTTLE_MARGIN_MS));
    // Each gets its own stop timeout (the app's stopTimeout it was started with, else Docker's 10 s).
    await removeContainers(replaced);
    setDetail(replaced.join(', '));
  });
}
