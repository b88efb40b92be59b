import { AwsClients, type AwsContext } from '../aws/clients.js';
import type { ClusterOutputs } from '../cluster/outputs.js';
import { defaultPasswordParameter } from '../cluster/password.js';
import { APP_NAME } from '../config/app-name.js';
import {
  loadContext,
  resolveApp,
  type GlobalOptions,
  type ResolvedApp,
  type ResolvedContext,
} from '../config/resolve.js';
import { usageError } from '../errors.js';
import type { LocalEnvironment } from './local.js';
import type { Target } from '../model.js';
import type { StackApiOutputs, TraefikAccess } from '../traefik/access.js';

export type { GlobalOptions, ResolvedApp };

/**
 * The one way a command reaches an environment: its configuration resolved (flags, shell, file),
 * where its deployments run (`target`), AWS clients for its region and profile, the outputs of its
 * `traefikctl-<env>` stack and Traefik's API. Everything that talks to the network is built or read
 * on first use and kept, so a command pays only for what it asks for; `close()` releases it all.
 */
export interface Environment {
  readonly context: ResolvedContext;
  /** The env's name (`context.env`). */
  readonly env: string;
  /** Where TRAEFIKCTL_TRAEFIK_PASSWORD and TRAEFIKCTL_CONNECT_TO are read. */
  readonly processEnv: NodeJS.ProcessEnv;
  /** `--api-url`, when given. */
  readonly apiUrl: string | undefined;
  /**
   * The app a command acts on, in this env's configuration: `name`, else the only declared app, else
   * the package.json or directory name of `cwd` (lib/config/resolve.ts).
   */
  app(name: string | undefined, cwd: string): Promise<ResolvedApp>;
  /** Where the env's deployments run: ECS (`ecs`) or the machine's Docker engine (`docker`, src/lib/local). */
  readonly target: Target;
  /**
   * The env as the local target sees it (network, Traefik container, port, password file): for an env
   * whose target is `docker`; a usage error otherwise.
   */
  local(): Promise<LocalEnvironment>;
  /** AWS clients for the env's region and profile, built on first access (each SDK client on first use). */
  readonly clients: AwsClients;
  /**
   * Another set of clients with other call settings (a deadline's signal, fewer retries), closed with
   * the environment.
   */
  awsClients(overrides: Pick<AwsContext, 'signal' | 'maxAttempts'>): AwsClients;
  /** The outputs of the stack `traefikctl-<env>`, read once; a missing stack says to run `cluster up`. */
  outputs(): Promise<ClusterOutputs>;
  /**
   * Where Traefik's API is and how to log in (lib/traefik/access.ts): `--api-url`, else
   * `traefik.apiUrl`, else the stack's `ApiUrl`.
   */
  traefik(options?: TraefikAccessRequest): Promise<TraefikAccess>;
  close(): Promise<void>;
}

export interface TraefikAccessRequest {
  /** Why SSM can't be read now: only TRAEFIKCTL_TRAEFIK_PASSWORD can give the password. */
  withoutSsm?: string | undefined;
  /** `--api-url`: wins over the configuration and the stack (default: the opener's `apiUrl`). */
  apiUrl?: string | undefined;
  /** The clients to read the password with (default: the environment's). */
  clients?: AwsClients | undefined;
  /** The stack's outputs when the caller has read them already. */
  outputs?: StackApiOutputs | undefined;
}

interface CommonOptions {
  /** Aborts every AWS call of `clients` (Ctrl-C). */
  signal?: AbortSignal | undefined;
  /** Total attempts per AWS call of `clients` (the SDK's default of the project otherwise). */
  maxAttempts?: number | undefined;
  /** `--api-url`. */
  apiUrl?: string | undefined;
  /** Where TRAEFIKCTL_TRAEFIK_PASSWORD and TRAEFIKCTL_CONNECT_TO are read; process.env by default. */
  environment?: NodeJS.ProcessEnv | undefined;
}

export type OpenEnvironmentOptions = CommonOptions &
  (
    | {
        cwd: string;
        global: GlobalOptions;
        /** The app argument, checked for shape only: an app removed from the config may still be deployed. */
        app?: string | undefined;
      }
    /** A context resolved already (`doctor` resolves it itself, falling back to defaults). */
    | { context: ResolvedContext }
  );

