import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';

import { durationMs } from '../duration.js';
import { usageError } from '../errors.js';
import { abortOnSignal } from './abort.js';
import { debugAwsCalls } from './debug.js';
import { limitInstanceMetadata } from './instance-metadata.js';
import { checkProfile } from './profile.js';
import { checkRegion } from './region.js';

/**
 * Where and as whom to call AWS. Everything else (credentials chain, SSO, `AWS_ENDPOINT_URL` and
 * `AWS_ENDPOINT_URL_<SERVICE>`) is the SDK's own resolution: tests reach the emulator the same way
 * users reach AWS, with no test-only code path.
 */
export interface AwsContext {
  region?: string | undefined;
  profile?: string | undefined;
  /** Total attempts per call, first one included. Adaptive retry backs off on throttling. */
  maxAttempts?: number;
  /** How long one attempt may take to connect to the endpoint (ms). */
  connectionTimeoutMs?: number;
  /**
   * How long one attempt may wait, once sent, for AWS to start answering (ms). A timed-out attempt is
   * retried like any transient failure, so a call gives up after at most `maxAttempts` of these.
   */
  requestTimeoutMs?: number;
  /**
   * Aborts every call in flight through these clients, and fails every later one at once: Ctrl-C, or a
   * command's deadline. Without it a hung call outlives both by up to `maxAttempts` request timeouts.
   */
  signal?: AbortSignal | undefined;
}

/** A TCP (and TLS) connection to an AWS endpoint takes well under a second; 5s means it won't come. */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
/**
 * ECS, ECR, STS, SSM, Logs and CloudFormation answer in well under a second; 30s is a hung call. Without
 * it an attempt waits for the SDK's socket timeout (5 to 15 minutes of silence) or forever.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * For a network where AWS is slow to reach (a proxy, a satellite link): durations such as `60s`,
 * `2m` or `1500ms` (plain numbers are seconds), between 100ms and 10m.
 */
export const TIMEOUT_VARIABLES = {
  connection: 'TRAEFIKCTL_AWS_CONNECT_TIMEOUT',
  request: 'TRAEFIKCTL_AWS_TIMEOUT',
} as const;

/** The milliseconds an environment variable of TIMEOUT_VARIABLES asks for, or undefined when unset. */
export function timeoutFromEnvironment(
  name: string,
  environment: NodeJS.ProcessEnv = process.env,
): number | undefined {
  const text = environment[name]?.trim();
  if (text === undefined || text === '') return undefined;
  const ms = durationMs(text) ?? Number.NaN;
  if (!Number.isFinite(ms) || ms < 100 || ms > 600_000) {
    throw usageError(
      `${name}=${JSON.stringify(text)} is not a timeout between 100ms and 10m.`,
      [`Set it to a duration such as ${name}=60s or ${name}=2m, or unset it for the default.`],
      'AWS_TIMEOUT_INVALID',
    );
  }
  return Math.round(ms);
}

interface CommonConfig {
  region?: string;
  profile?: string;
  retryMode: 'adaptive';
  maxAttempts: number;
  /** Options for the SDK's own NodeHttpHandler, which every client builds from them. */
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
}

function commonConfig(context: AwsContext): CommonConfig {
  return {
    ...(context.region ? { region: context.region } : {}),
    ...(context.profile ? { profile: context.profile } : {}),
    retryMode: 'adaptive',
    maxAttempts: context.maxAttempts ?? 5,
    requestHandler: {
      connectionTimeout:
        context.connectionTimeoutMs ??
        timeoutFromEnvironment(TIMEOUT_VARIABLES.connection) ??
        DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout:
        context.requestTimeoutMs ??
        timeoutFromEnvironment(TIMEOUT_VARIABLES.request) ??
        DEFAULT_REQUEST_TIMEOUT_MS,
      // Without it the handler only logs a warning (on the console) and keeps waiting.
      throwOnRequestTimeout: true,
    },
  };
}

/**
 * One lazily built client per service: the SDK packages are imported on first use only, so a
 * command that never calls ECR never pays for loading it.
 */
export class AwsClients {
  readonly #cache = new Map<string, Promise<unknown>>();
  #checked = false;

  constructor(readonly context: AwsContext = {}) {}

  /**
   * Usage errors (exit 2) for a region that doesn't exist or a profile the shared files don't have,
   * before anything is sent. Runs before the first client is built; commands may call it first thing.
   */
  checkContext(): void {
    if (this.#checked) return;
    if (this.context.region) checkRegion(this.context.region);
    if (this.context.profile) checkProfile(this.context.profile);
    this.#checked = true;
  }

  #get<T extends { config: { region: () => Promise<string> } }>(
    name: string,
    build: (config: CommonConfig) => Promise<T>,
  ): Promise<T> {
    let client = this.#cache.get(name) as Promise<T> | undefined;
    if (!client) {
      client = (async () => {
        this.checkContext();
        limitInstanceMetadata();
        const built = debugAwsCalls(
          abortOnSignal(await build(commonConfig(this.context)), this.context.signal),
        );
        // A region from the profile or AWS_REGION, when none was given: checked the same way.
        if (!this.context.region) {
          const region = await built.config.region().catch(() => undefined);
          if (region) checkRegion(region);
        }
        return built;
      })();
      this.#cache.set(name, client);
    }
    return client;
  }

  ecs(): Promise<ECSClient> {
    return this.#get('ecs', async (config) => new (await import('@aws-sdk/client-ecs')).ECSClient(config));
  }

  ecr(): Promise<ECRClient> {
    return this.#get('ecr', async (config) => new (await import('@aws-sdk/client-ecr')).ECRClient(config));
  }

  sts(): Promise<STSClient> {
    return this.#get('sts', async (config) => new (await import('@aws-sdk/client-sts')).STSClient(config));
  }

  ec2(): Promise<EC2Client> {
    return this.#get('ec2', async (config) => new (await import('@aws-sdk/client-ec2')).EC2Client(config));
  }

  ssm(): Promise<SSMClient> {
    return this.#get('ssm', async (config) => new (await import('@aws-sdk/client-ssm')).SSMClient(config));
  }

  cloudformation(): Promise<CloudFormationClient> {
    return this.#get(
      'cloudformation',
      async (config) => new (await import('@aws-sdk/client-cloudformation')).CloudFormationClient(config),
    );
  }

  logs(): Promise<CloudWatchLogsClient> {
    // StartLiveTail carries the `stream-` host prefix, which breaks IP endpoints (emulators, proxies).
    return this.#get(
      'logs',
      async (config) =>
        new (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient({
          ...config,
          disableHostPrefix: Boolean(
            process.env.AWS_ENDPOINT_URL ?? process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS,
          ),
        }),
    );
  }

  /** Releases sockets so that a short command exits at once. */
  async destroy(): Promise<void> {
    const clients = await Promise.allSettled(this.#cache.values());
    for (const result of clients) {
      if (result.status === 'fulfilled') (result.value as { destroy(): void }).destroy();
    }
    this.#cache.clear();
  }
}
