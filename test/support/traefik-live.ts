/**
 * The stack's real Traefik (started through test/support/traefik-process.ts) with its API served the
 * way `cluster up` serves it in production: a router to `api@internal` behind a basicAuth middleware
 * whose bcrypt hash is `cluster up`'s (src/lib/cluster/password.ts), never `api.insecure`. Routers come from
 * the file provider (a directory the test writes into and Traefik watches) and, when asked, from the
 * Docker provider.
 *
 * @example
 * ```ts
 * const live = await startLiveTraefik(stack, { dynamic: { apps: fileRoutes(250) } });
 * try {
 *   const client = new TraefikClient({ apiUrl: live.apiUrl, password: live.password, perPage: 7 });
 *   const routers = await client.httpRouters();
 *   // later changes: await live.writeDynamic('more', config), then poll the API until they show
 * } finally {
 *   await live.stop();
 * }
 * ```
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { generatePassword, hashApiPassword } from '../../src/lib/cluster/password.js';
import { renderTraefikArguments } from '../../src/lib/cluster/traefik-command.js';
import { eventually } from '../integration/traefik/support.js';
import type { Stack } from './stack.js';
import { startTraefik, type RunningTraefik } from './traefik-process.js';

/** The part of Traefik's dynamic configuration (file provider) these tests write. */
export interface FileRouter {
  rule: string;
  entryPoints?: string[];
  service: string;
  middlewares?: string[];
}

export interface FileService {
  loadBalancer?: {
    servers: { url: string }[];
    healthCheck?: { path: string; interval: string; timeout: string };
  };
  weighted?: { services: { name: string; weight: number }[] };
}

export interface DynamicConfig {
  http: {
    routers?: Record<string, FileRouter>;
    services?: Record<string, FileService>;
    middlewares?: Record<string, unknown>;
  };
}

export interface LiveTraefik {
  /** Where the API is (and where routed traffic enters): the `web` entry point, `http://127.0.0.1:<port>`. */
  apiUrl: string;
  username: string;
  /** The basic auth password whose bcrypt hash Traefik holds. */
  password: string;
  /** The name of the router to `api@internal` (`<name>@file` in the API). */
  apiRouter: string;
  process: RunningTraefik;
  /** Writes `<name>.yaml` into the watched directory in one step (Traefik never reads half a file). */
  writeDynamic(name: string, config: DynamicConfig): Promise<void>;
  /**
   * Deletes `<name>.yaml`, so that Traefik drops what it defined. (Rewriting it as `{"http": {}}`
   * does not: Traefik refuses that file, "http cannot be a standalone element", and keeps the old one.)
   */
  removeDynamic(name: string): Promise<void>;
  /** Stops Traefik and removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

export interface LiveTraefikOptions {
  /** More arguments, e.g. the Docker provider's. */
  args?: readonly string[];
  /**
   * Dynamic configuration files to start with (`<name>.yaml`), read with Traefik's first
   * configuration rather than as a change after it.
   */
  dynamic?: Record<string, DynamicConfig>;
  /**
   * Prometheus metrics as `cluster up` configures them (its `--metrics.*` arguments, manual routing),
   * served at `<apiUrl>/metrics` through a router behind the same basic auth as the API.
   */
  metrics?: boolean;
}

const API_ROUTER = 'traefikctl-api';
const METRICS_ROUTER = 'traefikctl-metrics';
const API_AUTH = 'traefikctl-api-auth';
const USERNAME = 'admin';

/**
 * A Traefik whose API answers only with the password (Traefik's `traefik` entry point serves only
 * `/ping`). Resolves once the authenticated API answers, i.e. once the file provider's first
 * configuration, `options.dynamic` included, is in.
 */