/** How long a read of Traefik's API address and password serves the env's next requests for it. */
export const ACCESS_REUSE_MS = 5_000;

export async function openEnvironment(options: OpenEnvironmentOptions): Promise<Environment> {
  if ('context' in options) return environmentOf(options.context, options);
  if (options.app !== undefined) checkAppName(options.app);
  return environmentOf(await loadContext(options.cwd, options.global), options);
}

function environmentOf(context: ResolvedContext, options: CommonOptions): Environment {
  const opened: AwsClients[] = [];
  const build = (overrides: { signal?: AbortSignal | undefined; maxAttempts?: number | undefined }) => {
    const clients = new AwsClients({
      region: context.region,
      profile: context.profile,
      ...(overrides.signal === undefined ? {} : { signal: overrides.signal }),
      ...(overrides.maxAttempts === undefined ? {} : { maxAttempts: overrides.maxAttempts }),
    });
    opened.push(clients);
    return clients;
  };
  let clients: AwsClients | undefined;
  let recentAccess: { at: number; access: Promise<TraefikAccess> } | undefined;
  const defaultClients = () =>
    (clients ??= build({ signal: options.signal, maxAttempts: options.maxAttempts }));
  let outputs: Promise<ClusterOutputs> | undefined;

  const environment: Environment = {
    context,
    env: context.env,
    processEnv: options.environment ?? process.env,
    apiUrl: options.apiUrl,
    target: context.target,
    app: (name, cwd) => resolveApp(context, name, cwd),
    async local() {
      if (context.target !== 'docker') {
        throw usageError(`The environment ${context.env} runs on ECS, not on the local Docker engine.`, [
          `Set environments.${context.env}.target: docker, or use --env local.`,
        ]);
      }
      const { localEnvironment } = await import('./local.js');
      return localEnvironment(context, options.environment ?? process.env);
    },
    get clients() {
      return defaultClients();
    },
    awsClients: build,
    outputs() {
      outputs ??= import('../cluster/outputs.js')
        .then(({ readClusterOutputs }) => readClusterOutputs(defaultClients(), context.env))
        .catch((error: unknown) => {
          // A failed read is not kept: the next call (a watch's next refresh) asks again.
          outputs = undefined;
          throw error;
        });
      return outputs;
    },
    traefik(request = {}) {
      if (context.target === 'docker') {
        return Promise.all([environment.local(), import('../traefik/access.js')]).then(
          ([local, { resolveLocalTraefikAccess }]) =>
            resolveLocalTraefikAccess(local, {
              apiUrl: request.apiUrl ?? options.apiUrl,
              environment: options.environment,
            }),
        );
      }
      // Read again once the last read is a few seconds old: a watch picks up a password that `cluster up`
      // rotated meanwhile, while the routes and the traffic of one view, opened together, read it once.
      const plain = Object.keys(request).length === 0;
      if (plain && recentAccess !== undefined && Date.now() - recentAccess.at < ACCESS_REUSE_MS) {
        return recentAccess.access;
      }
      const access = import('../traefik/access.js').then(({ resolveTraefikAccess }) =>
        resolveTraefikAccess(request.clients ?? defaultClients(), {
          env: context.env,
          traefik: context.traefik,
          apiUrl: request.apiUrl ?? options.apiUrl,
          environment: options.environment,
          defaultPasswordParameter: defaultPasswordParameter(context.env),
          withoutSsm: request.withoutSsm,
          outputs: () =>
            request.outputs === undefined ? environment.outputs() : Promise.resolve(request.outputs),
        }),
      );
      if (plain) {
        const entry = { at: Date.now(), access };
        recentAccess = entry;
        // A failed read is not kept: the next call asks again.
        access.catch(() => {
          if (recentAccess === entry) recentAccess = undefined;
        });
      }
      return access;
    },
    async close() {
      await Promise.all(opened.map((built) => built.destroy()));
    },
  };
  return environment;
}

export function checkAppName(app: string): void {
  if (APP_NAME.test(app)) return;
  throw usageError(
    `The app name ${JSON.stringify(app)} is not valid: it must be a lowercase name such as whoami.`,
    ['Use lowercase letters, digits and dashes, starting with a letter (at most 40 characters).'],
    'APP_INVALID',
  );
}
