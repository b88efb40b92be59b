import { createHash, randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';

import { commandFor, planFromSpec, shellWord, type DeploySpec } from '../app/deploy/request.js';
import { placeholderCluster, type DeploymentPlan } from '../app/deploy/ecs/plan.js';
import { TAG_KEYS } from '../ecs/tag-codec.js';
import { UserError } from '../errors.js';
import { parseTraefikLabels } from '../labels.js';
import { localUrl, type LocalEnvironment } from '../env/local.js';
import { findContainers, labelsOf, type ContainerInfo } from './engine.js';
import { deploymentLabels, localLabel, readDeploymentLabels } from './state.js';

/**
 * What a local deploy runs, computed once for `app deploy` (deploy.ts) and its dry run (dry-run.ts):
 * the image reference, the container's labels (the Traefik map of src/lib/labels.ts, the state in
 * `traefikctl.*` labels, the spec hash), its environment, and the checks both make before anything
 * runs. The dry run shows exactly what the deploy would pass to `docker run`.
 */

/** Labels of the container that say which spec it runs, so that deploying it again changes nothing. */
export const SPEC_LABEL = 'traefikctl.spec';
/** The names of the secrets a container got, comma-separated: never their values. */
export const SECRETS_LABEL = 'traefikctl.secrets';

/** The secret names a container's labels list (SECRETS_LABEL). */
export function secretNamesOf(labels: Readonly<Record<string, string>>): string[] {
  return (labels[SECRETS_LABEL] ?? '').split(',').filter(Boolean);
}

export interface LocalSecrets {
  /** The app's secrets that are set where the deploy runs, with their values. */
  values: Record<string, string>;
  /** The app's secrets that are not set there (or empty): the container starts without them. */
  missing: string[];
}

/**
 * The values of the app's secrets for a local container. On ECS a secret is an SSM parameter or a
 * Secrets Manager ARN that the task reads in AWS; a local env doesn't reach AWS, so each value comes
 * from the variable of the same name in the environment of the process that deploys (the shell, a CI
 * step), as `docker run --env NAME` passes one. An empty variable counts as not set.
 */
export function localSecrets(target: DeploySpec, processEnv: NodeJS.ProcessEnv = process.env): LocalSecrets {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of Object.keys(target.appConfig.secrets).sort()) {
    const value = processEnv[name];
    if (value === undefined || value === '') missing.push(name);
    else values[name] = value;
  }
  return { values, missing };
}

/** `<repository>:<docker tag>`: what `image push --env <docker env>` builds and the deploy runs. */
export function localImageReference(target: DeploySpec): string {
  return `${target.repository}:${target.names.dockerTag}`;
}

/** Who deployed: the local user at this machine (the ECS target records the STS caller). */
export function localCaller(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the machine still says where it came from.
  }
  return `${user}@${hostname()}`;
}

/** A new container's name: the deployment's, and a random suffix (the old one runs until replaced). */
export function newContainerName(serviceName: string, suffix = randomBytes(3).toString('hex')): string {
  return `${serviceName.slice(0, 200)}-${suffix}`;
}

export interface LocalContainerSpec {
  plan: DeploymentPlan;
  url: string;
  /** What the container's environment gets besides secrets (names only reach argv). */
  environment: Record<string, string>;
  /** The secrets' values the container gets too: never printed, never in a label (names only). */
  secretEnvironment: Record<string, string>;
  /** The `traefikctl.*` state labels (src/lib/local/state.ts), and the secrets' names (SECRETS_LABEL). */
  state: Record<string, string>;
  /** sha256 of image, Traefik labels, environment, secrets, port, memory and stop timeout (16 hex). */
  specHash: string;
  /** Every label `docker run` gets: the Traefik map, the state and the spec hash. */
  labels: Record<string, string>;
  /** `--memory`, in MiB. */
  memory: number;
  /** `--stop-timeout`, in seconds: the app's `stopTimeout`; Docker's own (10 s) when undefined. */
  stopTimeout: number | undefined;
}

/**
 * The container a deploy of `target` runs with `image` (an image id): pure but for the hash. The plan
 * is the ECS planner's, so the labels are the same map as ECS's dockerLabels.
 */
