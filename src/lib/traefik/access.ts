import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import { describeError, isUserError, UserError } from '../errors.js';
import type { TraefikClientOptions } from './client.js';
import { connectToFromEnvironment, type ConnectAddress } from './connect-to.js';

export const PASSWORD_VARIABLE = 'TRAEFIKCTL_TRAEFIK_PASSWORD';

/** The configuration's `traefik` block, as far as the API's address and login go. */
export interface TraefikApiConfig {
  apiUrl?: string | undefined;
  username: string;
  passwordParameter?: string | undefined;
}

/** What the stack `traefikctl-<env>` says about its API (lib/cluster/outputs.ts reads it). */
export interface StackApiOutputs {
  apiUrl?: string | undefined;
  apiUsername?: string | undefined;
  passwordParameter?: string | undefined;
}

export interface TraefikAccessOptions {
  env: string;
  traefik: TraefikApiConfig;
  /**
   * The SSM parameter when neither the configuration nor the stack names one: lib/cluster/password.ts
   * `defaultPasswordParameter(env)` (passed in, so that this folder imports nothing of the cluster's).
   */
  defaultPasswordParameter: string;
  /** `--api-url`: wins over the configuration and the cluster stack. */
  apiUrl?: string | undefined;
  /** Where TRAEFIKCTL_TRAEFIK_PASSWORD is read; process.env by default. */
  environment?: NodeJS.ProcessEnv | undefined;
  /**
   * Why the password can't be read from SSM now (`doctor` without AWS credentials): only
   * TRAEFIKCTL_TRAEFIK_PASSWORD can give it, and the hint says why none was sent.
   */
  withoutSsm?: string | undefined;
  /**
   * Reads the env's stack outputs (lib/env/open.ts reads them once), needed when neither `apiUrl`
   * nor `traefik.apiUrl` is set; without it, no URL can be found then.
   */
  outputs?: (() => Promise<StackApiOutputs>) | undefined;
}

export type TraefikAccess = Pick<
  TraefikClientOptions,
  'apiUrl' | 'username' | 'password' | 'credentialHints' | 'connectTo'
>;

/**
 * Where Traefik's API is and how to log in (DESIGN.md "Security rules"):
 * - URL: `--api-url`, else `traefik.apiUrl`, else the `ApiUrl` output of the stack `traefikctl-<env>`;
 * - password: TRAEFIKCTL_TRAEFIK_PASSWORD, else the SSM SecureString named by `traefik.passwordParameter`,
 *   the stack, or `/traefikctl/<env>/traefik-api-password`, read with the user's own AWS credentials.
 * - connections: to TRAEFIKCTL_CONNECT_TO when set (the env's entry point before DNS exists).
 * A password that can't be read is not an error here: an API without auth (a local Traefik) works,
 * and a 401 then says why no password was sent. Credentials in the URL are refused by the client
 * (src/lib/traefik/api-url.ts), so the password sent is always the one these hints describe.
 */
export async function resolveTraefikAccess(
  clients: AwsClients,
  options: TraefikAccessOptions,
): Promise<TraefikAccess> {
  const { env, traefik } = options;
  const connectTo = connectToFromEnvironment(options.environment ?? process.env);
  const explicit = traefikApiUrl({ apiUrl: options.apiUrl, traefik });
  const outputs = explicit === undefined ? await clusterOutputs(options.outputs, env) : undefined;
  const apiUrl = traefikApiUrl({ apiUrl: explicit, traefik, outputs });
  if (apiUrl === undefined) {
    throw new UserError(
      `The cluster of env ${env} has no Traefik API URL: it was created without a domain.`,
      {
        suggestions: [
          'Pass --api-url https://traefik.<env>.<domain>, or set traefik.apiUrl in the configuration.',
          `Or give the environment a domain and run \`traefikctl cluster up --env ${env}\`.`,
        ],
        code: 'TRAEFIK_URL_MISSING',
      },
    );
  }
  const username =
    traefik.apiUrl === undefined ? (outputs?.apiUsername ?? traefik.username) : traefik.username;
  const fromEnv = passwordFromEnvironment(options.environment);
  if (fromEnv !== undefined) {
    return {
      apiUrl,
      username,
      connectTo,
      password: fromEnv,
      credentialHints: [`The password comes from ${PASSWORD_VARIABLE}: check its value.`],
    };
  }
  if (options.withoutSsm !== undefined) {
    return {
      apiUrl,
      username,
      connectTo,
      credentialHints: [
        `No password was sent: ${options.withoutSsm}. Set ${PASSWORD_VARIABLE}, or fix the AWS checks above.`,
      ],
    };
  }
  const parameter =
    traefik.passwordParameter ?? outputs?.passwordParameter ?? options.defaultPasswordParameter;
  const password = await readPassword(clients, parameter);
  return {
    apiUrl,
    username,
    connectTo,
    ...(password.value === undefined ? {} : { password: password.value }),
    credentialHints: [password.hint],
  };
}

