import { debug, since } from '../debug.js';
import { UserError } from '../errors.js';

/**
 * The one place that starts the `docker` CLI. Every docker call in traefikctl goes through
 * `runDocker`, so that three rules hold everywhere:
 * - secrets go to stdin (`input`) or to the environment, never to argv; any text we keep from the
 *   subprocess is scrubbed of the secrets we know about;
 * - output is read line by line and only a bounded tail is kept (a big build prints megabytes);
 * - "the daemon is not there" is recognised on any command and explained the same way.
 */

export interface DockerRunOptions {
  /** Extra environment for this call, on top of process.env (e.g. DOCKER_CONFIG, build-arg values). */
  env?: Readonly<Record<string, string>>;
  /** Written to the subprocess' stdin; the only way a secret may reach docker. */
  input?: string;
  cwd?: string;
  /** Each output line as it arrives, ANSI colours stripped. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Keep all of stdout (for small structured answers: `--format '{{json .}}'`). */
  captureStdout?: boolean;
  /** Texts to replace with `***` wherever output is kept or shown. */
  secrets?: readonly string[];
  /** How many of the last output lines to keep for error messages. */
  tailLines?: number;
  /** Ends the subprocess (`docker logs --follow` until Ctrl-C); the call then resolves. */
  signal?: AbortSignal | undefined;
}

export interface DockerRunResult {
  exitCode: number;
  /** Full stdout when `captureStdout` was set, else ''. */
  stdout: string;
  /** The last output lines of both streams, interleaved as they arrived, secrets scrubbed. */
  tail: string[];
  /** The last stderr lines only: where docker puts its own error messages. */
  stderrTail: string[];
}

// eslint-disable-next-line no-control-regex -- ANSI escape sequences are control characters by definition.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export function redact(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join('***');
  }
  return result;
}

/**
 * How a docker invocation is shown in messages and debug lines: argv only (secrets never are in it),
 * build-arg values hidden, and any known secret scrubbed all the same.
 */
export function describeDockerCommand(args: readonly string[], secrets: readonly string[] = []): string {
  const shown: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    shown.push(/\s/.test(arg) ? JSON.stringify(arg) : arg);
    if (arg === '--build-arg' && i + 1 < args.length) {
      const value = args[i + 1] ?? '';
      shown.push(value.includes('=') ? `${value.slice(0, value.indexOf('='))}=***` : value);
      i += 1;
    }
  }
  return redact(`docker ${shown.join(' ')}`, secrets);
}

/**
 * What to do when the daemon doesn't answer: start it, and, where DOCKER_HOST or DOCKER_CONTEXT chose
 * another daemon than the default, look at that choice first (a stale tunnel, a context of a
 * machine that is off).
 */
export function unreachableSuggestions(env: NodeJS.ProcessEnv = process.env): string[] {
  const chosen = (['DOCKER_HOST', 'DOCKER_CONTEXT'] as const).filter((name) => (env[name] ?? '') !== '');
  return [
    ...chosen.map(
      (name) =>
        `${name} is set (${name}=${env[name] ?? ''}): check that it points at a running daemon, or unset it for the default one.`,
    ),
    'Start Docker Desktop or `sudo systemctl start docker`, then retry.',
  ];
}

/**
 * The daemon is down, unreachable or not ours to use. Recognised from the CLI's own wording, which has
 * been stable since Docker 1.x ("Cannot connect to the Docker daemon at …") and 18.x ("permission denied
 * while trying to connect to the Docker daemon socket at …", "error during connect" on Windows/remote).
 */
