/**
 * Test helpers for image push: FROM-scratch build contexts, a `docker` that records its argv, a watcher
 * of every process' argv, and reads of the test registry.
 */
import { access, chmod, copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';

import type { Stack } from '../../support/stack.js';

/** A build context the test engine can build without pulling anything: busybox's httpd FROM scratch. */
export async function writeBuildContext(dir: string, busybox: string, page = 'hello'): Promise<void> {
  await mkdir(dir, { recursive: true });
  await copyFile(busybox, join(dir, 'busybox'));
  await writeFile(join(dir, 'index.html'), `<h1>${page}</h1>\n`);
  await writeFile(
    join(dir, 'Dockerfile'),
    [
      'FROM scratch',
      'COPY busybox /bin/busybox',
      'COPY index.html /www/index.html',
      'EXPOSE 80',
      'CMD ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"]',
      '',
    ].join('\n'),
  );
}

export async function findOnPath(command: string, path = process.env.PATH ?? ''): Promise<string> {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      continue;
    }
  }
  throw new Error(`${command} is not on PATH`);
}

/**
 * A `docker` that appends its argv (one argument per line, then a blank line) to `log`, then execs the
 * real one. Put `binDir` first on PATH.
 */
export async function installRecordingDocker(binDir: string, log: string): Promise<void> {
  const real = await findOnPath('docker');
  await mkdir(binDir, { recursive: true });
  const script = join(binDir, 'docker');
  await writeFile(
    script,
    `#!/bin/sh\nfor arg in "$@"; do printf '%s\\n' "$arg" >> '${log}'; done\nprintf '\\n' >> '${log}'\nexec '${real}' "$@"\n`,
  );
  await chmod(script, 0o755);
}

/** The recorded docker invocations, each as its argv. */
export async function recordedInvocations(log: string): Promise<string[][]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => line !== ''))
    .filter((argv) => argv.length > 0);
}

/**
 * Reads the command line of every process descended from this test process every few milliseconds
 * while running, and records the ones that contain `secret`. A docker login that passed the password
 * as an argument, or any helper process given it, would show up here. Processes outside this test's
 * tree (other test files run in parallel) are not ours to judge.
 */
export class ArgvWatcher {
  readonly hits: string[] = [];
  scans = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly secret: string) {}

  start(): void {
    const scan = async (): Promise<void> => {
      const pids = (await readdir('/proc').catch(() => [] as string[])).filter((pid) => /^\d+$/.test(pid));
      const parents = new Map<string, string>();
      const cmdlines = new Map<string, string>();
      await Promise.all(
        pids.map(async (pid) => {
          const [stat, cmdline] = await Promise.all([
            readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''),
            readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
          ]);
          // `pid (comm) state ppid …`; comm may contain spaces and parentheses, so split after the last `)`.
          const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
          if (ppid !== undefined) parents.set(pid, ppid);
          cmdlines.set(pid, cmdline);
        }),
      );
      for (const [pid, cmdline] of cmdlines) {
        if (cmdline.includes(this.secret) && descendsFrom(pid, String(process.pid), parents)) {
          this.hits.push(cmdline.split('\0').join(' '));
        }
      }
      this.scans += 1;
      this.#timer = setTimeout(() => void scan(), 5);
    };
    void scan();
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

function descendsFrom(pid: string, ancestor: string, parents: ReadonlyMap<string, string>): boolean {
  let current: string | undefined = pid;
  for (let depth = 0; current !== undefined && current !== '0' && depth < 64; depth += 1) {
    if (current === ancestor) return true;
    current = parents.get(current);
  }
  return false;
}

function basicAuth(stack: Stack): string {
  return `Basic ${Buffer.from(`${stack.registryAuth.username}:${stack.registryAuth.password}`).toString('base64')}`;
}

export async function registryTags(stack: Stack, repository: string): Promise<string[]> {
  const response = await fetch(`http://${stack.registry}/v2/${repository}/tags/list`, {
    headers: { authorization: basicAuth(stack) },
  });
  if (!response.ok) throw new Error(`tags/list answered ${response.status}`);
  const body = (await response.json()) as { tags?: string[] | null };
  return [...(body.tags ?? [])].sort();
}

/** The digest the registry serves for a tag (the `Docker-Content-Digest` of a manifest HEAD). */
export async function registryDigest(stack: Stack, repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`http://${stack.registry}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      authorization: basicAuth(stack),
      accept: [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.oci.image.index.v1+json',
      ].join(', '),
    },
  });
  if (!response.ok) throw new Error(`manifest HEAD answered ${response.status}`);
  return response.headers.get('docker-content-digest');
}

/** Every file under `dir`, relative, recursively (empty when `dir` doesn't exist). */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.sort();
}

/** Remembers some environment variables; the returned function puts them back (deleting unset ones). */
export function saveEnv(...names: string[]): () => void {
  const saved = new Map(names.map((name) => [name, process.env[name]]));
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  };
}
