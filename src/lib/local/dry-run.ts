import type { DryRunAction, DryRunProblem } from '../app/deploy/dry-run.js';
import { diffFlat, type Change, type Flat } from '../app/deploy/ecs/diff.js';
import { resolveDeploySpec, type DeployRequest } from '../app/deploy/request.js';
import { loadContext, type ResolvedContext } from '../config/resolve.js';
import { dockerVersion, imageId } from '../docker/docker.js';
import { formatDuration } from '../duration.js';
import type { DeploymentNames } from '../naming.js';
import { describeError, ExitCode, isUserError } from '../errors.js';
import { localEnvironment } from '../env/local.js';
import { notUp } from './cluster.js';
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
  secretNamesOf,
  SPEC_LABEL,
} from './deploy-spec.js';
import { containerName, imageEnvironment, inspectContainer, labelsOf, type ContainerInfo } from './engine.js';

/**
 * `app deploy --dry-run` on an env of target `docker`: what `deployLocal` would run (container name,
 * image, network, the very labels and environment `docker run` would get, host and URL) and what it
 * would do to the container of the tag that runs now, without starting, stopping or building anything.
 * Like the ECS dry run it works with no Docker at all: what it can't read is listed in `skipped` with
 * the reason and the fix, and what would make the deploy fail in `problems`.
 */

export type LocalDryRunCheck = 'engine' | 'traefik' | 'image' | 'deployment';

export interface LocalSkippedCheck {
  check: LocalDryRunCheck;
  what: string;
  reason: string;
  fix?: string;
}

/** The deployment's names as on ECS (naming.ts; `serviceName` is also the container's prefix), without ECS's task family. */
export interface LocalDryRunResult extends Omit<DeploymentNames, 'family'> {
  dryRun: true;
  target: 'docker';
  app: string;
  env: string;
  url: string;
  network: string;
  /**
   * The container that would serve the tag: a new one (`<serviceName>-<6 random hex>`), or the one that
   * runs it already when the action is `unchanged`.
   */
  container: string;
  /** Containers of the tag the deploy removes once the new one is routed. */
  replaces: string[];
  /** `docker run --memory`, MiB. */
  memory: number;
  /** `docker run --stop-timeout`, seconds (the app's `stopTimeout`); absent: Docker's 10 s. */
  stopTimeout?: number;
  /** The port Traefik forwards to. */
  port: number;
  image: {
    /** `<repository>:<docker tag>`, as `image push --env <env>` builds it. */
    reference: string;
    /** The image id the container would run, when the engine has it. */
    id?: string;
  };
  traefik: { container: string; running?: boolean };
  /** ISO 8601. */
  deployedAt: string;
  deployedBy: string;
  expiresAt?: string;
  /** Traefik labels: the same map as ECS's dockerLabels (src/lib/labels.ts). */
  labels: Record<string, string>;
  /** The `traefikctl.*` state labels and the spec hash; with `labels`, every label `docker run` gets. */
  stateLabels: Record<string, string>;
  /** The container's environment (the app's, APP_TAG and APP_URL), secrets aside. */
  environment: Record<string, string>;
  /**
   * The app's secrets: those set where traefikctl runs, which the container gets from the variable of
   * the same name (`passed`), and those that are not (`missing`). Names only: a value is never shown.
   */
  secrets: { passed: string[]; missing: string[] };
  /** What the deploy would do to the tag's container; `unknown` when the engine couldn't be asked. */
  action: DryRunAction;
  /** Changes against the container that runs the tag now (image, labels, environment). */
  changes: Change[];
  skipped: LocalSkippedCheck[];
  problems: DryRunProblem[];
  warnings: string[];
}

export interface LocalDryRunOptions extends DeployRequest {
  /** The env's configuration, when the command has opened it already. */
  context?: ResolvedContext | undefined;
  /** `--build`: the image is built at deploy time, so its id can't be known now. */
  build?: boolean | undefined;
  force?: boolean | undefined;
  /** How long the engine may take to answer before the dry run goes on without it. */
  engineTimeoutMs?: number;
  now?: () => Date;
  /** Where the engine's socket and the API password file are read; process.env by default. */
  processEnv?: NodeJS.ProcessEnv;
}

const WHAT: Record<LocalDryRunCheck, string> = {
  engine: 'the Docker engine',
  traefik: 'the local Traefik that routes the deployment',
  image: 'the image in the local engine',
  deployment: 'the running container of the tag (diff)',
};