/** TRAEFIKCTL_TRAEFIK_PASSWORD's value; undefined when it is unset or empty ("not set"). */
export function passwordFromEnvironment(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = environment[PASSWORD_VARIABLE];
  return value === undefined || value === '' ? undefined : value;
}

async function clusterOutputs(
  read: (() => Promise<StackApiOutputs>) | undefined,
  env: string,
): Promise<StackApiOutputs> {
  if (read === undefined) {
    throw new UserError(`No Traefik API URL is configured for env ${env}.`, {
      suggestions: [
        'Pass --api-url https://traefik.<env>.<domain>, or set traefik.apiUrl in the configuration.',
      ],
      code: 'TRAEFIK_URL_MISSING',
    });
  }
  try {
    return await read();
  } catch (error) {
    if (!isUserError(error)) throw error;
    throw new UserError(
      `No Traefik API URL is configured for env ${env}, and the cluster can't tell: ${error.message}`,
      {
        suggestions: [
          'Pass --api-url https://traefik.<env>.<domain>, or set traefik.apiUrl in the configuration.',
          ...error.suggestions,
        ],
        code: 'TRAEFIK_URL_MISSING',
        cause: error,
      },
    );
  }
}

async function readPassword(
  clients: AwsClients,
  name: string,
): Promise<{ value?: string | undefined; hint: string }> {
  const fallback = `Set ${PASSWORD_VARIABLE}, or traefik.passwordParameter in the configuration.`;
  try {
    const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const ssm = await clients.ssm();
    const answer = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = answer.Parameter?.Value;
    // Each hint says what was sent: Traefik's 401 quotes it.
    if (value === undefined || value === '') {
      return { hint: `No password was sent: the SSM parameter ${name} is empty. ${fallback}` };
    }
    return {
      value,
      hint: `The password comes from the SSM parameter ${name}: check that the cluster was last deployed with it (\`traefikctl cluster up\`).`,
    };
  } catch (error) {
    // Traefik's 401 is the error the user sees; this says why no password was sent.
    if (awsErrorName(error) === 'ParameterNotFound') {
      return { hint: `No password was sent: the SSM parameter ${name} doesn't exist. ${fallback}` };
    }
    const explained = explainAwsError(
      error,
      `read the SSM parameter ${name}`,
      'ssm:GetParameter and kms:Decrypt',
    );
    return { hint: `No password was sent: ${describeError(explained)} ${fallback}` };
  }
}

/** Where a local env (target `docker`) keeps its Traefik: the API on its own host through 127.0.0.1. */
export interface LocalTraefikPlace {
  env: string;
  apiUrl: string;
  username: string;
  connectTo: ConnectAddress;
  /** The API password's file (mode 0600 under the user's config dir), written by `cluster up`. */
  passwordFile: string;
}

/**
 * The local target's Traefik access: the same shape as ECS's, the password from its file instead of
 * SSM (TRAEFIKCTL_TRAEFIK_PASSWORD still wins). No file: no password, and a 401 then says why.
 */
export async function resolveLocalTraefikAccess(
  place: LocalTraefikPlace,
  options: { apiUrl?: string | undefined; environment?: NodeJS.ProcessEnv | undefined } = {},
): Promise<TraefikAccess> {
  const fromEnv = (options.environment ?? process.env)[PASSWORD_VARIABLE];
  const base = {
    apiUrl: options.apiUrl ?? place.apiUrl,
    username: place.username,
    connectTo: place.connectTo,
  };
  if (fromEnv !== undefined && fromEnv !== '') {
    return {
      ...base,
      password: fromEnv,
      credentialHints: [`The password comes from ${PASSWORD_VARIABLE}: check its value.`],
    };
  }
  const password = await readLocalPassword(place.passwordFile);
  return {
    ...base,
    ...(password === undefined ? {} : { password }),
    credentialHints: [
      password === undefined
        ? `No password file ${place.passwordFile}: run \`traefikctl cluster up --env ${place.env}\`.`
        : `The password comes from ${place.passwordFile}, written by \`traefikctl cluster up --env ${place.env}\`.`,
    ],
  };
}

/** The password in `file`, or undefined when there is none. A file others can read is closed first. */
export async function readLocalPassword(file: string): Promise<string | undefined> {
  const { chmod, readFile, stat } = await import('node:fs/promises');
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) return undefined;
  if ((info.mode & 0o077) !== 0 && process.platform !== 'win32') await chmod(file, 0o600);
  const value = (await readFile(file, 'utf8')).trim();
  return value === '' ? undefined : value;
}

/**
 * The API's URL by the one precedence every command uses: `--api-url`, else `traefik.apiUrl`, else
 * the stack's `ApiUrl` output. Undefined when none is known. (The password: resolveTraefikAccess.)
 */
export function traefikApiUrl(sources: {
  apiUrl?: string | undefined;
  traefik: { apiUrl?: string | undefined };
  outputs?: { apiUrl?: string | undefined } | undefined;
}): string | undefined {
  return sources.apiUrl ?? sources.traefik.apiUrl ?? sources.outputs?.apiUrl;
}
