/**
 * What the local-target tests share: a project directory whose config declares a `docker` env with
 * its own network name and a free port (test files run in parallel on one engine), app images built
 * FROM scratch with the stack's static busybox, and the clean-up of everything the env created.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { execa } from 'execa';

import { loadContext } from '../../../src/lib/config/resolve.js';
import { localEnvironment, type LocalEnvironment } from '../../../src/lib/env/local.js';
import type { Stack } from '../../support/stack.js';
import { uniqueName } from '../../support/stack.js';
import { freePort } from '../../support/traefik-process.js';

/**
 * Writes `$APP_TAG` as its page, then serves it: each build answers with the tag it was deployed as.
 * It stops as an app must for a redeploy that loses no request behind Traefik's Docker provider. On
 * `docker stop`'s SIGTERM it first fails its health path (`/health`, Traefik's active check of the app's
 * `healthCheck`, every second here), keeps serving for longer than that check takes to mark it DOWN,
 * and only then closes its listening socket, letting the requests in flight finish (httpd answers each
 * from a child process). Closing at once is not enough: until the container dies, Traefik still sends it
 * requests, and a connection that was still in the closed socket's accept queue is reset after Traefik
 * wrote the request to it, which Traefik can't resend: one `502` in a few thousand requests under load
 * (seen with Traefik's debug log: `read: connection reset by peer`, RetryAttempts 0).
 */
const SERVE_TAG = [
  'echo "$APP_TAG" > /www/index.html && echo ok > /www/health',
  '/bin/busybox httpd -f -p 80 -h /www & httpd=$!',
  "trap 'rm /www/health; sleep 3; kill $httpd; sleep 1; exit 0' TERM",
  'wait $httpd',
].join('\n');
/** Writes a line and exits 7 at once, as a misconfigured app does. */
const CRASH = 'echo "boom: no config found"; exit 7';

export interface LocalProject {
  dir: string;
  env: string;
  port: number;
  network: string;
  configHome: string;
  /** Image repositories of this project (unique, removed at the end). */
  repositories: { whoami: string; crasher: string };
  local: () => Promise<LocalEnvironment>;
  cleanUp: () => Promise<void>;
}

async function appContext(dir: string, busybox: string, shell: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await copyFile(busybox, path.join(dir, 'busybox'));
  await writeFile(path.join(dir, 'index.html'), 'baked\n');
  await writeFile(
    path.join(dir, 'Dockerfile'),
    [
      'FROM scratch',
      'COPY busybox /bin/busybox',
      'COPY index.html /www/index.html',
      'EXPOSE 80',
      `CMD ["/bin/busybox", "sh", "-c", ${JSON.stringify(shell)}]`,
      '',
    ].join('\n'),
  );
}

export async function localProject(stack: Stack, prefix: string): Promise<LocalProject> {
  const busybox = stack.busybox;
  if (busybox === null) throw new Error('The stack has no static busybox for the test images');
  const dir = await mkdtemp(path.join(tmpdir(), `traefikctl-${prefix}-`));
  const configHome = path.join(dir, '.config');
  const env = uniqueName(prefix);
  const network = `traefikctl-${env}`;
  const port = await freePort();
  const repositories = { whoami: `${env}-whoami`, crasher: `${env}-crasher` };
  await appContext(path.join(dir, 'whoami'), busybox, SERVE_TAG);
  await appContext(path.join(dir, 'crasher'), busybox, CRASH);
  await writeFile(
    path.join(dir, 'traefikctl.config.yaml'),
    [
      `environment: ${env}`,
      'traefik:',
      `  image: ${stack.traefik.image}`,
      'environments:',
      `  ${env}:`,
      '    target: docker',
      `    port: ${port}`,
      'apps:',
      '  whoami:',
      '    context: whoami',
      `    repository: ${repositories.whoami}`,
      '    port: 80',
      '    healthCheck: { path: /health, interval: 1s, timeout: 1s }',
      '  crasher:',
      '    context: crasher',
      `    repository: ${repositories.crasher}`,
      '    port: 80',
      '',
    ].join('\n'),
  );
  const dockerEnv = { DOCKER_HOST: stack.dockerHost };
  return {
    dir,
    env,
    port,
    network,
    configHome,
    repositories,
    local: async () =>
      localEnvironment(await loadContext(dir, { env }), { ...process.env, XDG_CONFIG_HOME: configHome }),
    cleanUp: async () => {
      const quiet = { env: dockerEnv, reject: false } as const;
      const { stdout } = await execa(
        'docker',
        ['ps', '-aq', '--filter', `label=traefikctl.env=${env}`],
        quiet,
      );
      const ids = String(stdout).split('\n').filter(Boolean);
      if (ids.length > 0) await execa('docker', ['rm', '--force', ...ids], quiet);
      await execa('docker', ['network', 'rm', network], quiet);
      const images = await execa('docker', ['images', '-q', '--filter', `reference=${env}-*`], quiet);
      const imageIds = [...new Set(String(images.stdout).split('\n').filter(Boolean))];
      if (imageIds.length > 0) await execa('docker', ['rmi', '--force', ...imageIds], quiet);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
