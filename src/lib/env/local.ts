import { homedir } from 'node:os';
import path from 'node:path';

import type { ResolvedContext } from '../config/resolve.js';
import { usageError } from '../errors.js';
import type { ConnectAddress } from '../traefik/connect-to.js';

/**
 * Where an env of target `docker` lives on this machine (DESIGN.md "Targets"): traefikctl's own Docker
 * network (the env's `cluster` name, `traefikctl-<env>` by default), the Traefik container on it, the
 * port of 127.0.0.1 Traefik's web entry point is published on, and the file that keeps the API
 * password. Everything else is read back from the engine: no state files besides the password.
 */
export interface LocalEnvironment {
  context: ResolvedContext;
  env: string;
  network: string;
  /** `<network>-traefik`. */
  traefikContainer: string;
  port: number;
  /** `traefik.image`: the same Traefik line as on ECS. */
  image: string;
  /** The entry point apps are routed on (`traefik.entryPoints`, the first one is published). */
  entryPoint: string;
  username: string;
  /** `traefik.<env>.<domain>`, served on the web entry point like on ECS. */
  apiHost: string;
  apiUrl: string;
  /** Where every request of traefikctl goes: 127.0.0.1:<port>, the host kept in Host. */
  connectTo: ConnectAddress;
  /** The API password, mode 0600, under the user's config directory. */
  passwordFile: string;
  /** `unix:///…` socket of the engine, mounted into Traefik. */
  dockerSocket: string;
}

// Docker network and container names: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,200}$/;

/** The user's configuration directory (XDG_CONFIG_HOME, APPDATA on Windows, else ~/.config). */
export function userConfigDir(environment: NodeJS.ProcessEnv = process.env): string {
  const xdg = environment.XDG_CONFIG_HOME;
  if (xdg !== undefined && path.isAbsolute(xdg)) return xdg;
  if (process.platform === 'win32' && environment.APPDATA) return environment.APPDATA;
  return path.join(homedir(), '.config');
}

/**
 * The engine's socket as Traefik needs it mounted: the path of a `unix://` DOCKER_HOST, else the
 * default socket (Docker Desktop maps /var/run/docker.sock into its VM whatever the host's path is).
 */
export function dockerSocketPath(environment: NodeJS.ProcessEnv = process.env): string {
  const host = environment.DOCKER_HOST?.trim();
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

export function localEnvironment(
  context: ResolvedContext,
  environment: NodeJS.ProcessEnv = process.env,
): LocalEnvironment {
  const network = context.cluster;
  if (!DOCKER_NAME.test(network)) {
    throw usageError(
      `The network name ${JSON.stringify(network)} of the environment ${context.env} is not a Docker name.`,
      [
        `Set environments.${context.env}.cluster to letters, digits, '-', '_' or '.', e.g. traefikctl-${context.env}.`,
      ],
      'LOCAL_NETWORK_INVALID',
    );
  }
  const domain = context.domain ?? 'localhost';
  const apiHost = `traefik.${context.env}.${domain}`;
  const port = context.localPort;
  return {
    context,
    env: context.env,
    network,
    traefikContainer: `${network}-traefik`,
    port,
    image: context.traefik.image,
    entryPoint: context.traefik.entryPoints[0] ?? 'web',
    username: context.traefik.username,
    apiHost,
    apiUrl: `http://${apiHost}${port === 80 ? '' : `:${port}`}`,
    connectTo: { host: '127.0.0.1', port },
    passwordFile: path.join(userConfigDir(environment), 'traefikctl', 'local', network, 'api-password'),
    dockerSocket: dockerSocketPath(environment),
  };
}

/** The URL of a host of the env: `http://<host>:<port>`. */
export function localUrl(local: Pick<LocalEnvironment, 'port'>, host: string): string {
  return `http://${host}${local.port === 80 ? '' : `:${local.port}`}`;
}
