import { createHash } from 'node:crypto';

import { hashApiPassword } from '../cluster/password.js';
import { OBSERVABILITY_ARGUMENTS } from '../cluster/traefik-command.js';
import { dockerVersion } from '../docker/docker.js';
import { durationMs } from '../duration.js';
import { UserError } from '../errors.js';
import { silentSink, withPhase, type EventSink } from '../events.js';
import { ENV_LABEL } from '../labels.js';
import { TAG_KEYS } from '../ecs/tag-codec.js';
import {
  containerName,
  docker,
  findContainers,
  inspectContainer,
  inspectNetwork,
  labelsOf,
  lastLogLines,
  removeContainers,
  type ContainerInfo,
} from './engine.js';
import type { LocalEnvironment } from '../env/local.js';
import { localLabel } from './state.js';
import { ensureLocalPassword, readLocalPassword, removeLocalPassword } from './password.js';

/**
 * `cluster up|status|down` of a `docker` env: Traefik v3 as a container on the local engine, on a
 * Docker network of traefikctl's own, its web entry point published on 127.0.0.1:<port>. Configured as
 * on ECS (src/lib/cluster/traefik-command.ts): the same constraint on `traefikctl.env`, exposedByDefault
 * off, Prometheus metrics, JSON access log without headers, and the API on `traefik.<env>.<domain>`
 * through `api@internal` behind basic auth (never `api.insecure`); only the provider is Docker's.
 */

/** Marks the Traefik container (`role`) and what it was created from (`config`). */
export const ROLE_LABEL = 'traefikctl.role';
export const CONFIG_LABEL = 'traefikctl.config';
const API_ROUTER = 'traefikctl-api';
const API_AUTH = 'traefikctl-api-auth';
/**
 * A redeploy stops the old container once the new one is routed; a request Traefik sent to the old
 * one in the instant before it saw it go is resent to the other server instead of failing.
 */
const RETRY = 'traefikctl-retry';

export interface LocalClusterResult {
  env: string;
  target: 'docker';
  /** What happened to the Traefik container. */
  action: 'created' | 'replaced' | 'unchanged';
  network: string;
  container: string;
  image: string;
  /** Where the web entry point listens: http://127.0.0.1:<port>. */
  entryPointUrl: string;
  /** `http://{app}-{tag}.<env>.<domain>:<port>`. */
  urlPattern: string;
  apiUrl: string;
  apiUsername: string;
  /** The file holding the API password (0600); the password itself is never part of a result. */
  passwordFile: string;
  passwordCreated: boolean;
  traefikVersion?: string | undefined;
}

export interface LocalClusterOptions {
  local: LocalEnvironment;
  onEvent?: EventSink | undefined;
  signal?: AbortSignal | undefined;
  /** How long Traefik may take to answer on its API once started. */
  readyTimeoutMs?: number;
}

const PHASES = {
  docker: { id: 'docker', title: 'Check Docker' },
  network: { id: 'network', title: 'Docker network' },
  password: { id: 'password', title: 'API password' },
  traefik: { id: 'traefik', title: 'Traefik container' },
  api: { id: 'api', title: 'Traefik API' },
} as const;

/** How often, at most, Traefik applies its providers' changes (Traefik's default: 2 s). */
const THROTTLE_FLAG = '--providers.providersThrottleDuration';

/**
 * The throttle a running local Traefik has (ms): the one its arguments set, else Traefik's 2 s (a
 * container started by an older traefikctl, until `cluster up` replaces it).
 */
export function throttleOf(traefik: { Args?: string[] | null }): number {
  const arg = (traefik.Args ?? []).find((candidate) => candidate.startsWith(`${THROTTLE_FLAG}=`));
  return (arg === undefined ? undefined : durationMs(arg.slice(THROTTLE_FLAG.length + 1))) ?? 2_000;
}

