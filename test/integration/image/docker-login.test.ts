import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, it } from 'vitest';

import { AwsClients } from '../../../src/lib/aws/clients.js';
import { appSchema } from '../../../src/lib/config/schema.js';
import { withDockerLogin, type DockerSession } from '../../../src/lib/docker/login.js';
import { dockerPush } from '../../../src/lib/docker/push.js';
import { UserError } from '../../../src/lib/errors.js';
import { pushImage } from '../../../src/lib/image/push.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import {
  filesUnder,
  installRecordingDocker,
  recordedInvocations,
  registryTags,
  saveEnv,
  writeBuildContext,
} from './helpers.js';

describeWith(['docker', 'registry'], 'withDockerLogin', (stack) => {
  let work: string;
  let home: string;
  let bin: string;
  let restoreEnv: () => void;
  const credentials = () => ({ registry: stack.registry, ...stack.registryAuth });

  beforeEach(async () => {
    restoreEnv = saveEnv('HOME', 'PATH', 'DOCKER_HOST', 'DOCKER_CONFIG', 'TMPDIR');
    work = await mkdtemp(join(tmpdir(), 'traefikctl-login-test-'));
    home = join(work, 'home');
    bin = join(work, 'bin');
    await mkdir(home, { recursive: true });
    await mkdir(bin, { recursive: true });
    process.env.HOME = home;
    process.env.PATH = `${bin}:${process.env.PATH}`;
    delete process.env.DOCKER_CONFIG;
  });

  afterEach(async () => {
    restoreEnv();
    await rm(work, { recursive: true, force: true });
  });

  /** A docker-credential-<name> on PATH that logs each call and, for `get`, answers with `secret`. */
  async function fakeCredentialHelper(name: string, log: string, secret?: string): Promise<void> {
    const answer = secret
      ? `printf '{"ServerURL":"%s","Username":"AWS","Secret":"%s"}' "$server" '${secret}'`
      : 'exit 1';
    await writeFile(
      join(bin, `docker-credential-${name}`),
      `#!/bin/sh\nserver=$(cat)\nprintf '%s %s\\n' "$1" "$server" >> '${log}'\nif [ "$1" = get ]; then ${answer}; fi\n`,
    );
    await chmod(join(bin, `docker-credential-${name}`), 0o755);
  }

  it('logs in into a private 0700 config that is gone afterwards, never into an OS keychain', async () => {
    // given keychain helpers on PATH that docker would pick by default for a config without auths
    const log = join(work, 'keychain.log');
    await fakeCredentialHelper('secretservice', log);
    await fakeCredentialHelper('pass', log);
    let seen: { dir: string; mode: number; config: string } | undefined;

    // when we log in and look at the session from inside
    await withDockerLogin(credentials(), async (session: DockerSession) => {
      const dir = session.env.DOCKER_CONFIG ?? '';
      seen = {
        dir,
        mode: (await stat(dir)).mode & 0o777,
        config: await readFile(join(dir, 'config.json'), 'utf8'),
      };
    });

    // then the login lived in a 0700 directory, in its config.json, and no keychain helper was called
    expect(seen?.mode).toBe(0o700);
    expect(JSON.parse(seen?.config ?? '{}')).toEqual({
      auths: { [stack.registry]: { auth: Buffer.from('AWS:123456789012-auth-token').toString('base64') } },
    });
    expect(await readFile(log, 'utf8').catch(() => '')).toBe('');
    // and the directory is gone, and the user's home untouched
    expect(existsSync(seen?.dir ?? '/nonexistent-but-checked')).toBe(false);
    expect(await filesUnder(home)).toEqual([]);
  });

  it('removes the login when the work inside fails', async () => {
    let dir = '';
    const failure = await withDockerLogin(credentials(), (session) => {
      dir = session.env.DOCKER_CONFIG ?? '';
      return Promise.reject(new Error('push failed'));
    }).catch((error: unknown) => error);
    expect((failure as Error).message).toBe('push failed');
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  it('removes the login at once on Ctrl-C', async () => {
    // given the command has its own SIGINT handler (so the signal doesn't end this test process)
    const commandHandler = () => undefined;
    process.on('SIGINT', commandHandler);
    let dir = '';
    let existedAfterSignal = true;
    try {
      await withDockerLogin(credentials(), (session) => {
        dir = session.env.DOCKER_CONFIG ?? '';
        // when SIGINT arrives in the middle of the work
        process.emit('SIGINT', 'SIGINT');
        // then the directory is already gone before the work even returns
        existedAfterSignal = existsSync(dir);
        return Promise.resolve();
      });
    } finally {
      process.off('SIGINT', commandHandler);
    }
    expect(dir).not.toBe('');
    expect(existedAfterSignal).toBe(false);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('keeps the user’s Docker context, so docker talks to the same daemon', async () => {
    // given a user whose current Docker context (as Docker Desktop or colima set one) points at a
    // socket where nothing listens, and no DOCKER_HOST to override it
    const { execa } = await import('execa');
    const dead = `unix://${join(work, 'elsewhere.sock')}`;
    const userConfig: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: join(home, '.docker') };
    delete userConfig.DOCKER_HOST;
    await execa('docker', ['context', 'create', 'elsewhere', '--docker', `host=${dead}`], {
      env: userConfig,
    });
    await execa('docker', ['context', 'use', 'elsewhere'], { env: userConfig });
    delete process.env.DOCKER_HOST;

    // when we log in and push (recent docker CLIs log in without the daemon; pushing needs it)
    const error = await withDockerLogin(credentials(), (session) =>
      dockerPush(`${stack.registry}/nothing-here:v1`, { env: session.env, registry: stack.registry }),
    ).catch((thrown: unknown) => thrown);

    // then docker looked for the daemon where the context says, not at the default socket
    expect((error as UserError).message).toBe(`Can't reach the Docker daemon at ${dead}.`);
  });

  it('explains a registry that refuses the credentials, without quoting them', async () => {
    const error = await withDockerLogin({ ...credentials(), password: 'not-the-password' }, () =>
      Promise.resolve(),
    ).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('REGISTRY_UNAUTHORIZED');
    expect((error as UserError).message).toBe(
      `Can't log in to ${stack.registry}: the registry ${stack.registry} refused the credentials.`,
    );
    expect(JSON.stringify([(error as UserError).message, (error as UserError).suggestions])).not.toContain(
      'not-the-password',
    );
  });
});

describeWith(['docker', 'registry', 'moto'], 'pushImage with a credential helper configured', (stack) => {
  let work: string;
  let restoreEnv: () => void;

  beforeEach(async () => {
    restoreEnv = saveEnv('HOME', 'PATH', 'DOCKER_HOST', 'DOCKER_CONFIG', 'TMPDIR');
    work = await mkdtemp(join(tmpdir(), 'traefikctl-helper-test-'));
    delete process.env.DOCKER_CONFIG;
  });

  afterEach(async () => {
    restoreEnv();
    await rm(work, { recursive: true, force: true });
  });

  it('uses the user’s credHelpers entry for the registry instead of logging in, and writes nothing', async () => {
    // given a user whose ~/.docker/config.json names a helper for this registry (as ecr-login users do)
    const home = join(work, 'home');
    const bin = join(work, 'bin');
    await mkdir(join(home, '.docker'), { recursive: true });
    const userConfig = `${JSON.stringify({ credHelpers: { [stack.registry]: 'traefikctl-test' } }, null, 2)}\n`;
    await writeFile(join(home, '.docker', 'config.json'), userConfig);
    const helperLog = join(work, 'helper.log');
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, 'docker-credential-traefikctl-test'),
      `#!/bin/sh\nserver=$(cat)\nprintf '%s %s\\n' "$1" "$server" >> '${helperLog}'\n[ "$1" = get ] && printf '{"ServerURL":"%s","Username":"AWS","Secret":"%s"}' "$server" '${stack.registryAuth.password}'\nexit 0\n`,
    );
    await chmod(join(bin, 'docker-credential-traefikctl-test'), 0o755);
    const dockerLog = join(work, 'docker-argv.log');
    await installRecordingDocker(bin, dockerLog);
    process.env.HOME = home;
    process.env.PATH = `${bin}:${process.env.PATH}`;
    const app = uniqueName('helper');
    await writeBuildContext(join(work, 'project'), stack.busybox ?? '/bin/busybox', app);
    const clients = new AwsClients({ maxAttempts: 1 });

    // when the app is pushed
    const result = await pushImage({
      app,
      appConfig: appSchema.parse({}),
      configDir: join(work, 'project'),
      tags: ['v1'],
      registryOverride: stack.registry,
      clients,
    }).finally(() => clients.destroy());

    // then docker got its credentials from the helper, traefikctl never ran `docker login`,
    // and the user's config is exactly as it was, with nothing added beside it
    expect(await registryTags(stack, app)).toEqual(['v1']);
    expect(result.tags).toEqual(['v1']);
    expect(await readFile(helperLog, 'utf8')).toContain(`get ${stack.registry}`);
    const invocations = await recordedInvocations(dockerLog);
    expect(invocations.map((argv) => argv[0])).not.toContain('login');
    expect(await readFile(join(home, '.docker', 'config.json'), 'utf8')).toBe(userConfig);
    expect(await filesUnder(join(home, '.docker'))).toEqual(['config.json']);
  });

  it('says the credential helper is missing, instead of blaming the ECR account', async () => {
    // given a user whose ~/.docker/config.json names a helper for this registry that is not installed
    const home = join(work, 'home');
    await mkdir(join(home, '.docker'), { recursive: true });
    const configPath = join(home, '.docker', 'config.json');
    await writeFile(configPath, JSON.stringify({ credHelpers: { [stack.registry]: 'ecr-login' } }));
    process.env.HOME = home;
    process.env.PATH = (process.env.PATH ?? '')
      .split(':')
      .filter((dir) => !existsSync(join(dir, 'docker-credential-ecr-login')))
      .join(':');
    const app = uniqueName('helper');
    await writeBuildContext(join(work, 'project'), stack.busybox ?? '/bin/busybox', app);
    const clients = new AwsClients({ maxAttempts: 1 });

    // when the app is pushed
    const error = await pushImage({
      app,
      appConfig: appSchema.parse({}),
      configDir: join(work, 'project'),
      tags: ['v1'],
      registryOverride: stack.registry,
      clients,
    })
      .catch((thrown: unknown) => thrown)
      .finally(() => clients.destroy());

    // then the error names the missing helper and the two ways out, and nothing about the ECR token
    expect(error).toBeInstanceOf(UserError);
    const { message, suggestions, code } = error as UserError;
    expect(code).toBe('DOCKER_CREDENTIAL_HELPER_MISSING');
    expect(message).toBe(
      `${configPath} has Docker use the credential helper ecr-login for ${stack.registry}, but docker-credential-ecr-login is not on PATH.`,
    );
    expect(suggestions.join('\n')).toContain('amazon-ecr-credential-helper');
    expect(suggestions.join('\n')).toContain(`remove "${stack.registry}" from credHelpers`);
    expect(`${message}\n${suggestions.join('\n')}`).not.toMatch(/account|region/);
  });

  it('blames the credential helper, not the ECR account, when the registry refuses what it gave', async () => {
    // given a user whose helper for this registry answers with a password the registry refuses
    const home = join(work, 'home');
    const bin = join(work, 'bin');
    await mkdir(join(home, '.docker'), { recursive: true });
    await writeFile(
      join(home, '.docker', 'config.json'),
      JSON.stringify({ credHelpers: { [stack.registry]: 'traefikctl-stale' } }),
    );
    await mkdir(bin, { recursive: true });
    await writeFile(
      join(bin, 'docker-credential-traefikctl-stale'),
      `#!/bin/sh\nserver=$(cat)\n[ "$1" = get ] && printf '{"ServerURL":"%s","Username":"AWS","Secret":"stale"}' "$server"\nexit 0\n`,
    );
    await chmod(join(bin, 'docker-credential-traefikctl-stale'), 0o755);
    process.env.HOME = home;
    process.env.PATH = `${bin}:${process.env.PATH}`;
    const app = uniqueName('helper');
    await writeBuildContext(join(work, 'project'), stack.busybox ?? '/bin/busybox', app);
    const clients = new AwsClients({ maxAttempts: 1 });

    // when the app is pushed
    const error = await pushImage({
      app,
      appConfig: appSchema.parse({}),
      configDir: join(work, 'project'),
      tags: ['v1'],
      registryOverride: stack.registry,
      clients,
    })
      .catch((thrown: unknown) => thrown)
      .finally(() => clients.destroy());

    // then the error names the helper and how to check it
    expect(error).toBeInstanceOf(UserError);
    const { message, suggestions } = error as UserError;
    expect(message).toMatch(
      new RegExp(
        `the registry ${stack.registry} refused the credentials from docker-credential-traefikctl-stale\\.$`,
      ),
    );
    expect(suggestions[0]).toContain(`echo ${stack.registry} | docker-credential-traefikctl-stale get`);
    expect(suggestions.join('\n')).not.toContain('ECR token belongs to another account');
  });
});
