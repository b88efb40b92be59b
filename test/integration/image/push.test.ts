import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  DescribeRepositoriesCommand,
  ListTagsForResourceCommand,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { AwsClients } from '../../../src/lib/aws/clients.js';
import { appSchema } from '../../../src/lib/config/schema.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';
import type { ProgressEvent } from '../../../src/lib/events.js';
import { pushImage, type PushImageOptions } from '../../../src/lib/image/push.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import {
  ArgvWatcher,
  filesUnder,
  installRecordingDocker,
  recordedInvocations,
  registryDigest,
  registryTags,
  saveEnv,
  writeBuildContext,
} from './helpers.js';

describeWith(['docker', 'registry', 'moto'], 'pushImage against moto, the registry and dockerd', (stack) => {
  let work: string;
  let home: string;
  let clients: AwsClients;
  let restoreEnv: () => void;

  beforeEach(async () => {
    restoreEnv = saveEnv('HOME', 'PATH', 'DOCKER_HOST', 'DOCKER_CONFIG', 'TMPDIR');
    work = await mkdtemp(join(tmpdir(), 'traefikctl-push-test-'));
    // The user's home: nothing may appear under it (no ~/.docker/config.json holding an ECR password).
    home = join(work, 'home');
    process.env.HOME = home;
    delete process.env.DOCKER_CONFIG;
    clients = new AwsClients({ maxAttempts: 1 });
  });

  afterEach(async () => {
    restoreEnv();
    await clients.destroy();
    await rm(work, { recursive: true, force: true });
  });

  async function options(overrides: Partial<PushImageOptions> = {}) {
    const app = uniqueName('push');
    const configDir = join(work, 'project');
    await writeBuildContext(configDir, stack.busybox ?? '/bin/busybox', app);
    const events: ProgressEvent[] = [];
    return {
      events,
      options: {
        app,
        appConfig: appSchema.parse({}),
        configDir,
        tags: ['v2', 'latest'],
        registryOverride: stack.registry,
        clients,
        onEvent: (event: ProgressEvent) => events.push(event),
        ...overrides,
      } satisfies PushImageOptions,
    };
  }

  async function describeRepository(name: string) {
    const ecr = await clients.ecr();
    try {
      const answer = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
      return answer.repositories?.[0];
    } catch (error) {
      if (error instanceof RepositoryNotFoundException) return undefined;
      throw error;
    }
  }

  it('creates the repository, logs in with the ECR token, builds, and pushes two tags with one digest', async () => {
    // given an app with a Dockerfile and no ECR repository yet, and a docker that records its argv
    const { options: push, events } = await options();
    const log = join(work, 'docker-argv.log');
    await installRecordingDocker(join(work, 'bin'), log);
    process.env.PATH = `${join(work, 'bin')}:${process.env.PATH}`;
    const password = stack.registryAuth.password;
    const watcher = new ArgvWatcher(password);
    watcher.start();

    // when it is pushed with --tag v2 --tag latest
    const result = await pushImage(push).finally(() => watcher.stop());

    // then moto has the repository, created with scan-on-push, the default mutability and the managed tag
    const repository = await describeRepository(push.app);
    expect(repository?.imageScanningConfiguration?.scanOnPush).toBe(true);
    expect(repository?.imageTagMutability).toBe('MUTABLE');
    const ecr = await clients.ecr();
    const { tags } = await ecr.send(
      new ListTagsForResourceCommand({ resourceArn: repository?.repositoryArn }),
    );
    expect(tags).toContainEqual({ Key: 'traefikctl:managed', Value: 'true' });

    // and the registry lists both tags, and serves the digest the push reported for each
    expect(await registryTags(stack, push.app)).toEqual(['latest', 'v2']);
    expect(await registryDigest(stack, push.app, 'v2')).toBe(result.digest);
    expect(await registryDigest(stack, push.app, 'latest')).toBe(result.digest);
    expect(result).toEqual({
      app: push.app,
      repository: push.app,
      registry: stack.registry,
      tags: ['v2', 'latest'],
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as string,
      imageUri: `${stack.registry}/${push.app}@${result.digest}`,
      pushedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
    });

    // and docker logged in with the password on stdin only: no argv of any process ever held it
    const invocations = await recordedInvocations(log);
    expect(invocations).toContainEqual(['login', '--username', 'AWS', '--password-stdin', stack.registry]);
    expect(invocations.flat().join('\n')).not.toContain(password);
    expect(watcher.scans).toBeGreaterThan(3);
    expect(watcher.hits).toEqual([]);
    // nor any event or the result
    expect(JSON.stringify(events)).not.toContain(password);
    expect(JSON.stringify(result)).not.toContain(password);

    // and nothing was written under the user's home (no ~/.docker)
    expect(await filesUnder(home)).toEqual([]);

    // and the user saw each phase end, the build steps and the layers
    const done = events
      .filter((e) => e.type === 'phase' && e.status === 'done')
      .map((e) => (e as { id: string }).id);
    expect(done).toEqual(['docker', 'build', 'repository', 'auth', 'push']);
    expect(events).toContainEqual({
      type: 'step',
      phase: 'build',
      message: '[2/5] COPY busybox /bin/busybox',
    });
    expect(events.some((e) => e.type === 'progress' && e.phase === 'push' && e.status === 'Pushed')).toBe(
      true,
    );
  });

  it('is idempotent: a second push reuses the repository and Docker skips the unchanged layers', async () => {
    // given an app pushed once
    const { options: push } = await options();
    const first = await pushImage(push);

    // when the same build is pushed again
    const events: ProgressEvent[] = [];
    const second = await pushImage({ ...push, onEvent: (event) => events.push(event) });

    // then the repository is reported as existing, every layer already exists, and the digest is the same
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'phase', id: 'repository', status: 'done', detail: 'exists' }),
    );
    const layerStates = events
      .filter((e) => e.type === 'progress')
      .map((e) => (e as { status: string }).status);
    expect(layerStates).toContain('Layer already exists');
    expect(layerStates).not.toContain('Pushed');
    expect(second.digest).toBe(first.digest);
    expect(await registryTags(stack, push.app)).toEqual(['latest', 'v2']);
  });

  it('handles a CI tag as DESIGN.md says, and adds the git short SHA in a git repository', async () => {
    // given an app whose config directory is a git repository with one commit
    const { options: push, events } = await options({ tags: ['feature/Login_Page'] });
    const { execa } = await import('execa');
    const git = (...args: string[]) =>
      execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: push.configDir });
    await git('init', '-q');
    await git('add', '.');
    await git('commit', '-q', '-m', 'init');
    const sha = (await git('rev-parse', '--short', 'HEAD')).stdout.trim();

    // when it is pushed with the branch name as tag
    const result = await pushImage(push);

    // then the Docker tag is the slug (`/` is not allowed in Docker tags), plus the SHA
    expect(result.tags).toEqual(['feature-login-page', sha]);
    expect(await registryTags(stack, push.app)).toEqual(['feature-login-page', sha].sort());
    expect(events).toContainEqual({
      type: 'info',
      message: expect.stringContaining('"feature/Login_Page" is pushed as feature-login-page') as string,
    });
  });

  it('pushes an image built beforehand with --no-build', async () => {
    // given a local image <repository>:<tag> that the user built themselves
    const { options: push } = await options({ tags: ['prebuilt'] });
    const { execa } = await import('execa');
    await execa('docker', ['build', '-q', '-t', `${push.app}:prebuilt`, push.configDir], {
      env: { DOCKER_BUILDKIT: '0' },
    });
    const events: ProgressEvent[] = [];

    // when it is pushed without building
    const result = await pushImage({ ...push, noBuild: true, onEvent: (event) => events.push(event) });

    // then the build is skipped and that image is in the registry
    expect(events).toContainEqual(expect.objectContaining({ type: 'phase', id: 'build', status: 'skipped' }));
    expect(await registryDigest(stack, push.app, 'prebuilt')).toBe(result.digest);
  });

  it('passes build args by name only: their values reach the build but no argv', async () => {
    // given an app with a build arg whose value is a secret, used by the Dockerfile
    const secret = `token-${uniqueName('v')}`;
    const { options: push } = await options({
      appConfig: appSchema.parse({ buildArgs: { NPM_TOKEN: secret } }),
    });
    await writeFile(
      join(push.configDir, 'Dockerfile'),
      'FROM scratch\nARG NPM_TOKEN\nLABEL token-seen=$NPM_TOKEN\nCOPY busybox /bin/busybox\n',
    );
    const log = join(work, 'docker-argv.log');
    await installRecordingDocker(join(work, 'bin'), log);
    process.env.PATH = `${join(work, 'bin')}:${process.env.PATH}`;

    // when it is built and pushed
    await pushImage(push);

    // then the build saw the value, and docker's argv only ever named the arg
    const { execa } = await import('execa');
    const inspected = await execa('docker', [
      'image',
      'inspect',
      '--format',
      '{{index .Config.Labels "token-seen"}}',
      `${push.app}:v2`,
    ]);
    expect(inspected.stdout.trim()).toBe(secret);
    const argv = (await recordedInvocations(log)).find((args) => args[0] === 'build');
    expect(argv).toContain('NPM_TOKEN');
    expect(argv?.join(' ')).not.toContain(secret);
  });

  it('fails with exit 2 naming the path when the Dockerfile is missing, before any AWS call', async () => {
    // given an app whose configured Dockerfile does not exist
    const { options: push } = await options({
      appConfig: appSchema.parse({ dockerfile: 'docker/Dockerfile.prod' }),
    });

    // when it is pushed
    const error = await pushImage(push).catch((thrown: unknown) => thrown);

    // then it is a usage error that names the full path, and no repository was created
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.Usage);
    expect((error as UserError).message).toBe(
      `There is no Dockerfile at ${join(push.configDir, 'docker/Dockerfile.prod')}.`,
    );
    expect(await describeRepository(push.app)).toBeUndefined();
  });

  it('fails with exit 1, one line of cause and one of fix, when the Docker daemon is down', async () => {
    // given DOCKER_HOST pointing at a socket nothing listens on
    const { options: push } = await options();
    const dead = join(work, 'dead.sock');
    await writeFile(dead, '');
    process.env.DOCKER_HOST = `unix://${dead}`;

    // when it is pushed
    const error = await pushImage(push).catch((thrown: unknown) => thrown);

    // then the user learns where docker looked and how to start it, and nothing was created in AWS
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.Failure);
    expect((error as UserError).message).toBe(`Can't reach the Docker daemon at unix://${dead}.`);
    expect((error as UserError).suggestions).toEqual([
      `DOCKER_HOST is set (DOCKER_HOST=unix://${dead}): check that it points at a running daemon, or unset it for the default one.`,
      'Start Docker Desktop or `sudo systemctl start docker`, then retry.',
    ]);
    expect(await describeRepository(push.app)).toBeUndefined();
  });

  it('shows the failing step and the last lines of build output when the build fails', async () => {
    // given a Dockerfile whose RUN step fails after printing something
    const { options: push } = await options();
    await writeFile(
      join(push.configDir, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo missing-dependency >&2; exit 7"]\n',
    );

    // when it is pushed
    const error = await pushImage(push).catch((thrown: unknown) => thrown);

    // then the message names the step and quotes the output, and nothing was pushed
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    expect(message).toContain('The image build failed at [3/3] RUN ["/bin/busybox", "sh", "-c"');
    expect(message).toContain('missing-dependency');
    expect(message).toContain('returned a non-zero code: 7');
    expect((error as UserError).exitCode).toBe(ExitCode.Failure);
  });

  it.each([
    [
      'a Dockerfile with a syntax error',
      'FROM scratch\nCOPY busybox /bin/busybox\nNOT-AN-INSTRUCTION x\n',
      false,
    ],
    [
      'a build step that fails',
      'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "false"]\n',
      false,
    ],
    ['--no-build without a local image', undefined, true],
  ])('creates no ECR repository when there is nothing to push: %s', async (_case, dockerfile, noBuild) => {
    // given an app whose image can't be built, or isn't there to push
    const { options: push } = await options({ tags: [uniqueName('absent')] });
    if (dockerfile !== undefined) await writeFile(join(push.configDir, 'Dockerfile'), dockerfile);

    // when it is pushed
    const error = await pushImage({ ...push, noBuild }).catch((thrown: unknown) => thrown);

    // then it fails, and no repository was left behind in ECR
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe(noBuild ? 'IMAGE_NOT_FOUND' : 'DOCKER_BUILD_FAILED');
    expect(await describeRepository(push.app)).toBeUndefined();
  });

  it('explains a registry that refuses the ECR credentials', async () => {
    // given a registry override whose host is not where the token works: the same registry under
    // another name would accept it, so use an address where nothing listens
    const { options: push } = await options({ registryOverride: '127.0.0.1:1' });

    // when it is pushed
    const error = await pushImage(push).catch((thrown: unknown) => thrown);

    // then the user reads that the registry can't be reached, without the password
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe("Can't reach the registry 127.0.0.1:1.");
    expect(
      JSON.stringify({ message: (error as UserError).message, s: (error as UserError).suggestions }),
    ).not.toContain(stack.registryAuth.password);
  });
});
