import { dockerFailed, runDocker, type DockerRunResult } from '../docker/exec.js';

/**
 * The reads and writes of the local engine that the Docker target needs, all through
 * src/lib/docker/exec.ts (the one place that starts `docker`).
 */

/** What `docker container inspect` says about a container, the fields traefikctl reads. */
export interface ContainerInfo {
  Id: string;
  /** `/name`. */
  Name: string;
  /** The arguments after the entry point (Traefik's command line). */
  Args?: string[] | null;
  Created: string;
  /** The image id, `sha256:…`. */
  Image: string;
  /** `Env` is `NAME=value`, the image's own and what `docker run --env` passed. */
  Config: {
    Image?: string;
    Labels?: Record<string, string> | null;
    Env?: string[] | null;
    /** Seconds, when `docker run --stop-timeout` set one. */
    StopTimeout?: number | null;
  };
  /** `Memory` is the `--memory` limit in bytes, 0 for none. */
  HostConfig?: { Memory?: number };
  State: {
    Status: string;
    Running: boolean;
    ExitCode: number;
    Error?: string;
    OOMKilled?: boolean;
    StartedAt?: string;
    FinishedAt?: string;
    Health?: { Status: string } | null;
  };
  NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> | null };
}

export function containerName(info: Pick<ContainerInfo, 'Name'>): string {
  return info.Name.replace(/^\//, '');
}

export function labelsOf(info: ContainerInfo): Record<string, string> {
  return info.Config.Labels ?? {};
}

/** `docker <args>`; a failure is a UserError naming the command and what docker said. */
export async function docker(args: readonly string[], summary?: string): Promise<DockerRunResult> {
  const result = await runDocker(args, { captureStdout: true });
  if (result.exitCode !== 0) throw dockerFailed(args, result, summary);
  return result;
}

function parseArray<T>(text: string): T[] {
  const parsed = JSON.parse(text.trim() || '[]') as unknown;
  return Array.isArray(parsed) ? (parsed as T[]) : [];
}

/** The containers by name or id; absent ones are left out. */
export async function inspectContainers(ids: readonly string[]): Promise<ContainerInfo[]> {
  if (ids.length === 0) return [];
  const result = await runDocker(['container', 'inspect', ...ids], { captureStdout: true });
  // Exit 1 with a partial array when some are gone (removed meanwhile): keep those that are there.
  return parseArray<ContainerInfo>(result.stdout);
}

export async function inspectContainer(name: string): Promise<ContainerInfo | undefined> {
  const [info] = await inspectContainers([name]);
  return info;
}

/** Containers (running, or all with `all`) carrying every `key=value` label given. */
export async function findContainers(
  labels: Readonly<Record<string, string>>,
  options: { all?: boolean } = {},
): Promise<ContainerInfo[]> {
  const filters = Object.entries(labels).flatMap(([key, value]) => ['--filter', `label=${key}=${value}`]);
  const args = ['ps', '--no-trunc', '--quiet', ...(options.all ? ['--all'] : []), ...filters];
  const { stdout } = await docker(args);
  const ids = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return inspectContainers(ids);
}

export interface NetworkInfo {
  Name: string;
  Id: string;
  Labels?: Record<string, string> | null;
}

export async function inspectNetwork(name: string): Promise<NetworkInfo | undefined> {
  const result = await runDocker(['network', 'inspect', name], { captureStdout: true });
  if (result.exitCode !== 0) return undefined;
  return parseArray<NetworkInfo>(result.stdout)[0];
}

/** The environment an image sets itself (`ENV`), `NAME=value`; undefined when the image is gone. */
export async function imageEnvironment(image: string): Promise<string[] | undefined> {
  const result = await runDocker(['image', 'inspect', '--format', '{{json .Config.Env}}', image], {
    captureStdout: true,
  });
  if (result.exitCode !== 0) return undefined;
  const parsed = JSON.parse(result.stdout.trim() || 'null') as unknown;
  return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === 'string') : [];
}

/** The container's IP on `network`, where Traefik reaches it. */
export function addressOn(info: ContainerInfo, network: string): string | undefined {
  const address = info.NetworkSettings?.Networks?.[network]?.IPAddress;
  return address === undefined || address === '' ? undefined : address;
}

/** The last `lines` lines the container wrote (both streams), for failure reports. */
export async function lastLogLines(container: string, lines = 10): Promise<string[]> {
  const result = await runDocker(['logs', '--tail', String(lines), container], {
    captureStdout: true,
    tailLines: lines,
  });
  if (result.exitCode !== 0) return [];
  return result.tail.slice(-lines);
}

/**
 * Removes containers, stopping them first: SIGTERM, then SIGKILL after `graceSeconds`, or after each
 * container's own stop timeout (`docker run --stop-timeout`, else Docker's 10 s). Gone ones are no error.
 */
export async function removeContainers(names: readonly string[], graceSeconds?: number): Promise<void> {
  if (names.length === 0) return;
  await runDocker([
    'stop',
    ...(graceSeconds === undefined ? [] : ['--time', String(graceSeconds)]),
    ...names,
  ]);
  await runDocker(['rm', '--force', ...names]);
}