export async function startLiveTraefik(
  stack: Pick<Stack, 'traefik' | 'dockerHost'>,
  options: LiveTraefikOptions = {},
): Promise<LiveTraefik> {
  const root = await mkdtemp(path.join(tmpdir(), 'traefikctl-live-traefik-'));
  const watched = path.join(root, 'dynamic');
  // Outside the watched directory: the file provider reads subdirectories too.
  const staging = path.join(root, 'staging');
  await mkdir(watched);
  await mkdir(staging);
  const password = generatePassword();

  const writeDynamic = async (name: string, config: DynamicConfig): Promise<void> => {
    const staged = path.join(staging, `${name}.yaml`);
    // JSON is YAML: no YAML writer needed, and no quoting rules to get wrong around backticks and `$`.
    await writeFile(staged, `${JSON.stringify(config, undefined, 1)}\n`);
    await rename(staged, path.join(watched, `${name}.yaml`));
  };

  const hash = await hashApiPassword(password);
  // The production router (assets/traefik/cluster.yaml) matches `traefik.<env>.<domain>`; the client
  // here reaches Traefik as 127.0.0.1, so that is the host its rule names.
  await writeDynamic('api', {
    http: {
      routers: {
        [API_ROUTER]: {
          rule: 'Host(`127.0.0.1`) && (PathPrefix(`/api`) || PathPrefix(`/dashboard`))',
          entryPoints: ['web'],
          service: 'api@internal',
          middlewares: [API_AUTH],
        },
        ...(options.metrics === true
          ? {
              [METRICS_ROUTER]: {
                rule: 'Host(`127.0.0.1`) && Path(`/metrics`)',
                entryPoints: ['web'],
                service: 'prometheus@internal',
                middlewares: [API_AUTH],
              },
            }
          : {}),
      },
      middlewares: {
        [API_AUTH]: { basicAuth: { users: [`${USERNAME}:${hash}`], removeHeader: true } },
      },
    },
  });

  for (const [name, config] of Object.entries(options.dynamic ?? {})) await writeDynamic(name, config);

  let running: RunningTraefik;
  try {
    running = await startTraefik(stack, {
      entryPoints: ['web', 'traefik'],
      args: [
        '--ping=true',
        '--api=true',
        // The stack builds Traefik from the Go module proxy, without the dashboard's files: with the
        // dashboard on, Traefik logs an error on every configuration it applies.
        '--api.dashboard=false',
        `--providers.file.directory=${watched}`,
        '--providers.file.watch=true',
        // Tests change routers seconds apart; Traefik's 2 s default would make each change wait.
        '--providers.providersThrottleDuration=200ms',
        ...(options.metrics === true ? clusterMetricsArguments() : []),
        ...(options.args ?? []),
      ],
    });
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }

  const apiUrl = running.url('web');
  const live: LiveTraefik = {
    apiUrl,
    username: USERNAME,
    password,
    apiRouter: `${API_ROUTER}@file`,
    process: running,
    writeDynamic,
    removeDynamic: (name) => rm(path.join(watched, `${name}.yaml`), { force: true }),
    stop: async () => {
      await running.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    const authorization = basicAuthorization(USERNAME, password);
    await eventually(`Traefik's authenticated API at ${apiUrl}`, async () => {
      const answer = await fetch(`${apiUrl}/api/version`, {
        headers: { authorization },
        signal: AbortSignal.timeout(2_000),
      });
      return answer.status === 200
        ? { done: true, value: undefined }
        : { done: false, seen: `${answer.status}; Traefik said:\n${running.output()}` };
    });
  } catch (error) {
    await live.stop();
    throw error;
  }
  return live;
}

/** `cluster up`'s `--metrics.*` arguments, whatever they are. */
function clusterMetricsArguments(): string[] {
  return renderTraefikArguments({
    cluster: 'traefikctl-test',
    region: 'us-east-1',
    env: 'test',
    entryPoint: 'web',
    trustedIps: ['127.0.0.1/32'],
  }).filter((arg) => arg.startsWith('--metrics.'));
}

function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/**
 * `count` routers `<prefix><i>` on `Host(<prefix><i>.<domain>)`, each with its own service; every
 * fifth has two servers. Servers are 127.0.0.1 URLs nobody listens on: without a health check
 * Traefik reports them UP, and nothing is ever sent to them.
 */
export function fileRoutes(count: number, options: { prefix?: string; domain?: string } = {}): DynamicConfig {
  const prefix = options.prefix ?? 'app';
  const domain = options.domain ?? 'live.example.com';
  const routers: Record<string, FileRouter> = {};
  const services: Record<string, FileService> = {};
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${String(i).padStart(3, '0')}`;
    routers[name] = { rule: `Host(\`${name}.${domain}\`)`, entryPoints: ['web'], service: name };
    services[name] = { loadBalancer: { servers: fileServers(i) } };
  }
  return { http: { routers, services } };
}

/** The servers `fileRoutes` gives its router number `i`. */
export function fileServers(i: number): { url: string }[] {
  const one = { url: `http://127.0.0.1:${20_000 + i}` };
  return i % 5 === 0 ? [one, { url: `http://127.0.0.1:${30_000 + i}` }] : [one];
}
