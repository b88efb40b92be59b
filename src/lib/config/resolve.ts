import { displayPath, loadConfig, type LoadedConfig } from './load.js';
import { APP_NAME, detectAppName } from './app-name.js';
import { suggestKey } from './issues.js';
import {
  appSchema,
  ENV_NAME,
  type AppConfig,
  type EnvTarget,
  type EnvironmentConfig,
  type TraefikConfig,
} from './schema.js';
import { usageError } from '../errors.js';

/** The global flags, already filled from TRAEFIKCTL_ENV / AWS_REGION / AWS_PROFILE by oclif. */
export interface GlobalOptions {
  env?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  /**
   * Which of region and profile came from AWS_REGION / AWS_PROFILE rather than --region / --profile:
   * a shell-wide variable that overrides the file's setting for this env deserves a warning.
   */
  fromEnvironment?: { region?: boolean; profile?: boolean } | undefined;
  /** `--config` / TRAEFIKCTL_CONFIG: this file, no search. Relative to the current directory. */
  configPath?: string | undefined;
  /** For file names in messages; defaults to the configuration's directory. */
  cwd?: string | undefined;
}

/** Everything a command needs to know about where it acts, with every precedence rule applied. */
export interface ResolvedContext {
  env: string;
  /** Where the env runs: `ecs`, or `docker` (the local engine; the built-in env `local`). */
  target: EnvTarget;
  /** Target `docker`: the port of 127.0.0.1 Traefik's web entry point is published on. */
  localPort: number;
  /** Undefined: the AWS SDK resolves it (profile, AWS_DEFAULT_REGION, IMDS). */
  region: string | undefined;
  profile: string | undefined;
  /** Undefined until configured; commands that need it call `requireDomain`. */
  domain: string | undefined;
  cluster: string;
  hostTemplate: string;
  registry: string | undefined;
  /** The `environments.<env>` block as written (empty when the environment is not declared). */
  environment: EnvironmentConfig;
  traefik: TraefikConfig;
  apps: Record<string, AppConfig>;
  configPath: string | undefined;
  /** Relative paths in the configuration (build contexts) are relative to this directory. */
  configDir: string;
  /**
   * AWS_REGION or AWS_PROFILE in the shell overriding what the file says for this env (the documented
   * precedence, but one that sends a deploy to another region silently): one sentence each.
   */
  overrides: ShellOverride[];
}

export interface ShellOverride {
  setting: 'region' | 'profile';
  /** AWS_REGION or AWS_PROFILE. */
  variable: string;
  value: string;
  /** What the file says, and where (`environments.prod.region` or `region`). */
  written: string;
  key: string;
  /** The whole warning, for plans and logs. */
  message: string;
}

/**
 * The configuration found upward from `cwd` (or the file --config names), resolved for the global
 * flags: what every command that acts on an env starts from.
 */
export async function loadContext(cwd: string, global: GlobalOptions = {}): Promise<ResolvedContext> {
  return resolveContext(await loadConfig({ cwd, configPath: global.configPath }), { ...global, cwd });
}

/**
 * The env that needs no configuration: the laptop's Docker engine, hosts `{app}-{tag}.local.localhost`
 * (`*.localhost` is loopback, RFC 6761), Traefik on 127.0.0.1:8080. A declared `environments.local`
 * overrides any of it.
 */
export const BUILT_IN_LOCAL_ENV = 'local';
export const DEFAULT_LOCAL_PORT = 8080;
/** The domain of a `docker` env without one of its own: every name under it is loopback. */
export const LOCAL_DOMAIN = 'localhost';

/**
 * Applies the precedence rules: flag or environment variable > `environments.<env>.*` >
 * top-level keys > defaults. Declaring any environment makes the set closed, so that a typo in
 * `--env` fails instead of creating a new cluster.
 */
export function resolveContext(loaded: LoadedConfig, options: GlobalOptions = {}): ResolvedContext {
  const { config } = loaded;
  const file =
    loaded.filepath === undefined ? undefined : displayPath(loaded.filepath, options.cwd ?? loaded.dir);
  const env = options.env ?? config.environment;
  const declared = Object.keys(config.environments);

  if (options.env !== undefined && !ENV_NAME.test(options.env)) {
    throw usageError(
      `The environment name ${JSON.stringify(options.env)} is not valid: it must be a short lowercase name such as dev or staging (letters, digits and inner dashes, starting with a letter, 20 characters at most).`,
      ['Pass --env with a name such as dev, or fix TRAEFIKCTL_ENV.'],
      'ENV_INVALID',
    );
  }
  const environment =
    config.environments[env] ?? (env === BUILT_IN_LOCAL_ENV ? { target: 'docker' as const } : undefined);
  if (environment === undefined && declared.length > 0) {
    const known = declared.join(', ');
    const fromFlag = options.env !== undefined;
    const suggestion = suggestKey(env, declared);
    throw usageError(
      fromFlag
        ? `The environment ${JSON.stringify(env)} is not declared in ${file ?? 'the configuration'} (known: ${known}).`
        : `${file ?? 'The configuration'}: environment is ${JSON.stringify(env)}, which is not declared under environments (known: ${known}).`,
      [
        ...(suggestion === undefined ? [] : [`Did you mean --env ${suggestion}?`]),
        `Pass --env ${declared[0] ?? 'dev'} (or set TRAEFIKCTL_ENV), or add environments.${env} to ${file ?? 'the configuration'}.`,
      ],
      'ENV_UNKNOWN',
    );
  }
  const settings = environment ?? {};
  const target = settings.target ?? (env === BUILT_IN_LOCAL_ENV ? 'docker' : 'ecs');
  return {
    env,
    target,
    localPort: settings.port ?? DEFAULT_LOCAL_PORT,
    region: options.region ?? settings.region ?? config.region,
    profile: options.profile ?? settings.profile ?? config.profile,
    // The top-level domain is the cloud's: a local env's hosts stay under `localhost` unless it has its own.
    domain: settings.domain ?? (target === 'docker' ? LOCAL_DOMAIN : config.domain),
    cluster: settings.cluster ?? `traefikctl-${env}`,
    hostTemplate: config.hostTemplate,
    registry: config.registry,
    environment: settings,
    traefik: config.traefik,
    apps: config.apps,
    configPath: loaded.filepath,
    configDir: loaded.dir,
    overrides: shellOverrides(options, settings, config, env, file),
  };
}