export function daemonError(output: string, env: NodeJS.ProcessEnv = process.env): UserError | undefined {
  const cannot = /Cannot connect to the Docker daemon at (\S+?)\.? Is the docker daemon running\?/i.exec(
    output,
  );
  if (cannot || /error during connect/i.test(output)) {
    const at = cannot?.[1];
    return new UserError(`Can't reach the Docker daemon${at ? ` at ${at}` : ''}.`, {
      suggestions: unreachableSuggestions(env),
      code: 'DOCKER_UNREACHABLE',
    });
  }
  const denied = /permission denied while trying to connect to the Docker daemon socket at (\S+?):\s/i.exec(
    output,
  );
  if (denied) {
    return new UserError(`Can't use the Docker daemon at ${denied[1] ?? 'its socket'}: permission denied.`, {
      suggestions: [
        'Add your user to the docker group (`sudo usermod -aG docker $USER`, then log in again), or start Docker Desktop.',
      ],
      code: 'DOCKER_PERMISSION_DENIED',
    });
  }
  return undefined;
}

function dockerMissing(): UserError {
  return new UserError("Can't find the `docker` command.", {
    suggestions: [
      'Install Docker Desktop (https://docs.docker.com/get-docker/) or the Docker engine, and make sure `docker` is on your PATH.',
    ],
    code: 'DOCKER_NOT_FOUND',
  });
}

/**
 * Runs `docker <args>`. Resolves with the exit code and the output tail whatever the exit code (callers
 * explain failures in their own terms), except for two failures no caller can handle better: docker is
 * not installed, or its daemon can't be reached.
 */
export async function runDocker(
  args: readonly string[],
  options: DockerRunOptions = {},
): Promise<DockerRunResult> {
  const { execa } = await import('execa');
  const secrets = options.secrets ?? [];
  const tailSize = options.tailLines ?? 40;
  const tail: string[] = [];
  const stderrTail: string[] = [];

  const keep = (buffer: string[], line: string, size: number): void => {
    buffer.push(line);
    if (buffer.length > size) buffer.shift();
  };
  // Line transforms: each line is seen here, and passed on to execa's buffer only when the caller
  // asked for stdout, so a long build never accumulates in memory.
  const reader = (stream: 'stdout' | 'stderr') =>
    function* (chunk: unknown): Generator<string, void, unknown> {
      const line = redact(stripAnsi(String(chunk)), secrets);
      if (line.trim() !== '') {
        keep(tail, line, tailSize);
        if (stream === 'stderr') keep(stderrTail, line, tailSize);
      }
      options.onLine?.(line, stream);
      if (stream === 'stdout' && options.captureStdout) yield line;
    };

  const started = performance.now();
  debug('docker', `${describeDockerCommand(args, secrets)}`);
  const subprocess = execa('docker', [...args], {
    reject: false,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...options.env },
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    stdout: reader('stdout'),
    stderr: reader('stderr'),
    // The subprocess is ours: when traefikctl is interrupted, it goes too.
    cleanup: true,
    ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
  });
  const result = await subprocess;
  debug(
    'docker',
    `${describeDockerCommand(args, secrets)} exit ${result.exitCode ?? '?'} in ${since(started)}`,
  );

  if ((result as { code?: string }).code === 'ENOENT' || /spawn docker ENOENT/.test(result.message ?? '')) {
    throw dockerMissing();
  }
  const exitCode = result.exitCode ?? 1;
  if (exitCode !== 0) {
    const daemon = daemonError(stderrTail.join('\n'));
    if (daemon) throw daemon;
  }
  return { exitCode, stdout: typeof result.stdout === 'string' ? result.stdout : '', tail, stderrTail };
}

/** The error for a docker command that failed: which command, and what docker said (secrets scrubbed). */
export function dockerFailed(
  args: readonly string[],
  result: DockerRunResult,
  summary?: string,
  suggestions: readonly string[] = [],
): UserError {
  const said = result.stderrTail.length > 0 ? result.stderrTail : result.tail;
  const last = said.slice(-6).join('\n');
  return new UserError(
    `${summary ?? `\`${describeDockerCommand(args)}\` failed (exit ${result.exitCode})`}${last ? `:\n${last}` : '.'}`,
    { suggestions, code: 'DOCKER_FAILED' },
  );
}
