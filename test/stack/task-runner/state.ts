import type { IncomingHttpHeaders } from 'node:http';
import { log } from './util.ts';

export interface Options {
  listen: string;
  moto: string;
  registry: string;
  docker: string;
  network: string;
  addresses: string;
  'interval-ms': string;
  'stop-timeout': string;
}

export const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

// --- the options task-runner.ts parsed, set once by configure() before anything runs ------------------

export let options: Options;
export let motoUrl: URL;
export let dockerSocket: string;
export let stopTimeoutSeconds: number;

export function configure(settings: {
  options: Options;
  motoUrl: URL;
  dockerSocket: string;
  stopTimeoutSeconds: number;
}): void {
  ({ options, motoUrl, dockerSocket, stopTimeoutSeconds } = settings);
  freeAddresses.push(...Array.from({ length: 253 }, (_, index) => `${options.addresses}.${index + 2}`));
}

export const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113.';
export const LOGS_TARGET = 'Logs_20140328.';
export const SERVICE_CHANGES = new Set(['CreateService', 'UpdateService', 'DeleteService']);
export const DEFAULT_ACCOUNT = '123456789012';
export const DEFAULT_REGION = 'us-east-1';
/** On every container and the network: `traefikctl.task-runner=<network>`. */
export const LABEL = 'traefikctl.task-runner';
export const DOCKER_API = '/v1.41';
/** Bounds on the work of one reconcile. */
export const MAX_TASKS_PER_SERVICE = 10;
export const MAX_LAUNCHES_PER_TICK = 4;
export const FIRST_BACKOFF_MS = 3_000;
export const MAX_BACKOFF_MS = 30_000;
/** A cluster nothing named for this long, with nothing running in it, is no longer reconciled. */
export const CLUSTER_IDLE_MS = 10 * 60_000;
/** Stopped tasks stay describable for an hour, as on ECS (at most this many). */
export const STOPPED_TASK_TTL_MS = 60 * 60_000;
export const MAX_STOPPED_TASKS = 500;
export const MOTO_TIMEOUT_MS = 10_000;
export const DOCKER_TIMEOUT_MS = 30_000;
export const PULL_TIMEOUT_MS = 120_000;
export const LOG_FLUSH_MS = 500;
export const LOG_DRAIN_MS = 3_000;
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
]);

// --- what ECS's API says, as far as the runner reads it -------------------------------------------

export type Json = Record<string, unknown>;
export type Health = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

export interface HealthCheck {
  command: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
}

export interface ContainerDefinition {
  name: string;
  image: string;
  essential?: boolean;
  command?: string[];
  entryPoint?: string[];
  environment?: { name?: string; value?: string }[];
  portMappings?: { containerPort?: number; hostPort?: number; protocol?: string }[];
  healthCheck?: HealthCheck;
  logConfiguration?: { logDriver?: string; options?: Record<string, string> };
  secrets?: unknown[];
  user?: string;
  workingDirectory?: string;
  readonlyRootFilesystem?: boolean;
  stopTimeout?: number;
  cpu?: number;
  memory?: number;
}

export interface TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  networkMode?: string;
  containerDefinitions: ContainerDefinition[];
}

export interface Service {
  serviceName: string;
  status: string;
  desiredCount?: number;
  taskDefinition: string;
  deployments?: { id?: string; status?: string }[];
  networkConfiguration?: { awsvpcConfiguration?: unknown };
  propagateTags?: string;
  tags?: { key?: string; value?: string }[];
}

// --- the runner's state ---------------------------------------------------------------------------

export interface Scope {
  account: string;
  region: string;
}

export interface ClusterRef extends Scope {
  cluster: string;
}

export interface LogTarget {
  scope: Scope;
  group: string;
  stream: string;
}

export interface TaskContainer {
  definition: ContainerDefinition;
  arn: string;
  dockerId?: string;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  health: Health;
  exitCode?: number;
  reason?: string;
  logTarget?: LogTarget;
  /** Resolves when the container's output has been copied to CloudWatch Logs up to its end. */
  logs?: Promise<void>;
}

export interface Task {
  ref: ClusterRef;
  service: string;
  arn: string;
  id: string;
  taskDefinitionArn: string;
  startedBy: string;
  address: string;
  attachmentId: string;
  /** Registered through the admin API: a process outside Docker; the runner only describes it. */
  external: boolean;
  containers: TaskContainer[];
  lastStatus: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'STOPPING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  health: Health;
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: string;
  /** Set once all containers were started: from then on each reconcile inspects them. */
  started: boolean;
  starting?: Promise<void>;
  stopping?: Promise<void>;
}

export interface External {
  ref: ClusterRef;
  service: string;
  address: string;
  task?: Task | undefined;
}

export const clusters = new Map<string, { ref: ClusterRef; lastNamed: number }>();
export const tasks = new Map<string, Task>();
export const externals = new Map<string, External>();
export const backoffs = new Map<string, { failures: number; notBefore: number }>();
/** Task definitions of tasks the runner runs or registered: Fargate ones, so awsvpc. */
export const fargateDefinitions = new Set<string>();
export const definitionCache = new Map<string, TaskDefinition>();
/** Released addresses go to the back: the one reused next is the one free the longest. */
export const freeAddresses: string[] = [];

export const clusterKey = (ref: ClusterRef) => `${ref.account}/${ref.region}/${ref.cluster}`;
export const serviceKey = (ref: ClusterRef, service: string) => `${clusterKey(ref)}/${service}`;
export const clusterArn = (ref: ClusterRef) =>
  `arn:aws:ecs:${ref.region}:${ref.account}:cluster/${ref.cluster}`;

/** A name or an ARN (`arn:aws:ecs:…:cluster/<name>`) to the name. */
export function clusterName(value: string): string {
  const index = value.indexOf(':cluster/');
  return index < 0 ? value : value.slice(index + ':cluster/'.length);
}

export function noteCluster(ref: ClusterRef): void {
  const key = clusterKey(ref);
  const entry = clusters.get(key);
  if (entry === undefined) {
    clusters.set(key, { ref, lastNamed: Date.now() });
    log(`reconciling cluster ${ref.cluster} (${ref.region}, account ${ref.account})`);
  } else {
    entry.lastNamed = Date.now();
  }
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
