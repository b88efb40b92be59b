import { stringify } from 'yaml';

import { redactUrl } from '../traefik/api-url.js';
import type { KeyPath } from './interpolate.js';
import { loadConfig } from './load.js';
import { simpleYaml } from './simple-yaml.js';
import { resolveContext, type GlobalOptions, type ResolvedContext } from './resolve.js';
import type { AppConfig, EnvironmentConfig, TraefikConfig } from './schema.js';

/** The configuration a command run here would use, as `traefikctl config show` prints it. */
export interface ConfigView {
  /** The file it came from; null when none was found and only defaults apply. */
  configPath: string | null;
  env: string;
  region: string | null;
  profile: string | null;
  domain: string | null;
  cluster: string;
  hostTemplate: string;
  registry: string | null;
  environment: EnvironmentConfig;
  traefik: TraefikConfig;
  apps: Record<string, AppConfig>;
}

export interface ShowConfigOptions extends GlobalOptions {
  cwd: string;
  configPath?: string | undefined;
  /** Variables for interpolation; defaults to process.env. */
  variables?: NodeJS.ProcessEnv;
}

/** Where values of an app may hold secrets taken from the environment. */
const SECRET_PRONE = new Set(['environment', 'buildArgs']);

/**
 * Loads, validates and resolves the configuration. Container environment variables and build
 * arguments that came from `${VAR}` are shown as written (`${API_TOKEN}`), never as their values,
 * and no URL anywhere shows a user name or password (`postgres://***@db/app`).
 */
export async function showConfig(options: ShowConfigOptions): Promise<ConfigView> {
  const loaded = await loadConfig({
    cwd: options.cwd,
    configPath: options.configPath,
    ...(options.variables === undefined ? {} : { env: options.variables }),
  });
  const ctx = resolveContext(loaded, options);
  const apps = structuredClone(ctx.apps);
  for (const item of loaded.interpolated) {
    if (isSecretProne(item.path)) setIn(apps, item.path.slice(1), item.template);
  }
  return withoutUrlCredentials(toView(ctx, apps));
}

/** The view with the credentials of every URL in it replaced by `***` (src/lib/traefik/api-url.ts). */
function withoutUrlCredentials<T>(value: T): T {
  if (typeof value === 'string') return redactUrl(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutUrlCredentials(item)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, withoutUrlCredentials(item)]),
    ) as T;
  }
  return value;
}

function isSecretProne(path: KeyPath): boolean {
  return path[0] === 'apps' && path.length === 4 && SECRET_PRONE.has(String(path[2]));
}

function setIn(root: Record<string, unknown>, path: KeyPath, value: unknown): void {
  let current: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (typeof current !== 'object' || current === null) return;
    current = (current as Record<string | number, unknown>)[key];
  }
  const last = path.at(-1);
  if (last !== undefined && typeof current === 'object' && current !== null) {
    (current as Record<string | number, unknown>)[last] = value;
  }
}

function toView(ctx: ResolvedContext, apps: Record<string, AppConfig>): ConfigView {
  return {
    configPath: ctx.configPath ?? null,
    env: ctx.env,
    region: ctx.region ?? null,
    profile: ctx.profile ?? null,
    domain: ctx.domain ?? null,
    cluster: ctx.cluster,
    hostTemplate: ctx.hostTemplate,
    registry: ctx.registry ?? null,
    environment: ctx.environment,
    traefik: ctx.traefik,
    apps,
  };
}

/** The line `config show` writes on stderr under its YAML: where the configuration came from. */
export function configSource(view: ConfigView): string {
  return view.configPath === null
    ? 'No configuration file found: these are the defaults. `traefikctl init` writes one.'
    : `From ${view.configPath}, environment ${view.env}.`;
}

/** The view as YAML for people: unset values left out, the source path left to the caller. */
export function configViewToYaml(view: ConfigView): string {
  const { configPath: _source, ...rest } = view;
  const present = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== null));
  return simpleYaml(present) ?? stringify(present, { lineWidth: 0 });
}