function shellOverrides(
  options: GlobalOptions,
  settings: EnvironmentConfig,
  config: LoadedConfig['config'],
  env: string,
  file: string | undefined,
): ShellOverride[] {
  const notes: ShellOverride[] = [];
  for (const [setting, variable, flag] of [
    ['region', 'AWS_REGION', '--region'],
    ['profile', 'AWS_PROFILE', '--profile'],
  ] as const) {
    const value = options[setting];
    const written = settings[setting] ?? config[setting];
    if (options.fromEnvironment?.[setting] !== true || value === undefined || written === undefined) continue;
    if (value === written) continue;
    const key = settings[setting] === undefined ? setting : `environments.${env}.${setting}`;
    notes.push({
      setting,
      variable,
      value,
      written,
      key,
      message: `${variable}=${value} in your shell overrides ${key}: ${written} of ${file ?? 'the configuration'}. Unset it, or pass ${flag} ${written}, to use the configuration's.`,
    });
  }
  return notes;
}

/** The domain deployments live under; a usage error with the fix when none is configured. */
export function requireDomain(ctx: ResolvedContext): string {
  if (ctx.domain !== undefined) return ctx.domain;
  const file = ctx.configPath === undefined ? undefined : displayPath(ctx.configPath, ctx.configDir);
  throw usageError(
    `No domain is set for the environment ${JSON.stringify(ctx.env)}: hostnames need one.`,
    file === undefined
      ? ['Run `traefikctl init --domain example.com` to write a configuration with your domain.']
      : [
          `Add \`domain: example.com\` to ${file}, or environments.${ctx.env}.domain for this environment only.`,
        ],
    'DOMAIN_MISSING',
  );
}

export interface ResolvedApp {
  name: string;
  app: AppConfig;
  /** False when the app is not in the configuration and runs on default settings. */
  declared: boolean;
}

/**
 * The app a command acts on. Without a name: the only declared app, or, when none is declared, the
 * package.json name or directory name of `cwd` with default settings.
 */
export async function resolveApp(
  ctx: ResolvedContext,
  name: string | undefined,
  cwd: string,
): Promise<ResolvedApp> {
  const declared = Object.keys(ctx.apps);
  const file = ctx.configPath === undefined ? 'the configuration' : displayPath(ctx.configPath, cwd);

  if (name !== undefined) {
    const app = ctx.apps[name];
    if (app !== undefined) return { name, app, declared: true };
    if (declared.length > 0) {
      const suggestion = suggestKey(name, declared);
      throw usageError(
        `Unknown app ${JSON.stringify(name)}: ${file} declares ${declared.join(', ')}.`,
        [
          ...(suggestion === undefined ? [] : [`Did you mean ${suggestion}?`]),
          `To add it, declare apps.${name} in ${file}.`,
        ],
        'APP_UNKNOWN',
      );
    }
    if (!APP_NAME.test(name)) {
      throw usageError(
        `The app name ${JSON.stringify(name)} is not valid: it must be a lowercase name such as whoami.`,
        ['Use lowercase letters, digits and dashes, starting with a letter (at most 40 characters).'],
        'APP_INVALID',
      );
    }
    return { name, app: appSchema.parse({}), declared: false };
  }

  const [only] = declared;
  if (only !== undefined && declared.length === 1)
    return { name: only, app: ctx.apps[only] ?? appSchema.parse({}), declared: true };
  if (declared.length > 1) {
    throw usageError(
      `Several apps are declared in ${file} (${declared.join(', ')}); name the one to use.`,
      [`Pass the app as the first argument, e.g. ${declared[0] ?? 'whoami'}.`],
      'APP_AMBIGUOUS',
    );
  }
  const detected = await detectAppName(cwd);
  if (detected === undefined) {
    throw usageError(
      "Can't tell which app to use: no apps are declared and neither package.json nor the directory name gives a valid app name.",
      ['Pass the app as the first argument, e.g. whoami, or declare it under apps in the configuration.'],
      'APP_MISSING',
    );
  }
  return { name: detected, app: appSchema.parse({}), declared: false };
}
