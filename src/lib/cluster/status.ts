import type { Stack } from '@aws-sdk/client-cloudformation';

import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import type { ResolvedContext } from '../config/resolve.js';
import { describeError, isUserError } from '../errors.js';
import { traefikApiUrl, type TraefikAccess } from '../traefik/access.js';
import { listLiveDeployments } from './deployments.js';
import {
  describeClusterStack,
  noClusterError,
  parseClusterOutputs,
  stackNameFor,
  type ClusterOutputs,
} from './outputs.js';
import { SECRET_PARAMETERS } from './template.js';

export interface ClusterStatusOptions {
  clients: AwsClients;
  context: ResolvedContext;
  /** Per request to Traefik's API. */
  apiTimeoutMs?: number | undefined;
  /** Where Traefik's API is and how to log in: lib/env/open.ts `traefik()`, as for every command. */
  traefikAccess: () => Promise<TraefikAccess>;
}

export interface TraefikServiceStatus {
  name: string;
  status: string | undefined;
  desired: number;
  running: number;
  pending: number;
  rolloutState: string | undefined;
}

export interface ApiStatus {
  url: string | undefined;
  checked: boolean;
  healthy: boolean | undefined;
  version: string | undefined;
  codename: string | undefined;
  error: string | undefined;
}

export interface ClusterStatus {
  env: string;
  stackName: string;
  stackStatus: string;
  stackStatusReason: string | undefined;
  /** ISO 8601. */
  lastUpdated: string | undefined;
  /** Undefined while the stack can't be used (the reason is in `outputsError`). */
  outputs: ClusterOutputs | undefined;
  outputsError: string | undefined;
  /** The settings platform teams change; secrets are never included. */
  parameters: Record<string, string>;
  traefik: TraefikServiceStatus | undefined;
  api: ApiStatus;
  deployments: { live: number };
}

/** Parameters worth showing. An allow list: a new secret parameter can't leak by default. */
const SHOWN_PARAMETERS = [
  'TraefikImage',
  'TraefikDesiredCount',
  'TraefikCpu',
  'TraefikMemory',
  'EntryPoint',
  'VpcId',
  'AssignPublicIp',
  'CertificateArn',
  'HostedZoneId',
  'LogRetentionDays',
] as const;

/**
 * `cluster status`: the stack, its outputs, the Traefik service, Traefik's version through its API
 * (with the password from SSM), and how many deployments are live. Only a missing stack is an
 * error; every other part reports its own failure and the rest still shows.
 */
export async function clusterStatus(options: ClusterStatusOptions): Promise<ClusterStatus> {
  const { clients, context: ctx } = options;
  const env = ctx.env;
  const stack = await describeClusterStack(clients, env);
  if (stack === undefined) throw noClusterError(env);

  let outputs: ClusterOutputs | undefined;
  let outputsError: string | undefined;
  try {
    outputs = parseClusterOutputs(stack, env);
  } catch (error) {
    if (!isUserError(error)) throw error;
    outputsError = error.message;
  }
  const cluster = outputs?.cluster ?? ctx.cluster;
  const [traefik, live, api] = await Promise.all([
    traefikService(clients, cluster, outputValue(stack, 'TraefikService') ?? 'traefik'),
    outputs === undefined
      ? Promise.resolve(0)
      : listLiveDeployments(await clients.ecs(), cluster, env).then((list) => list.length),
    apiStatus(options.traefikAccess, ctx, stack, outputs, options.apiTimeoutMs ?? 5_000),
  ]);
  return {
    env,
    stackName: stack.StackName ?? stackNameFor(env),
    stackStatus: stack.StackStatus ?? 'UNKNOWN',
    stackStatusReason: stack.StackStatusReason,
    lastUpdated: (stack.LastUpdatedTime ?? stack.CreationTime)?.toISOString(),
    outputs,
    outputsError,
    parameters: shownParameters(stack),
    traefik,
    api,
    deployments: { live },
  };
}

/** The allow-listed parameters of a stack (pure). Secret parameters never pass, whatever the list says. */
export function shownParameters(stack: Stack): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const key of SHOWN_PARAMETERS) {
    const value = stack.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
    if (value !== undefined && !SECRET_PARAMETERS.has(key)) shown[key] = value;
  }
  return shown;
}

function outputValue(stack: Stack, key: string): string | undefined {
  return stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
}

async function traefikService(
  clients: AwsClients,
  cluster: string,
  name: string,
): Promise<TraefikServiceStatus | undefined> {
  const { DescribeServicesCommand } = await import('@aws-sdk/client-ecs');
  const ecs = await clients.ecs();
  try {
    const answer = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
    const service = answer.services?.find((s) => s.serviceName === name);
    if (service === undefined) return undefined;
    return {
      name,
      status: service.status,
      desired: service.desiredCount ?? 0,
      running: service.runningCount ?? 0,
      pending: service.pendingCount ?? 0,
      rolloutState: service.deployments?.find((d) => d.status === 'PRIMARY')?.rolloutState,
    };
  } catch (error) {
    if (awsErrorName(error) === 'ClusterNotFoundException') return undefined;
    throw explainAwsError(
      error,
      `describe the Traefik service of cluster ${cluster}`,
      'ecs:DescribeServices',
    );
  }
}

/**
 * Traefik's version through its API, found and logged in to the way every command does it
 * (`traefik.apiUrl`, else the stack's ApiUrl; TRAEFIKCTL_TRAEFIK_PASSWORD, else the SSM password).
 * A failure is part of the status, not an error of the command.
 */
async function apiStatus(
  traefikAccess: () => Promise<TraefikAccess>,
  ctx: ResolvedContext,
  stack: Stack,
  outputs: ClusterOutputs | undefined,
  timeoutMs: number,
): Promise<ApiStatus> {
  const url = traefikApiUrl({
    traefik: ctx.traefik,
    outputs: { apiUrl: outputs?.apiUrl ?? outputValue(stack, 'ApiUrl') },
  });
  const status: ApiStatus = {
    url,
    checked: false,
    healthy: undefined,
    version: undefined,
    codename: undefined,
    error: undefined,
  };
  if (url === undefined || outputs === undefined) return status;
  const { TraefikClient } = await import('../traefik/client.js');
  try {
    const access = await traefikAccess();
    const client = new TraefikClient({ ...access, timeoutMs, retries: 0 });
    const version = await client.version();
    return { ...status, checked: true, healthy: true, version: version.Version, codename: version.Codename };
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { ...status, checked: true, healthy: false, error: describeError(error) };
  }
}
