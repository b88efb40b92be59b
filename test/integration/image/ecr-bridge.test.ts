/**
 * The test stack's ECR bridge (test/stack/ecr-bridge) is what makes `image push` then `app deploy`
 * work as on AWS: these tests hold it to ECR's behaviour with real `docker push`es through it,
 * read back through moto's ECR API, which is what `app deploy` reads.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { AwsClients } from '../../../src/lib/aws/clients.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { writeBuildContext } from './helpers.js';

const run = promisify(execFile);

describeWith(['docker', 'registry', 'moto'], 'the ECR bridge in front of the test registry', (stack) => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  const clients = new AwsClients({ maxAttempts: 1 });
  const repositories: string[] = [];

  const docker = (...args: string[]) => run('docker', args, { env, timeout: 60_000 });

  /** `docker push`, with what docker printed when it fails (the registry's refusal is in there). */
  async function push(reference: string): Promise<{ ok: boolean; output: string }> {
    try {
      const { stdout, stderr } = await docker('push', reference);
      return { ok: true, output: stdout + stderr };
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      return { ok: false, output: stdout + stderr };
    }
  }

  async function build(page: string): Promise<string> {
    const context = join(work, uniqueName('context'));
    await writeBuildContext(context, stack.busybox ?? '/bin/busybox', page);
    const { stdout } = await docker('build', '-q', context);
    return stdout.trim();
  }

  async function createRepository(mutability: 'MUTABLE' | 'IMMUTABLE' = 'MUTABLE'): Promise<string> {
    const name = uniqueName('bridge');
    const ecr = await clients.ecr();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: mutability }));
    repositories.push(name);
    return name;
  }

  async function images(repository: string): Promise<ImageDetail[]> {
    const ecr = await clients.ecr();
    return (await ecr.send(new DescribeImagesCommand({ repositoryName: repository }))).imageDetails ?? [];
  }

  /** The digest the registry answered for the push, as docker recorded it. */
  async function pushedDigest(reference: string): Promise<string> {
    const { stdout } = await docker('inspect', '--format', '{{json .RepoDigests}}', reference);
    const repository = reference.slice(0, reference.lastIndexOf(':'));
    const digest = (JSON.parse(stdout) as string[])
      .find((entry) => entry.startsWith(`${repository}@`))
      ?.split('@')[1];
    if (digest === undefined) throw new Error(`docker recorded no digest for ${reference}: ${stdout}`);
    return digest;
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'traefikctl-ecr-bridge-'));
    const config = join(work, 'docker-config');
    await mkdir(config);
    await chmod(config, 0o700);
    env = { ...process.env, DOCKER_HOST: stack.dockerHost, DOCKER_CONFIG: config };
    const login = execFile(
      'docker',
      ['login', '--username', stack.registryAuth.username, '--password-stdin', stack.registry],
      { env },
    );
    login.stdin?.end(stack.registryAuth.password);
    await new Promise<void>((resolve, reject) =>
      login.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker login exited ${code}`)))),
    );
  });

  afterAll(async () => {
    const ecr = await clients.ecr();
    for (const name of repositories) {
      await ecr.send(new DeleteRepositoryCommand({ repositoryName: name, force: true })).catch(() => {});
    }
    await clients.destroy();
    await rm(work, { recursive: true, force: true });
  });

  it('registers each pushed tag in ECR under the digest the registry answered', async () => {
    // given an ECR repository and an image built locally
    const repository = await createRepository();
    const image = await build('registered');
    const reference = `${stack.registry}/${repository}:v1`;
    await docker('tag', image, reference);

    // when it is pushed through the bridge
    const pushed = await push(reference);

    // then ECR lists the tag with exactly the registry's digest
    expect(pushed.ok, pushed.output).toBe(true);
    const digest = await pushedDigest(reference);
    expect(await images(repository)).toEqual([
      expect.objectContaining({
        imageDigest: digest,
        imageTags: ['v1'],
        imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      }),
    ]);
  });

  it('moves a tag to a new image and keeps pushes of the same image idempotent, as ECR does', async () => {
    // given v1 pushed, then pushed again unchanged
    const repository = await createRepository();
    const reference = `${stack.registry}/${repository}:v1`;
    await docker('tag', await build('first'), reference);
    expect((await push(reference)).ok).toBe(true);
    const again = await push(reference);
    expect(again.ok, again.output).toBe(true);

    // when v1 is rebuilt and pushed, and latest names the same image
    await docker('tag', await build('second'), reference);
    expect((await push(reference)).ok).toBe(true);
    await docker('tag', reference, `${stack.registry}/${repository}:latest`);
    expect((await push(`${stack.registry}/${repository}:latest`)).ok).toBe(true);

    // then ECR has the new image under both tags, and the first one untagged
    const second = await pushedDigest(reference);
    const all = await images(repository);
    expect(all.find((detail) => detail.imageDigest === second)?.imageTags?.sort()).toEqual(['latest', 'v1']);
    expect(
      all.filter((detail) => detail.imageDigest !== second).flatMap((detail) => detail.imageTags ?? []),
    ).toEqual([]);
  });

  it('refuses a push to a repository that ECR does not have, with ECR’s words', async () => {
    // given an image for a repository nobody created
    const repository = uniqueName('nobody');
    const reference = `${stack.registry}/${repository}:v1`;
    await docker('tag', await build('orphan'), reference);

    // when it is pushed
    const pushed = await push(reference);

    // then docker fails with ECR's "name unknown" message and nothing reaches the registry
    expect(pushed.ok).toBe(false);
    expect(pushed.output).toContain(
      `The repository with name '${repository}' does not exist in the registry with id '123456789012'`,
    );
    const basic = Buffer.from(`${stack.registryAuth.username}:${stack.registryAuth.password}`).toString(
      'base64',
    );
    const tags = await fetch(`http://${stack.registry}/v2/${repository}/tags/list`, {
      headers: { authorization: `Basic ${basic}` },
    });
    expect(tags.status).toBe(404);
  });

  it('refuses to move a tag of an IMMUTABLE repository, and accepts a new tag there', async () => {
    // given an immutable repository with v1 pushed
    const repository = await createRepository('IMMUTABLE');
    const reference = `${stack.registry}/${repository}:v1`;
    await docker('tag', await build('immutable one'), reference);
    expect((await push(reference)).ok).toBe(true);
    const first = await pushedDigest(reference);

    // when another image is pushed as v1, then as v2
    await docker('tag', await build('immutable two'), reference);
    const moved = await push(reference);
    await docker('tag', reference, `${stack.registry}/${repository}:v2`);
    const added = await push(`${stack.registry}/${repository}:v2`);

    // then the move is refused as ECR refuses it, v1 still names the first image, and v2 is there
    expect(moved.ok).toBe(false);
    expect(moved.output).toContain(
      `The image tag 'v1' already exists in the '${repository}' repository and cannot be overwritten because the repository is immutable.`,
    );
    expect(added.ok, added.output).toBe(true);
    const all = await images(repository);
    expect(all.find((detail) => detail.imageTags?.includes('v1'))?.imageDigest).toBe(first);
    expect(all.some((detail) => detail.imageTags?.includes('v2'))).toBe(true);
  });
});
