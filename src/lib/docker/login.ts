import { rmSync } from 'node:fs';
import { chmod, lstat, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { dockerFailed, runDocker } from './exec.js';
import { explainRegistryRefusal } from './registry-errors.js';

export interface DockerCredentials {
  /** Registry host, optionally with a port: `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
  registry: string;
  username: string;
  password: string;
}

export interface DockerSession {
  /** Environment for the docker commands that must see the login (pass it to `runDocker`). */
  env: Readonly<Record<string, string>>;
  /**
   * `login`: we logged in into a private, temporary DOCKER_CONFIG;
   * `credential-helper`: the user's own config names a helper for this registry and is used as is.
   */
  method: 'login' | 'credential-helper';
  helper?: string;
}

interface UserDockerConfig {
  credHelpers?: Record<string, string>;
  currentContext?: string;
}

/** The directory docker reads its config from, as the CLI decides it. */
export function userDockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(homedir(), '.docker');
}

async function readUserConfig(dir: string): Promise<UserDockerConfig> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    // Missing or unreadable: docker itself treats it as empty.
    return {};
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` logged in to a registry, without ever writing into the user's docker configuration and
 * without the password reaching any process' argv.
 *
 * How:
 * - A per-registry credential helper in the user's config (`credHelpers[registry]`, typically
 *   `ecr-login` from amazon-ecr-credential-helper) is respected: `fn` runs with the user's own config,
 *   we don't log in at all, and the helper fetches its own token. Nothing is written anywhere.
 * - Otherwise we create a temporary DOCKER_CONFIG (mode 0700), `docker login --password-stdin` into it
 *   and run `fn` with it. The directory is removed afterwards: on success, on failure, on
 *   SIGINT/SIGTERM/SIGHUP and at process exit.
 * - The temporary config deliberately carries no `credsStore`/`credHelpers`: with one, docker would put
 *   the ECR password into the OS keychain, where nothing removes it. It is seeded with an empty `auths`
 *   entry for the registry, because a config with no auth at all makes the docker CLI auto-detect a
 *   platform keychain helper (osxkeychain, secretservice, pass) and store the password there anyway.
 * - The user's Docker context survives the switch: `currentContext` is copied and the `contexts`
 *   directory is linked (read only by docker), so Docker Desktop, colima or a remote context keep
 *   pointing docker at the same daemon.
 */
export async function withDockerLogin<T>(
  credentials: DockerCredentials,
  fn: (session: DockerSession) => Promise<T>,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<T> {
  const env = options.env ?? process.env;
  const userDir = userDockerConfigDir(env);
  const userConfig = await readUserConfig(userDir);

  const helper = userConfig.credHelpers?.[credentials.registry];
  if (typeof helper === 'string' && helper !== '')
    return fn({ env: {}, method: 'credential-helper', helper });

  const dir = await mkdtemp(join(tmpdir(), 'traefikctl-docker-'));
  let removed = false;
  const removeSync = (): void => {
    if (removed) return;
    removed = true;
    rmSync(dir, { recursive: true, force: true });
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (signal: NodeJS.Signals): void => {
    removeSync();
    detach();
    // Listening to a signal replaces Node's default "terminate". When nobody else handles it (the
    // command may, to exit 130 after its own cleanup), re-raise it so the process still ends as the
    // user asked.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const detach = (): void => {
    for (const signal of signals) process.off(signal, onSignal);
    process.off('exit', removeSync);
  };
  for (const signal of signals) process.on(signal, onSignal);
  process.on('exit', removeSync);

  try {
    await chmod(dir, 0o700);
    const config: Record<string, unknown> = { auths: { [credentials.registry]: {} } };
    if (userConfig.currentContext) config.currentContext = userConfig.currentContext;
    await writeFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    if (await exists(join(userDir, 'contexts')))
      await symlink(join(userDir, 'contexts'), join(dir, 'contexts'));

    const session: DockerSession = { env: { DOCKER_CONFIG: dir }, method: 'login' };
    await dockerLogin(credentials, session.env);
    return await fn(session);
  } finally {
    detach();
    if (!removed) {
      removed = true;
      await rm(dir, { recursive: true, force: true });
    }
  }
}

async function dockerLogin(
  credentials: DockerCredentials,
  env: Readonly<Record<string, string>>,
): Promise<void> {
  const args = ['login', '--username', credentials.username, '--password-stdin', credentials.registry];
  const result = await runDocker(args, {
    env,
    input: credentials.password,
    secrets: [credentials.password],
  });
  if (result.exitCode === 0) return;
  const output = result.tail.join('\n');
  throw (
    explainRegistryRefusal(output, credentials.registry, `log in to ${credentials.registry}`) ??
    dockerFailed(args, result)
  );
}
