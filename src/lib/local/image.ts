import { resolve } from 'node:path';
import { stat } from 'node:fs/promises';

import type { AppConfig } from '../config/schema.js';
import { buildImage } from '../docker/build.js';
import { dockerVersion, imageId, shortImageId, tagImage } from '../docker/docker.js';
import { UserError, usageError } from '../errors.js';
import { silentSink, withPhase, type EventSink } from '../events.js';
import { dockerTag } from '../naming.js';
import { gitShortSha } from '../image/git.js';
import type { PushImageResult } from '../image/push.js';

/**
 * `image push --env <docker env>`: the image is built (buildx or classic, as for ECS) and tagged
 * `<repository>:<tag>` in the local engine, which is where the env's containers run: no registry.
 * The result has `image push`'s shape; `registry` is `local` and the digest is the image id.
 */

export interface BuildLocalImageOptions {
  app: string;
  appConfig: AppConfig;
  configDir: string;
  tags: readonly string[];
  platform?: string | undefined;
  /** Tag an image that is already local instead of building one. */
  noBuild?: boolean;
  onEvent?: EventSink | undefined;
  gitDir?: string;
}

export const LOCAL_REGISTRY = 'local';

export async function buildLocalImage(options: BuildLocalImageOptions): Promise<PushImageResult> {
  const emit = options.onEvent ?? silentSink;
  const { app, appConfig } = options;
  const repository = appConfig.repository ?? app;
  if (options.tags.length === 0) {
    throw usageError('No tag to build.', ['Pass at least one --tag, e.g. --tag v2.'], 'TAG_MISSING');
  }
  const tags = [...new Set(options.tags.map((tag) => dockerTag(tag)))];
  const first = tags[0] ?? '';
  const contextDir = resolve(options.configDir, appConfig.context);
  const dockerfile = resolve(contextDir, appConfig.dockerfile);
  if (!options.noBuild) {
    if (!(await stat(dockerfile).catch(() => undefined))?.isFile()) {
      throw usageError(
        `There is no Dockerfile at ${dockerfile}.`,
        [
          `Create it, or set apps.${app}.dockerfile (relative to the build context ${contextDir}) in traefikctl.config.*.`,
        ],
        'DOCKERFILE_MISSING',
      );
    }
  }
  const engine = await withPhase(emit, { id: 'docker', title: 'Check Docker' }, async (setDetail) => {
    const version = await dockerVersion();
    setDetail(`engine ${version.server} on ${version.platform}`);
    return version;
  });

  let id: string;
  const local = [...tags];
  if (options.noBuild) {
    const found = await imageId(`${repository}:${first}`);
    if (found === undefined) {
      throw new UserError(`There is no local image ${repository}:${first}.`, {
        suggestions: [`Build it first, or drop --no-build to let traefikctl build it.`],
        code: 'IMAGE_NOT_FOUND',
      });
    }
    id = found;
    for (const tag of tags.slice(1)) await tagImage(id, `${repository}:${tag}`);
  } else {
    // The engine runs the containers itself: build for its platform unless one was asked for.
    const buildPlatform = options.platform ?? engine.platform;
    const built = await withPhase(
      emit,
      { id: 'build', title: `Build ${repository} for ${buildPlatform}` },
      async (setDetail) => {
        const result = await buildImage({
          context: contextDir,
          dockerfile,
          platform: buildPlatform,
          buildArgs: appConfig.buildArgs,
          tags: tags.map((tag) => `${repository}:${tag}`),
          onStep: (message) => emit({ type: 'step', phase: 'build', message }),
        });
        setDetail(`${shortImageId(result.imageId)} (${result.builder})`);
        return result;
      },
    );
    id = built.imageId;
    const sha = await gitShortSha(options.gitDir ?? contextDir);
    if (sha !== undefined && !local.includes(sha)) {
      await tagImage(id, `${repository}:${sha}`);
      local.push(sha);
    }
  }
  return {
    app,
    repository,
    registry: LOCAL_REGISTRY,
    tags: local,
    digest: id,
    imageUri: `${repository}:${first}`,
    pushedAt: new Date().toISOString(),
  };
}
