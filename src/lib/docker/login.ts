import { createHash } from 'node:crypto';
import { constants, readlinkSync, rmSync } from 'node:fs';
import { access, chmod, lstat, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, hostname, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { UserError } from '../errors.js';
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

/** Every temporary login directory's name starts so: `traefikctl-docker-<pid>.<scope>-<random>`. */
export const LOGIN_DIR_PREFIX = 'traefikctl-docker-';
/**
 * ECR authorization tokens are valid for 12 hours: a login directory older than that holds nothing
 * usable, whoever made it, so it goes even when its run seems alive (a reused pid).
 */
export const LOGIN_DIR_MAX_AGE_MS = 12 * 60 * 60 * 1000;
const LOGIN_DIR_NAME = /^traefikctl-docker-(\d+)\.([0-9a-z]+)-/;

/**
 * Where a pid means the same process as ours: the pid namespace on Linux (containers that share /tmp
 * with the host have their own pids), else the host name. Short, and safe in a file name.
 */
function pidScope(): string {
  let scope: string;
  try {
    scope = readlinkSync('/proc/self/ns/pid');
  } catch {
    scope = hostname();
  }
  return createHash('sha256').update(scope).digest('hex').slice(0, 12);
}

/** The name prefix of this process' login directories: it says whose run they belong to. */
export function loginDirPrefix(pid: number = process.pid): string {
  return `${LOGIN_DIR_PREFIX}${pid}.${pidScope()}-`;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the login directories (and the ECR tokens in them) that earlier runs of this user left in
 * `dir`, which only a SIGKILL, a crash or a power cut can do: a run that ends any other way removes
 * its own. A directory is stale when it is this user's and either the run that made it is gone (its
 * pid, in our pid namespace, no longer exists) or it is older than an ECR token lives. Another
 * user's directory, a live run's, and anything that is not a plain directory (a symlink planted in a
 * shared /tmp) are left alone. Best effort: what can't be read or removed stays, and the push goes on.
 * Returns the directories removed.
 */
export async function removeStaleLogins(options: { dir?: string; now?: number } = {}): Promise<string[]> {
  const dir = options.dir ?? tmpdir();
  const now = options.now ?? Date.now();
  const uid = process.getuid?.();
  const scope = pidScope();
  // A missing or unreadable temporary directory has no stale logins we could remove.
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(LOGIN_DIR_PREFIX)) continue;
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) continue;
    // Where there are no uids (Windows), the temporary directory is the user's own.
    if (uid !== undefined && info.uid !== uid) continue;
    const owner = LOGIN_DIR_NAME.exec(name);
    const pid = owner?.[2] === scope ? Number(owner[1]) : undefined;
    const expired = now - info.mtimeMs > LOGIN_DIR_MAX_AGE_MS;
    const orphaned = pid !== undefined && !isRunning(pid);
    if (!expired && !orphaned) continue;
    try {
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Someone else's files inside, or a read-only mount: not ours to fail a push over.
    }
  }
  return removed;
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
 *   SIGINT/SIGTERM/SIGHUP and at process exit. What a SIGKILL leaves behind, the next run removes
 *   first (`removeStaleLogins`).
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
  await removeStaleLogins();
  const userDir = userDockerConfigDir(env);
  const userConfig = await readUserConfig(userDir);

  const helper = userConfig.credHelpers?.[credentials.registry];
  if (typeof helper === 'string' && helper !== '') {
    // Docker says only "no basic auth credentials" when the helper isn't installed: say it first.
    if (!(await onPath(`docker-credential-${helper}`, env)))
      throw helperMissing(helper, credentials.registry, join(userDir, 'config.json'));
    return fn({ env: {}, method: 'credential-helper', helper });
  }

  const dir = await mkdtemp(join(tmpdir(), loginDirPrefix()));
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

/** Whether `command` is an executable in a directory of the PATH that docker will search. */
async function onPath(command: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const names =
    process.platform === 'win32' ? [`${command}.exe`, `${command}.cmd`, `${command}.bat`] : [command];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of names) {
      const found = await access(join(dir, name), constants.X_OK).then(
        () => true,
        () => false,
      );
      if (found) return true;
    }
  }
  return false;
}

function helperMissing(helper: string, registry: string, configFile: string): UserError {
  return new UserError(
    `${configFile} has Docker use the credential helper ${helper} for ${registry}, but docker-credential-${helper} is not on PATH.`,
    {
      suggestions: [
        helper === 'ecr-login'
          ? 'Install amazon-ecr-credential-helper, which provides docker-credential-ecr-login (`brew install docker-credential-helper-ecr`, `apt-get install amazon-ecr-credential-helper`), or put it on PATH.'
          : `Install docker-credential-${helper}, or put it on PATH.`,
        `Or remove "${registry}" from credHelpers in ${configFile}: traefikctl then logs Docker in with a temporary ECR token of its own.`,
      ],
      code: 'DOCKER_CREDENTIAL_HELPER_MISSING',
    },
  );
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