/** Traefik's command line for the env (pure): ECS's, with the Docker provider in place of ECS's. */
export function localTraefikArguments(local: LocalEnvironment): string[] {
  const web = `--entryPoints.${local.entryPoint}`;
  return [
    `${web}.address=:80`,
    `${web}.http.middlewares=${RETRY}@docker`,
    '--entryPoints.traefik.address=:8080',
    // A container that just stopped leaves an address nothing answers on until Traefik drops it
    // (the `die` event, then the provider's throttle): fail the dial fast so the retry middleware
    // resends the request to the container that replaced it (apps are on the same bridge, where a
    // dial takes well under a millisecond), and apply the event soon. For an app that stops at once
    // on SIGTERM the request in that window waited ~2.2 s with a 1 s dial timeout and Traefik's 2 s
    // throttle, and 0.4-0.8 s with these (README: Local target, redeploys).
    '--serversTransport.forwardingTimeouts.dialTimeout=250ms',
    `${THROTTLE_FLAG}=200ms`,
    '--ping=true',
    '--api=true',
    '--api.dashboard=true',
    '--providers.docker=true',
    '--providers.docker.endpoint=unix:///var/run/docker.sock',
    '--providers.docker.exposedByDefault=false',
    `--providers.docker.network=${local.network}`,
    `--providers.docker.constraints=Label(\`${ENV_LABEL}\`,\`${local.env}\`)`,
    ...OBSERVABILITY_ARGUMENTS,
  ];
}

/**
 * The Traefik container's labels: the API router of cluster.yaml (same names, same auth), the retry
 * middleware of the entry point, and traefikctl's own. `passwordHash` is bcrypt: the password never is.
 */
export function localTraefikLabels(local: LocalEnvironment, passwordHash: string): Record<string, string> {
  const router = `traefik.http.routers.${API_ROUTER}`;
  const METRICS_ROUTER = 'traefik.http.routers.traefikctl-metrics';
  return {
    'traefik.enable': 'true',
    [ENV_LABEL]: local.env,
    [`${router}.rule`]: `Host(\`${local.apiHost}\`) && (PathPrefix(\`/api\`) || PathPrefix(\`/dashboard\`))`,
    [`${router}.entrypoints`]: local.entryPoint,
    [`${router}.service`]: 'api@internal',
    [`${router}.middlewares`]: API_AUTH,
    // Prometheus metrics on the API's host behind the same basic auth, as cluster.yaml: with
    // manualRouting this router is the only place /metrics is served.
    [`${METRICS_ROUTER}.rule`]: `Host(\`${local.apiHost}\`) && Path(\`/metrics\`)`,
    [`${METRICS_ROUTER}.entrypoints`]: local.entryPoint,
    [`${METRICS_ROUTER}.service`]: 'prometheus@internal',
    [`${METRICS_ROUTER}.middlewares`]: API_AUTH,
    [`traefik.http.middlewares.${API_AUTH}.basicauth.users`]: `${local.username}:${passwordHash}`,
    [`traefik.http.middlewares.${API_AUTH}.basicauth.removeheader`]: 'true',
    [`traefik.http.middlewares.${RETRY}.retry.attempts`]: '4',
    [`traefik.http.middlewares.${RETRY}.retry.initialinterval`]: '100ms',
    // Traefik itself is no app: its own container gets no server of its own.
    'traefik.http.services.traefikctl-traefik.loadbalancer.server.port': '80',
    [localLabel(TAG_KEYS.managed)]: 'true',
    [ROLE_LABEL]: 'traefik',
  };
}