interface EngineFacts {
  traefik: ContainerInfo | undefined;
  imageId: string | undefined;
  existing: ContainerInfo[];
}

async function engineAnswers(ms: number): Promise<void> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    await dockerVersion({ signal: abort.signal });
  } catch (error) {
    if (abort.signal.aborted)
      throw new Error(`the Docker engine did not answer within ${formatDuration(ms)}`, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

export async function dryRunLocalDeploy(options: LocalDryRunOptions): Promise<LocalDryRunResult> {
  const context = options.context ?? (await loadContext(options.cwd, options.global));
  const target = await resolveDeploySpec(context, options);
  const local = localEnvironment(target.context, options.processEnv);
  const now = (options.now ?? (() => new Date()))();
  const reference = localImageReference(target);
  const skipped: LocalSkippedCheck[] = [];
  const problems: DryRunProblem[] = [];

  let facts: EngineFacts | undefined;
  try {
    await engineAnswers(options.engineTimeoutMs ?? 8_000);
    const [traefik, found, existing] = await Promise.all([
      inspectContainer(local.traefikContainer),
      options.build ? Promise.resolve(undefined) : imageId(reference),
      deploymentContainers(local.env, target.names.serviceName),
    ]);
    facts = { traefik, imageId: found, existing };
  } catch (error) {
    if (isUserError(error) && error.exitCode === ExitCode.Usage) throw error;
    const reason = describeError(error);
    const fix = isUserError(error) ? error.suggestions[0] : undefined;
    for (const check of ['engine', 'traefik', 'image', 'deployment'] as const)
      skipped.push({ check, what: WHAT[check], reason, ...(fix === undefined ? {} : { fix }) });
  }

  if (facts !== undefined) {
    if (!facts.traefik?.State.Running) {
      const error = notUp(local);
      skipped.push({
        check: 'traefik',
        what: WHAT.traefik,
        reason:
          facts.traefik === undefined
            ? `${local.traefikContainer} doesn't exist`
            : `${local.traefikContainer} is ${facts.traefik.State.Status}`,
        ...(error.suggestions[0] === undefined ? {} : { fix: error.suggestions[0] }),
      });
    }
    if (options.build) {
      skipped.push({
        check: 'image',
        what: WHAT.image,
        reason: '--build builds the image when deploying; its id is known only then',
      });
    } else if (facts.imageId === undefined) {
      problems.push(problemOf(localImageMissing(target, local.env)));
    }
    const conflict = ownershipConflict(facts.existing, target, local.env);
    if (conflict !== undefined) problems.push(problemOf(conflict));
  }

  const id = facts?.imageId;
  const secrets = localSecrets(target, options.processEnv);
  const spec = localContainerSpec(target, local, {
    image: id ?? `<id of ${reference}>`,
    deployedBy: localCaller(),
    now,
    secrets: secrets.values,
  });
  const stateLabels: Record<string, string> = { ...spec.state, [SPEC_LABEL]: spec.specHash };
  // Without the image's id, the state labels would carry a hash of a placeholder: say what it will be.
  if (id === undefined)
    stateLabels[SPEC_LABEL] = '<hash of image, labels, environment, secrets, port, memory and stop timeout>';

  const decision =
    facts === undefined || problems.some((problem) => problem.code === 'SERVICE_TAKEN')
      ? undefined
      : await decide(facts.existing, {
          imageId: id,
          memory: spec.memory,
          stopTimeout: spec.stopTimeout,
          labels: { ...spec.plan.labels, ...stateLabels },
          environment: spec.environment,
          secrets: spec.secretEnvironment,
          specHash: spec.specHash,
          force: options.force ?? false,
          expires: spec.plan.expiresAt !== undefined,
        });

  const secretsWarning = localSecretsWarning(target, secrets.missing);
  return {
    dryRun: true,
    target: 'docker',
    app: target.app,
    env: local.env,
    tag: target.tag,
    tagSlug: target.names.tagSlug,
    dockerTag: target.names.dockerTag,
    host: spec.plan.host,
    url: spec.url,
    serviceName: spec.plan.serviceName,
    network: local.network,
    container: decision?.keep ?? newContainerName(spec.plan.serviceName, '<6 random hex>'),
    replaces: decision?.replaces ?? [],
    memory: spec.memory,
    ...(spec.stopTimeout === undefined ? {} : { stopTimeout: spec.stopTimeout }),
    port: target.appConfig.port,
    image: { reference, ...(id === undefined ? {} : { id }) },
    traefik: {
      container: local.traefikContainer,
      ...(facts === undefined ? {} : { running: facts.traefik?.State.Running ?? false }),
    },
    deployedAt: spec.plan.deployedAt,
    deployedBy: spec.plan.deployedBy,
    ...(spec.plan.expiresAt === undefined ? {} : { expiresAt: spec.plan.expiresAt }),
    labels: spec.plan.labels,
    stateLabels,
    environment: spec.environment,
    secrets: { passed: Object.keys(secrets.values), missing: secrets.missing },
    action: decision?.action ?? 'unknown',
    changes: decision?.changes ?? [],
    skipped,
    problems,
    warnings: [...(secretsWarning === undefined ? [] : [secretsWarning.message]), ...spec.plan.warnings],
  };
}

function problemOf(error: unknown): DryRunProblem {
  if (isUserError(error))
    return { code: error.code ?? 'ERROR', message: error.message, suggestions: [...error.suggestions] };
  return { code: 'ERROR', message: describeError(error), suggestions: [] };
}

interface Planned {
  /** Undefined with --build or when the image is missing. */
  imageId: string | undefined;
  /** MiB. */
  memory: number;
  /** Seconds; undefined for Docker's default. */
  stopTimeout: number | undefined;
  /** Every label the new container would get. */
  labels: Record<string, string>;
  environment: Record<string, string>;
  /** The secrets' values: compared with the running container's, never shown. */
  secrets: Record<string, string>;
  specHash: string;
  force: boolean;
  /** A ttl makes every deploy a new container (a new expiry), as `deployLocal` does. */
  expires: boolean;
}

interface Decision {
  action: DryRunAction;
  changes: Change[];
  /** The container that keeps serving when nothing changes. */
  keep?: string;
  replaces: string[];
}

/** What `deployLocal` would do with the tag's containers: the same test (the spec hash) it makes. */
async function decide(existing: readonly ContainerInfo[], planned: Planned): Promise<Decision> {
  if (existing.length === 0) return { action: 'create', changes: [], replaces: [] };
  const newestFirst = [...existing].sort((a, b) => b.Created.localeCompare(a.Created));
  const current = newestFirst.find(
    (info) => info.State.Running && labelsOf(info)[SPEC_LABEL] === planned.specHash,
  );
  const compared = current ?? newestFirst.find((info) => info.State.Running) ?? newestFirst[0];
  const changes =
    compared === undefined
      ? { run: [], record: [] }
      : diffLocalContainer(
          {
            image: compared.Image,
            ...runSettingsOf(compared),
            labels: labelsOf(compared),
            secretNames: secretNamesOf(labelsOf(compared)),
            ...(await deployedEnvironment(compared)),
          },
          {
            image: planned.imageId,
            memory: planned.memory,
            stopTimeout: planned.stopTimeout,
            labels: planned.labels,
            environment: { ...planned.environment, ...planned.secrets },
            secretNames: Object.keys(planned.secrets),
            ownEnvironment: true,
          },
        );
  if (current !== undefined && planned.imageId !== undefined && !planned.force && !planned.expires) {
    const keep = containerName(current);
    return {
      action: 'unchanged',
      changes: changes.run,
      keep,
      replaces: newestFirst.map(containerName).filter((name) => name !== keep),
    };
  }
  const replaces = newestFirst.map(containerName);
  // With --build the image's id comes at deploy time: with nothing else changed, the build decides.
  if (planned.imageId === undefined && changes.run.length === 0 && !planned.force && !planned.expires)
    return { action: 'unknown', changes: [], replaces };
  return { action: 'update', changes: [...changes.run, ...changes.record], replaces };
}

/** A container's memory limit and stop timeout, as `docker run` was given them. */
function runSettingsOf(info: ContainerInfo): Pick<LocalContainerState, 'memory' | 'stopTimeout'> {
  const bytes = info.HostConfig?.Memory ?? 0;
  return {
    memory: bytes > 0 ? Math.round(bytes / 1024 / 1024) : undefined,
    stopTimeout: info.Config.StopTimeout ?? undefined,
  };
}

/** The environment a container was given: its own entries, without those its image sets when known. */
async function deployedEnvironment(
  info: ContainerInfo,
): Promise<Pick<LocalContainerState, 'environment' | 'ownEnvironment'>> {
  const image = await imageEnvironment(info.Image);
  const fromImage = new Set(image ?? []);
  const environment = Object.fromEntries(
    (info.Config.Env ?? [])
      .filter((entry) => !fromImage.has(entry))
      .map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
  );
  return { environment, ownEnvironment: image !== undefined };
}

export interface LocalContainerState {
  /** Image id. */
  image: string | undefined;
  /** `--memory` in MiB; undefined when the container has no limit. */
  memory?: number | undefined;
  /** `--stop-timeout` in seconds; undefined for Docker's default. */
  stopTimeout?: number | undefined;
  labels: Readonly<Record<string, string>>;
  environment: Readonly<Record<string, string>>;
  /**
   * True when `environment` holds only what the container was given (the image's own entries taken
   * out): a variable the plan no longer sets then shows as removed.
   */
  ownEnvironment: boolean;
  /** Variables of `environment` that hold secrets: the diff says whether they change, never their values. */
  secretNames?: readonly string[];
}

/** What the diff shows for a secret's value, and for one that changes. */
export const SECRET_VALUE = '(secret)';
export const CHANGED_SECRET_VALUE = '(secret, new value)';

// Docker adds PATH to a container whose image sets none: it was never the deploy's.
const ENGINE_ENV = new Set(['PATH']);

/**
 * The changes from a running container to the planned one, in the ECS diff's shape (`field` names like
 * `image`, `label traefik.http…`, `env APP_URL`). `run` is what makes a new container necessary (image,
 * Traefik labels, environment); `record` the `traefikctl.*` state a new container would carry. Only
 * what traefikctl sets is compared: the image's own labels and environment never show up. Pure.
 */
export function diffLocalContainer(
  before: LocalContainerState,
  after: LocalContainerState,
): { run: Change[]; record: Change[] } {
  const traefik = (labels: Readonly<Record<string, string>>): Flat =>
    new Map(
      Object.entries(labels)
        .filter(([key]) => key.startsWith('traefik.'))
        .map(([key, value]) => [`label ${key}`, value]),
    );
  const state = (labels: Readonly<Record<string, string>>): Flat =>
    new Map(
      Object.entries(labels)
        .filter(([key]) => key.startsWith('traefikctl.') && key !== SPEC_LABEL)
        .map(([key, value]) => [`label ${key}`, value]),
    );
  const environment = (entries: Readonly<Record<string, string>>, keep: (name: string) => boolean): Flat =>
    new Map(
      Object.entries(entries)
        .filter(([name]) => keep(name))
        .map(([name, value]) => [`env ${name}`, value]),
    );

  const run: Change[] = [];
  if (before.image !== undefined && after.image !== undefined && before.image !== after.image)
    run.push({ field: 'image', kind: 'changed', before: before.image, after: after.image });
  const settings = (state: LocalContainerState): Flat =>
    new Map([
      ...(state.memory === undefined ? [] : [['memory', `${state.memory} MiB`] as const]),
      ...(state.stopTimeout === undefined ? [] : [['stop timeout', `${state.stopTimeout}s`] as const]),
    ]);
  run.push(...diffFlat(settings(before), settings(after)));
  run.push(...diffFlat(traefik(before.labels), traefik(after.labels)));
  // A secret shows as `(secret)` on both sides, the planned one as `(secret, new value)` when it differs.
  const secret = new Set([...(before.secretNames ?? []), ...(after.secretNames ?? [])]);
  const masked = (entries: Readonly<Record<string, string>>, other?: Readonly<Record<string, string>>) =>
    Object.fromEntries(
      Object.entries(entries).map(([name, value]) => {
        if (!secret.has(name)) return [name, value];
        const was = other?.[name];
        return [name, was === undefined || was === value ? SECRET_VALUE : CHANGED_SECRET_VALUE];
      }),
    );
  const planned = masked(after.environment, before.environment);
  // Without the image's own environment, only the variables the plan sets can be compared.
  const keepBefore = (name: string) => name in planned || (before.ownEnvironment && !ENGINE_ENV.has(name));
  run.push(
    ...diffFlat(
      environment(masked(before.environment), keepBefore),
      environment(planned, () => true),
    ),
  );
  return { run, record: diffFlat(state(before.labels), state(after.labels)) };
}
