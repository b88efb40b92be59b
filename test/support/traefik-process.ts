/**
 * The real Traefik of the test stack (the binary `scripts/test-stack.sh up` builds from the Go module
 * proxy), run by a test as a child process on free 127.0.0.1 ports.
 *
 * @example
 * ```ts
 * describeWith(['traefik', 'docker'], 'labels route for real', (stack) => {
 *   it('routes a Host', async () => {
 *     const traefik = await startTraefik(stack, {
 *       entryPoints: ['web', 'traefik'],
 *       args: ['--ping=true', '--providers.docker=true', '--providers.docker.network=net'],
 *     });
 *     try {
 *       // Not fetch: it sends the URL's host and ignores a `host` header.
 *       const answer = await getWithHost(`${traefik.url('web')}/`, 'a.example.com');
 *     } finally {
 *       await traefik.stop();
 *     }
 *   });
 * });
 * ```
 * (`getWithHost` is in test/integration/traefik/support.ts.)
 *
 * Safety (DESIGN.md's network rule): the process gets fake AWS credentials and
 * AWS_EC2_METADATA_DISABLED=true, never inherits the developer's AWS variables, and has the version
 * check and usage statistics turned off, so nothing it does leaves the machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

import type { Stack } from './stack.js';

export interface StartTraefikOptions {
  /**
   * Entry point names; each gets a free port, `--entryPoints.<name>.address=127.0.0.1:<port>`.
   * Put `traefik` among them with `--ping=true` in `args` and start-up waits for `/ping`.
   */
  entryPoints: readonly string[];
  /** Every other argument (providers, API, metrics, ...). */
  args: readonly string[];
  /** More environment (e.g. AWS_ENDPOINT_URL_ECS for the ECS provider); on top of the safe base. */
  env?: Record<string, string>;
  /** How long to wait until it answers; 20 s by default. */
  readyTimeoutMs?: number;
}

export interface RunningTraefik {
  /** `http://127.0.0.1:<port>` of an entry point. */
  url(entryPoint: string): string;
  port(entryPoint: string): number;
  /** Everything it wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s. Safe to call twice. */
  stop(): Promise<void>;
}

const READY_POLL_MS = 100;

/** A port that was free a moment ago on 127.0.0.1 (the kernel's choice, so parallel tests differ). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the stack's Traefik and waits until it answers; its output is in the error when it doesn't. */
export async function startTraefik(
  stack: Pick<Stack, 'traefik' | 'dockerHost'>,
  options: StartTraefikOptions,
): Promise<RunningTraefik> {
  const ports = new Map<string, number>();
  for (const name of options.entryPoints) ports.set(name, await freePort());
  const args = [
    ...[...ports].map(([name, port]) => `--entryPoints.${name}.address=127.0.0.1:${port}`),
    '--global.checkNewVersion=false',
    '--global.sendAnonymousUsage=false',
    ...options.args,
  ];
  const child = spawn(stack.traefik.binary, args, {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      DOCKER_HOST: stack.dockerHost,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const port = (name: string): number => {
    const value = ports.get(name);
    if (value === undefined) throw new Error(`Traefik was started without the entry point ${name}`);
    return value;
  };
  const running: RunningTraefik = {
    url: (name) => `http://127.0.0.1:${port(name)}`,
    port,
    output: () => output,
    stop: () => stopChild(child, exited),
  };

  const pingable = ports.has('traefik') && options.args.includes('--ping=true');
  const firstEntryPoint = options.entryPoints[0];
  if (firstEntryPoint === undefined) throw new Error('startTraefik needs at least one entry point');
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`Traefik exited (code ${String(exitCode)}) during start-up:\n${output}`);
    }
    const ready = pingable
      ? await fetch(`${running.url('traefik')}/ping`, { signal: AbortSignal.timeout(1_000) }).then(
          (response) => response.ok,
          () => false,
        )
      : await fetch(running.url(firstEntryPoint), { signal: AbortSignal.timeout(1_000) }).then(
          () => true,
          () => false,
        );
    if (ready) return running;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  await running.stop();
  throw new Error(`Traefik did not answer within ${options.readyTimeoutMs ?? 20_000} ms:\n${output}`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