/** Everything the container is created from except the password's hash (salted: new every time). */
function configFingerprint(local: LocalEnvironment, args: readonly string[]): string {
  const text = JSON.stringify({
    image: local.image,
    args,
    port: local.port,
    network: local.network,
    socket: local.dockerSocket,
    apiHost: local.apiHost,
    username: local.username,
    version: 1,
  });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

async function passwordMatches(info: ContainerInfo, local: LocalEnvironment, password: string) {
  const users = labelsOf(info)[`traefik.http.middlewares.${API_AUTH}.basicauth.users`] ?? '';
  const prefix = `${local.username}:`;
  if (!users.startsWith(prefix)) return false;
  const { default: bcrypt } = await import('bcryptjs');
  return bcrypt.compare(password, users.slice(prefix.length));
}

/** Creates or updates the env's Traefik; running it again with nothing changed changes nothing. */
export async function localClusterUp(options: LocalClusterOptions): Promise<LocalClusterResult> {
  const { local } = options;
  const emit = options.onEvent ?? silentSink;
  const checkpoint = () => options.signal?.throwIfAborted();

  await withPhase(emit, PHASES.docker, async (setDetail) => {
    const version = await dockerVersion();
    setDetail(`engine ${version.server} on ${version.platform}`);
  });
  checkpoint();
  await withPhase(
    emit,
    { ...PHASES.network, title: `Docker network ${local.network}` },
    async (setDetail) => {
      if ((await inspectNetwork(local.network)) !== undefined) {
        setDetail('exists');
        return;
      }
      await docker([
        'network',
        'create',
        '--driver',
        'bridge',
        '--label',
        `${localLabel(TAG_KEYS.managed)}=true`,
        '--label',
        `${ENV_LABEL}=${local.env}`,
        local.network,
      ]);
      setDetail('created');
    },
  );
  checkpoint();
  const password = await withPhase(emit, PHASES.password, async (setDetail) => {
    const result = await ensureLocalPassword(local.passwordFile);
    setDetail(`${result.created ? 'created in' : 'kept in'} ${local.passwordFile} (0600)`);
    return result;
  });
  checkpoint();

  const args = localTraefikArguments(local);
  const fingerprint = configFingerprint(local, args);
  const action = await withPhase(
    emit,
    { ...PHASES.traefik, title: `Traefik container ${local.traefikContainer}` },
    async (setDetail) => {
      const existing = await inspectContainer(local.traefikContainer);
      if (
        existing !== undefined &&
        existing.State.Running &&
        labelsOf(existing)[CONFIG_LABEL] === fingerprint &&
        (await passwordMatches(existing, local, password.value))
      ) {
        setDetail('unchanged, running');
        return 'unchanged' as const;
      }
      if (existing !== undefined) await removeContainers([local.traefikContainer], 5);
      const labels = {
        ...localTraefikLabels(local, await hashApiPassword(password.value)),
        [CONFIG_LABEL]: fingerprint,
      };
      const run = [
        'run',
        '--detach',
        '--name',
        local.traefikContainer,
        '--network',
        local.network,
        '--restart',
        'unless-stopped',
        '--publish',
        `127.0.0.1:${local.port}:80`,
        '--volume',
        `${local.dockerSocket}:/var/run/docker.sock:ro`,
        ...Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
        local.image,
        ...args,
      ];
      const started = await (await import('../docker/exec.js')).runDocker(run, { captureStdout: true });
      if (started.exitCode !== 0) {
        const said = started.stderrTail.join('\n');
        const portTaken = /address already in use|port is already allocated/i.test(said);
        throw new UserError(
          portTaken
            ? `Port ${local.port} of 127.0.0.1 is taken, so Traefik can't listen on it.`
            : `Can't start Traefik (${local.image}): ${started.stderrTail.slice(-3).join(' ') || `docker run exited ${started.exitCode}`}`,
          {
            suggestions: portTaken
              ? [
                  `Pick another port: environments.${local.env}.port in the configuration (e.g. ${local.port + 1}).`,
                ]
              : [
                  `Check that the image ${local.image} can be pulled (traefik.image in the configuration), then run \`traefikctl cluster up --env ${local.env}\` again.`,
                ],
            code: portTaken ? 'LOCAL_PORT_TAKEN' : 'LOCAL_TRAEFIK_FAILED',
          },
        );
      }
      setDetail(`${existing === undefined ? 'created' : 'replaced'}, 127.0.0.1:${local.port}`);
      return existing === undefined ? ('created' as const) : ('replaced' as const);
    },
  );

  const version = await withPhase(
    emit,
    { ...PHASES.api, title: `Traefik API ${local.apiUrl}` },
    async (setDetail) => {
      const answer = await waitForApi(
        local,
        password.value,
        options.readyTimeoutMs ?? 30_000,
        options.signal,
      );
      setDetail(`Traefik ${answer}`);
      return answer;
    },
  );

  return {
    env: local.env,
    target: 'docker',
    action,
    network: local.network,
    container: local.traefikContainer,
    image: local.image,
    entryPointUrl: `http://127.0.0.1:${local.port}`,
    urlPattern: `http://{app}-{tag}.${local.env}.${local.context.domain ?? 'localhost'}${local.port === 80 ? '' : `:${local.port}`}`,
    apiUrl: local.apiUrl,
    apiUsername: local.username,
    passwordFile: local.passwordFile,
    passwordCreated: password.created,
    traefikVersion: version,
  };
}

/** A Traefik API client for the env: through 127.0.0.1:<port>, with the password of its file. */
export async function localTraefikClient(
  local: LocalEnvironment,
  options: { password?: string; timeoutMs?: number; retries?: number; signal?: AbortSignal | undefined } = {},
) {
  const password = options.password ?? (await readLocalPassword(local.passwordFile));
  if (password === undefined) throw notUp(local);
  const { TraefikClient } = await import('../traefik/client.js');
  return new TraefikClient({
    apiUrl: local.apiUrl,
    username: local.username,
    password,
    connectTo: local.connectTo,
    credentialHints: [
      `The password is in ${local.passwordFile}; \`traefikctl cluster up --env ${local.env}\` keeps Traefik in step with it.`,
    ],
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    signal: options.signal,
  });
}

async function waitForApi(
  local: LocalEnvironment,
  password: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  const client = await localTraefikClient(local, { password, timeoutMs: 2_000, retries: 0, signal });
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    try {
      const version = await client.version();
      return version.Version ?? 'answered';
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    const info = await inspectContainer(local.traefikContainer);
    if (info !== undefined && !info.State.Running) {
      const logs = await lastLogLines(local.traefikContainer, 5);
      throw new UserError(`Traefik (${local.traefikContainer}) exited with code ${info.State.ExitCode}.`, {
        suggestions: [
          ...logs.map((line) => `log: ${line}`),
          `See all of it: \`docker logs ${local.traefikContainer}\`.`,
        ],
        code: 'LOCAL_TRAEFIK_EXITED',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new UserError(
    `Traefik's API at ${local.apiUrl} doesn't answer after ${Math.round(timeoutMs / 1000)}s: ${last}`,
    {
      suggestions: [`See what Traefik says: \`docker logs ${local.traefikContainer}\`.`],
      code: 'LOCAL_TRAEFIK_NOT_READY',
    },
  );
}

export function notUp(local: LocalEnvironment): UserError {
  return new UserError(
    `The local environment ${local.env} has no Traefik running (${local.traefikContainer}).`,
    {
      suggestions: [`Start it with \`traefikctl cluster up --env ${local.env}\` (Docker must be running).`],
      code: 'LOCAL_CLUSTER_MISSING',
    },
  );
}

export interface LocalClusterStatus {
  env: string;
  target: 'docker';
  network: { name: string; exists: boolean };
  traefik: {
    container: string;
    /** Docker's state: running, exited…; `missing` when there is no container. */
    state: string;
    image?: string | undefined;
    startedAt?: string | undefined;
  };
  entryPointUrl: string;
  apiUrl: string;
  api: { ok: boolean; version?: string | undefined; message?: string | undefined };
  /** Running app containers of the env. */
  deployments: number;
}

/** Reads only. */
export async function localClusterStatus(local: LocalEnvironment): Promise<LocalClusterStatus> {
  await dockerVersion();
  const [network, traefik, apps] = await Promise.all([
    inspectNetwork(local.network),
    inspectContainer(local.traefikContainer),
    findContainers({ [localLabel(TAG_KEYS.managed)]: 'true', [localLabel(TAG_KEYS.env)]: local.env }),
  ]);
  let api: LocalClusterStatus['api'] = { ok: false, message: 'Traefik is not running' };
  if (traefik?.State.Running) {
    try {
      const client = await localTraefikClient(local, { timeoutMs: 3_000, retries: 0 });
      api = { ok: true, version: (await client.version()).Version };
    } catch (error) {
      api = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }
  return {
    env: local.env,
    target: 'docker',
    network: { name: local.network, exists: network !== undefined },
    traefik: {
      container: local.traefikContainer,
      state: traefik?.State.Status ?? 'missing',
      image: traefik?.Config.Image,
      startedAt: traefik?.State.StartedAt,
    },
    entryPointUrl: `http://127.0.0.1:${local.port}`,
    apiUrl: local.apiUrl,
    api,
    deployments: new Set(
      apps
        .filter((app) => labelsOf(app)[ROLE_LABEL] === undefined)
        .map((app) => labelsOf(app)[localLabel(TAG_KEYS.host)]),
    ).size,
  };
}

export interface LocalClusterDownResult {
  env: string;
  target: 'docker';
  removed: { traefik: boolean; network: boolean; password: boolean; deployments: string[] };
}

/** Removes Traefik, the network and the password; app containers only with `force`. */
export async function localClusterDown(options: {
  local: LocalEnvironment;
  force?: boolean | undefined;
  onEvent?: EventSink | undefined;
}): Promise<LocalClusterDownResult> {
  const { local } = options;
  const emit = options.onEvent ?? silentSink;
  await dockerVersion();
  const apps = (
    await findContainers(
      { [localLabel(TAG_KEYS.managed)]: 'true', [localLabel(TAG_KEYS.env)]: local.env },
      { all: true },
    )
  ).filter((info) => labelsOf(info)[ROLE_LABEL] === undefined);
  if (apps.length > 0 && !options.force) {
    throw new UserError(
      `The local environment ${local.env} still runs ${apps.length} deployment container${apps.length === 1 ? '' : 's'} (${apps.map(containerName).join(', ')}).`,
      {
        suggestions: [
          `Remove them first with \`traefikctl app destroy <app> --tag <tag> --env ${local.env}\`, or pass --force to remove them with the cluster.`,
        ],
        exitCode: 2,
        code: 'CLUSTER_HAS_DEPLOYMENTS',
      },
    );
  }
  const deployments = apps.map(containerName);
  if (deployments.length > 0) {
    await withPhase(
      emit,
      { id: 'deployments', title: `Remove ${deployments.length} deployment container(s)` },
      () => removeContainers(deployments),
    );
  }
  const traefik = await withPhase(
    emit,
    { ...PHASES.traefik, title: `Remove ${local.traefikContainer}` },
    async () => {
      const existed = (await inspectContainer(local.traefikContainer)) !== undefined;
      if (existed) await removeContainers([local.traefikContainer], 5);
      return existed;
    },
  );
  const network = await withPhase(
    emit,
    { ...PHASES.network, title: `Remove network ${local.network}` },
    async () => {
      const info = await inspectNetwork(local.network);
      if (info === undefined) return false;
      // Only a network traefikctl created: a name the user chose for something else stays.
      if (info.Labels?.[localLabel(TAG_KEYS.managed)] !== 'true') return false;
      await docker(['network', 'rm', local.network]);
      return true;
    },
  );
  const password = await removeLocalPassword(local.passwordFile);
  return { env: local.env, target: 'docker', removed: { traefik, network, password, deployments } };
}
