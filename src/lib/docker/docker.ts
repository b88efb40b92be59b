import { UserError } from '../errors.js';
import { daemonError, dockerFailed, runDocker, unreachableSuggestions } from './exec.js';

export interface DockerVersion {
  client: string;
  server: string;
  /** The daemon's platform, e.g. `linux/amd64`: what a build without emulation produces. */
  platform: string;
}

interface VersionJson {
  Client?: { Version?: string } | null;
  Server?: { Version?: string; Os?: string; Arch?: string } | null;
}

/**
 * Asks the CLI and the daemon for their versions: the cheapest call that proves the daemon answers.
 * Docker down -> UserError (exit 1) with the cause and the fix on one line each.
 */
export async function dockerVersion(
  options: { signal?: AbortSignal | undefined } = {},
): Promise<DockerVersion> {
  const args = ['version', '--format', '{{json .}}'];
  const result = await runDocker(args, { captureStdout: true, signal: options.signal });
  let parsed: VersionJson | undefined;
  try {
    parsed = JSON.parse(result.stdout.trim() || 'null') as VersionJson | undefined;
  } catch {
    parsed = undefined;
  }
  const server = parsed?.Server;
  if (!server?.Version) {
    // `docker version` prints the client half and exits 1 when the daemon doesn't answer; runDocker
    // already recognised the usual wordings, this covers any other.
    throw (
      daemonError(result.tail.join('\n')) ??
      (result.exitCode === 0
        ? new UserError("Can't reach the Docker daemon.", {
            suggestions: unreachableSuggestions(),
            code: 'DOCKER_UNREACHABLE',
          })
        : dockerFailed(args, result))
    );
  }
  return {
    client: parsed?.Client?.Version ?? 'unknown',
    server: server.Version,
    platform: `${server.Os ?? 'linux'}/${server.Arch ?? 'amd64'}`,
  };
}

/** Whether `docker buildx` is installed (a CLI plugin: Docker Desktop and docker-ce ship it, Debian's docker.io doesn't). */
export async function hasBuildx(): Promise<boolean> {
  const result = await runDocker(['buildx', 'version']);
  return result.exitCode === 0;
}

/** The id of a local image, or undefined when there is none by that reference. */
export async function imageId(reference: string): Promise<string | undefined> {
  const result = await runDocker(['image', 'inspect', '--format', '{{.Id}}', reference], {
    captureStdout: true,
  });
  if (result.exitCode !== 0) return undefined;
  return result.stdout.trim() || undefined;
}

/** An image id as `docker images` shows it: 12 hex digits, without `sha256:`. */
export function shortImageId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** `docker tag source target`. */
export async function tagImage(source: string, target: string): Promise<void> {
  const args = ['tag', source, target];
  const result = await runDocker(args);
  if (result.exitCode !== 0) throw dockerFailed(args, result);
}