export function localContainerSpec(
  target: DeploySpec,
  local: Pick<LocalEnvironment, 'env' | 'network' | 'port'>,
  facts: { image: string; deployedBy: string; now: Date; secrets?: Readonly<Record<string, string>> },
): LocalContainerSpec {
  // The app's ECS secrets, and the check that the env's tasks may read them, don't apply to a local
  // container, which gets its secrets from `facts.secrets` (localSecrets).
  const plan = planFromSpec(
    { ...target, appConfig: { ...target.appConfig, secrets: {} } },
    {
      region: 'us-east-1',
      repository: target.repository,
      cluster: placeholderCluster(local.env, local.network),
      deployedBy: facts.deployedBy,
      now: facts.now,
    },
  );
  const url = localUrl(local, plan.host);
  const [definition] = plan.taskDefinition.containerDefinitions ?? [];
  const environment = Object.fromEntries(
    (definition?.environment ?? []).map(({ name, value }) => [name ?? '', value ?? '']),
  );
  environment.APP_URL = url;
  const secretEnvironment = { ...facts.secrets };
  for (const name of Object.keys(secretEnvironment)) delete environment[name];
  const secretNames = Object.keys(secretEnvironment);
  const state = {
    ...deploymentLabels({
      env: local.env,
      app: target.app,
      tag: target.tag,
      host: plan.host,
      image: facts.image,
      deployedAt: plan.deployedAt,
      deployedBy: plan.deployedBy,
      expiresAt: plan.expiresAt,
    }),
    ...(secretNames.length === 0 ? {} : { [SECRETS_LABEL]: secretNames.join(',') }),
  };
  // The ECS container's stopTimeout, which `docker run --stop-timeout` is.
  const stopTimeout = definition?.stopTimeout;
  const spec = JSON.stringify({
    image: facts.image,
    labels: plan.labels,
    environment,
    // A new value of a secret is a new container, as a changed variable is. The hash tells nothing
    // that `docker inspect` doesn't: the engine shows a container's environment to whoever can ask it.
    secrets: secretEnvironment,
    port: target.appConfig.port,
    memory: target.appConfig.memory,
    ...(stopTimeout === undefined ? {} : { stopTimeout }),
  });
  const specHash = createHash('sha256').update(spec).digest('hex').slice(0, 16);
  return {
    plan,
    url,
    environment,
    secretEnvironment,
    state,
    specHash,
    labels: { ...plan.labels, ...state, [SPEC_LABEL]: specHash },
    memory: target.appConfig.memory,
    stopTimeout,
  };
}

/** The containers of the deployment `serviceName` in `env`, stopped ones too (a crashed one is replaced). */
export async function deploymentContainers(env: string, serviceName: string): Promise<ContainerInfo[]> {
  return (
    await findContainers(
      { [localLabel(TAG_KEYS.managed)]: 'true', [localLabel(TAG_KEYS.env)]: env },
      { all: true },
    )
  ).filter((info) => parseTraefikLabels(labelsOf(info))?.name === serviceName);
}

/** The error when a container of the deployment's name holds another app or tag; undefined otherwise. */
export function ownershipConflict(
  existing: readonly ContainerInfo[],
  target: DeploySpec,
  env: string,
): UserError | undefined {
  for (const info of existing) {
    const owner = readDeploymentLabels(labelsOf(info));
    if (owner !== undefined && (owner.app !== target.app || owner.tag !== target.tag)) {
      return new UserError(
        `The deployment ${target.names.serviceName} already holds ${owner.app} at tag ${JSON.stringify(owner.tag)}: ` +
          `${JSON.stringify(target.tag)} gives the same name, because names keep only letters, digits and dashes.`,
        {
          suggestions: [
            'Deploy under a tag that differs in its letters or digits.',
            `Or remove the other deployment first: \`traefikctl app destroy ${owner.app} --tag ${shellWord(owner.tag)} --env ${env}\`.`,
          ],
          code: 'SERVICE_TAKEN',
        },
      );
    }
  }
  return undefined;
}

/** The engine has no image of the tag: say how to build it. */
export function localImageMissing(target: DeploySpec, env: string): UserError {
  const reference = localImageReference(target);
  return new UserError(
    `The local engine has no image ${reference}, so there is nothing to deploy at tag ${target.tag}.`,
    {
      suggestions: [
        `Build it first: \`traefikctl image push ${target.app} --tag ${shellWord(target.tag)} --env ${env}\`.`,
        `Or build it as part of the deploy: \`${commandFor('app deploy', target, ' --build')}\`.`,
      ],
      code: 'IMAGE_NOT_FOUND',
    },
  );
}

/** The warning a deploy emits for secrets that are not set where it runs; undefined when none is missing. */
export function localSecretsWarning(
  target: DeploySpec,
  missing: readonly string[],
): { message: string; hint: string } | undefined {
  if (missing.length === 0) return undefined;
  const first = missing[0] ?? 'NAME';
  return {
    message:
      `${missing.length === 1 ? 'The secret' : 'The secrets'} ${missing.join(', ')} of ${target.app} ` +
      `${missing.length === 1 ? 'is' : 'are'} not set here: the container starts without ${missing.length === 1 ? 'it' : 'them'}.`,
    hint:
      'Locally a secret comes from the variable of the same name where traefikctl runs (its AWS value stays ' +
      `in AWS): \`export ${first}=...\`, then deploy again.`,
  };
}
