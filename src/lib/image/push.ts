import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { AwsClients } from '../aws/clients.js';
import type { AppConfig } from '../config/schema.js';
import { buildImage } from '../docker/build.js';
import { dockerVersion, imageId, tagImage } from '../docker/docker.js';
import { withDockerLogin } from '../docker/login.js';
import { dockerPush } from '../docker/push.js';
import { UserError, usageError } from '../errors.js';
import { type EventSink, silentSink, skipPhase, withPhase } from '../events.js';
import { dockerTag } from '../naming.js';
import { ecrLogin, type EcrLogin } from './auth.js';
import { gitShortSha } from './git.js';
import { ensureRepository } from './repository.js';

export interface PushImageOptions {
  app: string;
  appConfig: AppConfig;
  /** The configuration's directory: the build context is relative to it. */
  configDir: string;
  /** As the user or CI passed them (`v2`, `feature/x`); turned into Docker tags per DESIGN.md. */
  tags: readonly string[];
  /** Overrides `appConfig.platform`. */
  platform?: string | undefined;
  /** Push an image that is already local (`<repository>:<tag>`) instead of building one. */
  noBuild?: boolean;
  /** The `registry` setting: a host that replaces ECR's proxyEndpoint (mirrors, emulators). */
  registryOverride?: string | undefined;
  clients: AwsClients;
  onEvent?: EventSink;
  /** Where to read the git SHA from; defaults to the build context. */
  gitDir?: string;
}

/** What `image push --json` prints. No secret is ever part of it. */
export interface PushImageResult {
  app: string;
  repository: string;
  /** Registry host the image was pushed to. */
  registry: string;
  /** Docker tags pushed, in order: the requested ones, then the git short SHA when there was one. */
  tags: string[];
  /** Manifest digest the registry accepted, `sha256:…`. */
  digest: string;
  /** Digest-pinned reference: `<registry>/<repository>@<digest>`, what a deployment should run. */
  imageUri: string;
  /** ISO 8601. */
  pushedAt: string;
}

/** As docker accepts it: `os/arch` or `os/arch/variant`. */
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

const PHASES = {
  docker: { id: 'docker', title: 'Check Docker' },
  repository: { id: 'repository', title: 'ECR repository' },
  auth: { id: 'auth', title: 'ECR login token' },
  build: { id: 'build', title: 'Build image' },
  push: { id: 'push', title: 'Push image' },
} as const;

/**
 * Builds (unless `noBuild`) and pushes an app's image to its ECR repository, creating the repository
 * when missing, once there is an image to push: a failed build, or a --no-build with no local image,
 * leaves nothing behind in ECR. Every step is a phase event; build steps are `step` events and layers
 * are `progress` events. Bad input (no tags, a tag `app deploy` would refuse, no Dockerfile) fails
 * before any Docker or AWS call.
 */
