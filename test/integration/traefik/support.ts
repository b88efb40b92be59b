/**
 * What the tests of the real Traefik binary share: containers on a Docker network of the test's own
 * (the stack's engine runs with `--bridge=none`, so there is no default network; the host reaches a
 * container by its IP there), requests that carry a Host header, and bounded polling.
 */
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { execa } from 'execa';

import { writeBuildContext } from '../image/helpers.js';
import type { Stack } from '../../support/stack.js';

/**
 * The shell line a container of the test image runs: its page shows `APP_TAG`, the variable every
 * deployment sets (src/lib/app/deploy/ecs/plan.ts), the way an app shows which build answers.
 */
export const SERVE_APP_TAG = 'echo "$APP_TAG" > /www/index.html && exec /bin/busybox httpd -f -p 80 -h /www';

export interface HttpAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A GET with a Host header of our choice. Node's fetch (undici) ignores a `host` header and sends
 * the URL's authority, so a Host-routed request needs node:http.
 */
export function getWithHost(
  url: string,
  host: string,
  headers: Record<string, string> = {},
  timeoutMs = 3_000,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.hostname !== '127.0.0.1') {
      reject(new Error(`Tests only send requests to 127.0.0.1, not to ${target.hostname}`));
      return;
    }
    const outgoing = request(
      target,
      { method: 'GET', headers: { ...headers, host }, timeout: timeoutMs, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: response.headers,
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`GET ${url} (Host ${host}) timed out`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * Asks `probe` until it returns a value, at most `attempts` times and for at most `timeoutMs`;
 * the error names what was awaited and the last thing seen. The Docker provider applies a change
 * within its 2 s throttle and health checks run every interval, so a few seconds are the norm.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<{ done: true; value: T } | { done: false; seen: string }>,
  { attempts = 100, timeoutMs = 20_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let seen = 'nothing yet';
  for (let attempt = 0; attempt < attempts && Date.now() < deadline; attempt++) {
    const result = await probe().catch((error: unknown) => ({ done: false, seen: String(error) }) as const);
    if (result.done) return result.value;
    seen = result.seen;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `Gave up waiting for ${what} after ${attempts} attempts or ${timeoutMs} ms; last seen: ${seen}`,
  );
}

/** Polls a Host until it answers `status`; returns that answer. */
export function answerFor(
  url: string,
  host: string,
  status: number,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return eventually(`${host} to answer ${status}`, async () => {
    const answer = await getWithHost(url, host, headers);
    return answer.status === status
      ? { done: true, value: answer }
      : { done: false, seen: `${answer.status} ${answer.body.trim().slice(0, 200)}` };
  });
}

export interface RunOptions {
  name: string;
  labels: Record<string, string>;
  env?: Record<string, string>;
  /** A command for `/bin/busybox sh -c`; the image's own (httpd on the baked-in page) otherwise. */
  shell?: string;
}

/**
 * The Docker side of one test file: one network, one FROM-scratch busybox image, and containers
 * on that network. `cleanUp()` removes everything it made and never throws (it runs in afterAll).
 */
export class DockerFixture {
  readonly network: string;
  readonly image: string;
  readonly #env: Record<string, string>;
  readonly #containers: string[] = [];
  #networkCreated = false;
  #imageBuilt = false;

  constructor(
    private readonly stack: Pick<Stack, 'dockerHost' | 'busybox'>,
    name: string,
  ) {
    this.network = name;
    this.image = `${name}:test`;
    this.#env = { DOCKER_HOST: stack.dockerHost };
  }

  docker(args: readonly string[]) {
    return execa('docker', args, { env: this.#env });
  }

  async setUp(): Promise<void> {
    const busybox = this.stack.busybox;
    if (busybox === null) throw new Error('The stack has no static busybox for the test image');
    await this.docker(['network', 'create', '--driver', 'bridge', this.network]);
    this.#networkCreated = true;
    const context = await mkdtemp(path.join(tmpdir(), 'traefikctl-traefik-image-'));
    try {
      await writeBuildContext(context, busybox, 'baked into the image');
      await this.docker(['build', '-q', '-t', this.image, context]);
      this.#imageBuilt = true;
    } finally {
      await rm(context, { recursive: true, force: true });
    }
  }

  /** Starts a container on the network; resolves with its IP there once it runs. */
  async run(options: RunOptions): Promise<string> {
    const labels = Object.entries(options.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
    const env = Object.entries(options.env ?? {}).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
    const command = options.shell === undefined ? [] : ['/bin/busybox', 'sh', '-c', options.shell];
    this.#containers.push(options.name);
    await this.docker([
      'run',
      '--detach',
      '--name',
      options.name,
      '--network',
      this.network,
      ...labels,
      ...env,
      this.image,
      ...command,
    ]);
    const { stdout } = await this.docker([
      'inspect',
      '--format',
      `{{(index .NetworkSettings.Networks "${this.network}").IPAddress}}`,
      options.name,
    ]);
    return stdout.trim();
  }

  async exec(container: string, shell: string): Promise<void> {
    await this.docker(['exec', container, '/bin/busybox', 'sh', '-c', shell]);
  }

  async cleanUp(): Promise<void> {
    const quiet = { env: this.#env, reject: false } as const;
    if (this.#containers.length > 0) await execa('docker', ['rm', '--force', ...this.#containers], quiet);
    if (this.#networkCreated) await execa('docker', ['network', 'rm', this.network], quiet);
    if (this.#imageBuilt) await execa('docker', ['rmi', '--force', this.image], quiet);
  }
}