export async function pushImage(options: PushImageOptions): Promise<PushImageResult> {
  const emit = options.onEvent ?? silentSink;
  const { app, appConfig } = options;
  const repository = appConfig.repository ?? app;
  const platform = options.platform ?? appConfig.platform;
  if (!PLATFORM.test(platform)) {
    throw usageError(
      `The platform ${JSON.stringify(platform)} is not an OS/architecture pair.`,
      ['Pass --platform linux/amd64 (what Fargate runs by default) or linux/arm64 (Graviton).'],
      'PLATFORM_INVALID',
    );
  }
  const tags = dockerTags(options.tags, emit);
  const firstTag = tags[0] ?? '';
  const contextDir = resolve(options.configDir, appConfig.context);
  const dockerfile = resolve(contextDir, appConfig.dockerfile);
  if (!options.noBuild) await checkBuildInputs(app, contextDir, dockerfile);

  const engine = await withPhase(emit, PHASES.docker, async (setDetail) => {
    const version = await dockerVersion();
    setDetail(`engine ${version.server} on ${version.platform}`);
    return version;
  });
  if (!options.noBuild && !samePlatform(engine.platform, platform)) {
    emit({
      type: 'warning',
      message: `Building for ${platform} on a ${engine.platform} Docker engine: the build runs under emulation and is slower.`,
      hint: `Fargate runs ${platform}; keep it unless your tasks use another runtime platform.`,
    });
  }
  const ecr = await options.clients.ecr();
  const getLogin = () =>
    withPhase(emit, PHASES.auth, async (setDetail) => {
      const result = await ecrLogin(ecr, options.registryOverride);
      setDetail(result.registry);
      return result;
    });

  // The image first, the repository after: a build that fails, or a --no-build with nothing to push,
  // must not leave a new, empty ECR repository behind.
  let login: EcrLogin | undefined;
  let source: string;
  const pushTags = [...tags];
  if (options.noBuild) {
    const local = await imageId(`${repository}:${firstTag}`);
    if (local !== undefined) {
      source = local;
    } else {
      // The other name a user may have tagged it with needs the registry's host: ask for a token
      // (a read), not for a repository (a write).
      login = await getLogin();
      const remote = `${login.registry}/${repository}:${firstTag}`;
      const tagged = await imageId(remote);
      if (tagged === undefined) {
        throw new UserError(`There is no local image ${repository}:${firstTag} (or ${remote}) to push.`, {
          suggestions: [
            `Build it first (\`docker build -t ${repository}:${firstTag} .\`), or drop --no-build to let traefikctl build it.`,
          ],
          code: 'IMAGE_NOT_FOUND',
        });
      }
      source = tagged;
    }
    skipPhase(emit, PHASES.build, '--no-build');
  } else {
    const built = await withPhase(
      emit,
      { ...PHASES.build, title: `Build ${repository} for ${platform}` },
      async (setDetail) => {
        const result = await buildImage({
          context: contextDir,
          dockerfile,
          platform,
          buildArgs: appConfig.buildArgs,
          tags: tags.map((tag) => `${repository}:${tag}`),
          onStep: (message) => emit({ type: 'step', phase: PHASES.build.id, message }),
        });
        setDetail(`${result.imageId.replace(/^sha256:/, '').slice(0, 12)} (${result.builder})`);
        return result;
      },
    );
    source = built.imageId;
    const sha = await gitShortSha(options.gitDir ?? contextDir);
    if (sha !== undefined && !pushTags.includes(sha)) pushTags.push(sha);
  }

  await withPhase(
    emit,
    { ...PHASES.repository, title: `ECR repository ${repository}` },
    async (setDetail) => {
      const ensured = await ensureRepository(ecr, repository, appConfig.tagMutability, emit);
      setDetail(ensured.created ? 'created' : 'exists');
    },
  );
  const auth = login ?? (await getLogin());
  const remote = `${auth.registry}/${repository}`;

  const digest = await withPhase(emit, { ...PHASES.push, title: `Push ${remote}` }, async (setDetail) => {
    for (const tag of pushTags) await tagImage(source, `${remote}:${tag}`);
    return withDockerLogin(auth, async (session) => {
      emit({
        type: 'step',
        phase: PHASES.push.id,
        message:
          session.method === 'login'
            ? `Logged in to ${auth.registry} (temporary Docker config)`
            : `Using docker-credential-${session.helper ?? ''} for ${auth.registry}`,
      });
      // A credential helper such as ecr-login runs as a child of docker: give it the same AWS identity.
      const env = session.method === 'login' ? session.env : { ...session.env, ...awsEnv(options.clients) };
      const digests: string[] = [];
      for (const tag of pushTags) {
        setDetail(`${tag} (${digests.length + 1}/${pushTags.length})`);
        const pushed = await dockerPush(`${remote}:${tag}`, {
          env,
          registry: auth.registry,
          credentialHelper: session.helper,
          onLayer: (layer) =>
            emit({
              type: 'progress',
              phase: PHASES.push.id,
              item: layer.layer,
              status: layer.status,
              ...(layer.current === undefined ? {} : { current: layer.current }),
              ...(layer.total === undefined ? {} : { total: layer.total }),
            }),
        });
        digests.push(pushed.digest);
      }
      const [first] = digests;
      if (first === undefined) throw new Error('pushImage: no tag was pushed');
      if (digests.some((d) => d !== first)) {
        emit({
          type: 'warning',
          message: `The tags were pushed with different digests (${[...new Set(digests)].join(', ')}): the local image changed while pushing.`,
          hint: 'Run the command again so that every tag names the same image.',
        });
      }
      setDetail(`${pushTags.join(', ')} → ${first.slice(0, 19)}…`);
      return first;
    });
  });

  return {
    app,
    repository,
    registry: auth.registry,
    tags: pushTags,
    digest,
    imageUri: `${remote}@${digest}`,
    pushedAt: new Date().toISOString(),
  };
}

/** Requested tags as Docker tags (DESIGN.md: the original where Docker allows it, else the slug), deduplicated. */
function dockerTags(requested: readonly string[], emit: EventSink): string[] {
  if (requested.length === 0) {
    throw usageError(
      'No tag to push.',
      ['Pass at least one --tag, e.g. --tag v2 or --tag "$GITHUB_SHA".'],
      'TAG_MISSING',
    );
  }
  const result: string[] = [];
  for (const tag of requested) {
    const docker = dockerTag(tag);
    if (docker !== tag) {
      emit({
        type: 'info',
        message: `Tag ${JSON.stringify(tag)} is pushed as ${docker} (Docker tags can't contain every character).`,
      });
    }
    if (!result.includes(docker)) result.push(docker);
  }
  return result;
}

async function checkBuildInputs(app: string, contextDir: string, dockerfile: string): Promise<void> {
  const context = await stat(contextDir).catch(() => undefined);
  if (!context?.isDirectory()) {
    throw usageError(
      `The build context ${contextDir} of app ${app} is not a directory.`,
      [
        `Set apps.${app}.context in traefikctl.config.* (relative to the config file), or push a prebuilt image with --no-build.`,
      ],
      'BUILD_CONTEXT_MISSING',
    );
  }
  const file = await stat(dockerfile).catch(() => undefined);
  if (!file?.isFile()) {
    throw usageError(
      `There is no Dockerfile at ${dockerfile}.`,
      [
        `Create it, or set apps.${app}.dockerfile (relative to the build context ${contextDir}) in traefikctl.config.*.`,
        'To push an image you built yourself, pass --no-build.',
      ],
      'DOCKERFILE_MISSING',
    );
  }
}

/** `linux/amd64` vs `linux/amd64/v3`, `linux/arm64` vs `linux/arm64/v8`: the variant doesn't decide emulation. */
function samePlatform(a: string, b: string): boolean {
  const base = (platform: string) => platform.split('/').slice(0, 2).join('/').toLowerCase();
  return base(a) === base(b);
}

function awsEnv(clients: AwsClients): Record<string, string> {
  const { region, profile } = clients.context;
  return { ...(region ? { AWS_REGION: region } : {}), ...(profile ? { AWS_PROFILE: profile } : {}) };
}
