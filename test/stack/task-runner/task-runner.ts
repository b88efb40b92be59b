/**
 * The task runner of the test stack (scripts/test-stack.sh): what ECS's scheduler and agent do, for moto.
 *
 * moto implements ECS's API but never runs anything: a service gets no tasks, RunTask's tasks carry
 * random 10.x addresses that lead nowhere, and no container ever exits, reports health or logs
 * (shared/notes/moto.md §1). Traefik's ECS provider then has nothing to route (shared/notes/traefik.md
 * §1.3, §7). This runner listens on its own loopback port in front of moto's ECS; clients that should
 * see running tasks opt in with AWS_ENDPOINT_URL_ECS=http://127.0.0.1:5056 (everything else still
 * talks to moto). It
 *
 * - passes every call through to moto unchanged, except that
 *   - DescribeTasks shows the tasks it runs as they are: their own loopback address (127.0.10.N) in
 *     `containers[].networkInterfaces[0].privateIpv4Address` and the ENI attachment, lastStatus
 *     (PROVISIONING, PENDING while pulling and starting, RUNNING, STOPPING, STOPPED), healthStatus from
 *     the containers' Docker health checks, and why a task stopped (stoppedReason, stopCode, each
 *     container's exitCode and reason);
 *   - no answer carries an address that isn't loopback: moto's invented 10.x addresses (and the
 *     privateDnsName made of them) are removed from every answer, whatever the call;
 *   - ListTasks, DescribeTasks and DescribeTaskDefinition also show external tasks (below); a task
 *     definition of a task the runner runs or registered reads `networkMode: awsvpc`, as on Fargate
 *     (moto's CloudFormation drops NetworkMode: cluster up's Traefik task definition reads `bridge`);
 *   - CreateService, UpdateService and DeleteService trigger a reconcile at once;
 * - reconciles every second: for each ACTIVE service of every cluster some call through it has named,
 *   it keeps `desiredCount` tasks of the service's task definition running. A task is launched in moto
 *   with RunTask as ECS's scheduler launches it (group `service:<name>`, startedBy = the PRIMARY
 *   deployment's id, FARGATE, the service's network configuration and propagated tags), and its
 *   containers run for real in the Docker engine: the image pulled from the stack's registry and from
 *   nowhere else, environment, command, entry point, user, working directory, read-only root, the
 *   health check, and the port mappings published on the task's own loopback address. Containers of one
 *   task share a network namespace, as in awsvpc. A new task definition starts new tasks and stops the
 *   old ones once the new ones are running (and healthy, when they have a health check); an essential
 *   container that exits, or a task whose health check fails, stops the task; a deleted or scaled-down
 *   service's tasks are stopped. Failed tasks back off per service (3 s, doubling up to 30 s);
 * - copies each container's output into its awslogs group, stream `<prefix>/<container>/<task id>`, in
 *   moto's CloudWatch Logs (a missing log group fails the task, as on ECS);
 * - answers an admin API for the stack:
 *     GET    /_runner/health          200 {component: "task-runner", ...}
 *     GET    /_runner/tasks           what it runs (for people debugging)
 *     POST   /_runner/external-tasks  {cluster, service, address, region?, account?}: a process that
 *            runs outside Docker (the stack's Traefik on the host) is the running task of that service:
 *            it is listed and described like one (its labels are then discovered as on AWS; HEALTHY
 *            when its task definition has a health check), and the runner doesn't launch that
 *            service itself (it may be registered before the service exists)
 *     DELETE /_runner/external-tasks?cluster=&service=[&region=&account=]
 *
 * Not emulated: the rest of ECS's control plane (service events, deployments' rollout states and
 * counts, circuit breakers, placement, capacity), memory and CPU limits, secrets, the ALB.
 *
 * State lives in memory. Containers carry the label `traefikctl.task-runner=<network>`; on start the
 * runner removes any left behind (and stops their tasks in moto), on SIGTERM it stops what it runs.
 * Task containers never get the task definition's dockerLabels: other tests' Traefiks watch the same
 * engine with the Docker provider, and ECS's provider reads labels from the task definition anyway.
 *
 * No dependencies, and only erasable TypeScript: Node (22.18 or newer) runs this file as it is, from
 * `scripts/test-stack.sh up`, before any `npm ci`. It only talks to the loopback addresses it is given
 * and to the Docker engine's socket, and it never asks the engine to pull from anywhere but the stack's
 * registry: any other image fails its task with CannotPullContainerError before a request is made.
 * TASK_RUNNER_DEBUG=1 logs every ECS call.
 *
 * Usage: node task-runner.ts --listen 127.0.0.1:5056 --moto http://127.0.0.1:5055 \
 *          --registry 127.0.0.1:5000 --docker unix:///var/run/docker.sock \
 *          --network traefikctl-task-runner --addresses 127.0.10
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    listen: { type: 'string', default: '127.0.0.1:5056' },
    moto: { type: 'string', default: 'http://127.0.0.1:5055' },
    registry: { type: 'string', default: '127.0.0.1:5000' },
    docker: { type: 'string', default: 'unix:///var/run/docker.sock' },
    network: { type: 'string', default: 'traefikctl-task-runner' },
    // Tasks get <addresses>.2 to <addresses>.254.
    addresses: { type: 'string', default: '127.0.10' },
    'interval-ms': { type: 'string', default: '1000' },
    // Seconds between SIGTERM and SIGKILL when a task is stopped (ECS: 30; a container's stopTimeout wins).
    'stop-timeout': { type: 'string', default: '2' },
  },
});

const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const [listenHost, listenPort] = splitHostPort(options.listen);
const motoUrl = new URL(options.moto);
const [registryHost] = splitHostPort(options.registry);
const dockerSocket = options.docker.replace(/^unix:\/\//, '');
const intervalMs = Number(options['interval-ms']);
const stopTimeoutSeconds = Number(options['stop-timeout']);
for (const [what, host] of [
  ['--listen', listenHost],
  ['--moto', motoUrl.hostname],
  ['--registry', registryHost],
] as const) {
  if (!LOOPBACK.test(host)) fail(`${what} must be a loopback address (got ${host}).`);
}
if (!/^127\.\d{1,3}\.\d{1,3}$/.test(options.addresses) || options.addresses === '127.0.0')
  fail(
    `--addresses must be the first three parts of a 127/8 /24 other than 127.0.0 (got ${options.addresses}).`,
  );
if (!options.docker.startsWith('unix://') && !options.docker.startsWith('/'))
  fail('--docker must be the engine’s unix socket.');
if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(options.network)) fail('--network is not a Docker network name.');
if (!(intervalMs >= 100) || !(stopTimeoutSeconds >= 0))
  fail('--interval-ms or --stop-timeout is not a number.');

const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113.';
const LOGS_TARGET = 'Logs_20140328.';
const SERVICE_CHANGES = new Set(['CreateService', 'UpdateService', 'DeleteService']);
const DEFAULT_ACCOUNT = '123456789012';
const DEFAULT_REGION = 'us-east-1';
/** On every container and the network: `traefikctl.task-runner=<network>`. */
const LABEL = 'traefikctl.task-runner';
const DOCKER_API = '/v1.41';
/** Bounds on the work of one reconcile. */
const MAX_TASKS_PER_SERVICE = 10;
const MAX_LAUNCHES_PER_TICK = 4;
const FIRST_BACKOFF_MS = 3_000;
const MAX_BACKOFF_MS = 30_000;
/** A cluster nothing named for this long, with nothing running in it, is no longer reconciled. */
const CLUSTER_IDLE_MS = 10 * 60_000;
/** Stopped tasks stay describable for an hour, as on ECS (at most this many). */
const STOPPED_TASK_TTL_MS = 60 * 60_000;
const MAX_STOPPED_TASKS = 500;
const MOTO_TIMEOUT_MS = 10_000;
const DOCKER_TIMEOUT_MS = 30_000;
const PULL_TIMEOUT_MS = 120_000;
const LOG_FLUSH_MS = 500;
const LOG_DRAIN_MS = 3_000;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const HOP_BY_HOP = new Set([
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

type Json = Record<string, unknown>;
type Health = 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';

interface HealthCheck {
  command: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  startPeriod?: number;
}

interface ContainerDefinition {
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

interface TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  networkMode?: string;
  containerDefinitions: ContainerDefinition[];
}

interface Service {
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

interface Scope {
  account: string;
  region: string;
}

interface ClusterRef extends Scope {
  cluster: string;
}

interface LogTarget {
  scope: Scope;
  group: string;
  stream: string;
}

interface TaskContainer {
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

interface Task {
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

interface External {
  ref: ClusterRef;
  service: string;
  address: string;
  task?: Task | undefined;
}

const clusters = new Map<string, { ref: ClusterRef; lastNamed: number }>();
const tasks = new Map<string, Task>();
const externals = new Map<string, External>();
const backoffs = new Map<string, { failures: number; notBefore: number }>();
/** Task definitions of tasks the runner runs or registered: Fargate ones, so awsvpc. */
const fargateDefinitions = new Set<string>();
const definitionCache = new Map<string, TaskDefinition>();
/** Released addresses go to the back: the one reused next is the one free the longest. */
const freeAddresses = Array.from({ length: 253 }, (_, index) => `${options.addresses}.${index + 2}`);

const clusterKey = (ref: ClusterRef) => `${ref.account}/${ref.region}/${ref.cluster}`;
const serviceKey = (ref: ClusterRef, service: string) => `${clusterKey(ref)}/${service}`;
const clusterArn = (ref: ClusterRef) => `arn:aws:ecs:${ref.region}:${ref.account}:cluster/${ref.cluster}`;

/** A name or an ARN (`arn:aws:ecs:…:cluster/<name>`) to the name. */
function clusterName(value: string): string {
  const index = value.indexOf(':cluster/');
  return index < 0 ? value : value.slice(index + ':cluster/'.length);
}

function noteCluster(ref: ClusterRef): void {
  const key = clusterKey(ref);
  const entry = clusters.get(key);
  if (entry === undefined) {
    clusters.set(key, { ref, lastNamed: Date.now() });
    log(`reconciling cluster ${ref.cluster} (${ref.region}, account ${ref.account})`);
  } else {
    entry.lastNamed = Date.now();
  }
}

// --- the ECS endpoint -----------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const server = http.createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    log(`error: ${request.method ?? ''} ${request.url ?? ''}: ${messageOf(error)}`);
    if (!response.headersSent) {
      sendJson(response, 502, { __type: 'TaskRunnerError', message: `task runner: ${messageOf(error)}` });
    } else {
      response.destroy();
    }
  });
});
server.keepAliveTimeout = 30_000;

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  if (path.startsWith('/_runner/')) return admin(request, response);
  const body = await readBody(request);
  const target = headerOf(request.headers, 'x-amz-target');
  // Anything that isn't ECS (a client configured with AWS_ENDPOINT_URL pointing here) goes through as it is.
  if (!target.startsWith(ECS_TARGET)) return relay(response, await toMoto(request, body));

  const action = target.slice(ECS_TARGET.length);
  const scope = scopeOf(request.headers);
  const input = parseObject(body);
  for (const name of clusterNamesIn(input)) noteCluster({ ...scope, cluster: name });
  if (process.env.TASK_RUNNER_DEBUG) log(`${action} ${body.toString('utf8').slice(0, 300)}`);

  const answer =
    action === 'DescribeTasks'
      ? await describeTasks(request, body, input, scope)
      : await toMoto(request, body);
  if (answer.status === 200) rewrite(action, answer, input, scope);
  relay(response, answer);
  if (answer.status === 200 && SERVICE_CHANGES.has(action)) reconcileNow();
}

/** Every cluster a call names: `cluster`, `clusters` (DescribeClusters), `clusterName` (CreateCluster). */
function clusterNamesIn(input: Json): string[] {
  const names = [
    input.cluster,
    input.clusterName,
    ...(Array.isArray(input.clusters) ? (input.clusters as unknown[]) : []),
  ];
  return names.filter((name): name is string => typeof name === 'string' && name !== '').map(clusterName);
}

/** moto picks the backend from the SigV4 credential scope and the account from x-moto-account-id. */
function scopeOf(headers: IncomingHttpHeaders): Scope {
  const scope = /Credential=[^/,]*\/\d{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request/.exec(
    headerOf(headers, 'authorization'),
  );
  const account = headerOf(headers, 'x-moto-account-id');
  return {
    region: scope?.[1] ?? DEFAULT_REGION,
    account: /^\d{12}$/.test(account) ? account : DEFAULT_ACCOUNT,
  };
}

function rewrite(action: string, answer: Answer, input: Json, scope: Scope): void {
  let json: Json;
  try {
    json = JSON.parse(answer.body.toString('utf8')) as Json;
  } catch {
    return;
  }
  let changed = action === 'DescribeTasks'; // describeTasks rewrote it already
  if (action === 'ListTasks') changed = addExternalTaskArns(json, input, scope) || changed;
  if (action === 'DescribeTaskDefinition') changed = asFargate(json) || changed;
  changed = scrubAddresses(json) || changed;
  // Untouched answers go back byte for byte.
  if (changed) answer.body = Buffer.from(JSON.stringify(json));
}

/** Whether a task matches a requested id or ARN (`tasks` takes either). */
function findTask(requested: string): Task | undefined {
  const exact = tasks.get(requested);
  if (exact !== undefined) return exact;
  for (const task of tasks.values()) {
    if (requested === task.id || requested.endsWith(`/${task.id}`)) return task;
  }
  return undefined;
}

async function describeTasks(
  request: IncomingMessage,
  body: Buffer,
  input: Json,
  scope: Scope,
): Promise<Answer> {
  const requested = Array.isArray(input.tasks)
    ? input.tasks.filter((item): item is string => typeof item === 'string')
    : [];
  const cluster = clusterName(typeof input.cluster === 'string' ? input.cluster : 'default');
  const external = requested
    .map(findTask)
    .filter(
      (task): task is Task =>
        task?.external === true &&
        task.ref.cluster === cluster &&
        task.ref.region === scope.region &&
        task.ref.account === scope.account,
    );
  const rest = requested.filter((item) => findTask(item)?.external !== true);
  let answer: Answer;
  if (external.length > 0 && rest.length === 0) {
    // moto has never heard of them (an empty list would be an error there).
    answer = {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: Buffer.from('{}'),
    };
  } else {
    answer = await toMoto(
      request,
      external.length === 0 ? body : Buffer.from(JSON.stringify({ ...input, tasks: rest })),
    );
  }
  if (answer.status !== 200) return answer;
  const json = parseObject(answer.body);
  const listed = Array.isArray(json.tasks) ? (json.tasks as Json[]) : [];
  json.tasks = [
    ...listed.map((item) => {
      const ours = typeof item.taskArn === 'string' ? tasks.get(item.taskArn) : undefined;
      return ours === undefined ? item : describeTask(ours, item);
    }),
    ...external.map((task) => describeTask(task, {})),
  ];
  json.failures ??= [];
  answer.body = Buffer.from(JSON.stringify(json));
  return answer;
}

/** A task as DescribeTasks shows it: moto's object (tags, overrides, ...) under the runner's view. */
function describeTask(task: Task, moto: Json): Json {
  const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
  const motoAttachments = Array.isArray(moto.attachments) ? (moto.attachments as Json[]) : [];
  const eni = motoAttachments.find((attachment) => attachment.type === 'ElasticNetworkInterface');
  const details = Array.isArray(eni?.details) ? (eni.details as Json[]) : [];
  const kept = details.filter((detail) =>
    ['subnetId', 'networkInterfaceId', 'macAddress'].includes(String(detail.name)),
  );
  const attachmentId = typeof eni?.id === 'string' ? eni.id : task.attachmentId;
  return withoutUndefined({
    ...moto,
    taskArn: task.arn,
    clusterArn: clusterArn(task.ref),
    taskDefinitionArn: task.taskDefinitionArn,
    group: `service:${task.service}`,
    startedBy: task.startedBy,
    launchType: 'FARGATE',
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    healthStatus: task.health,
    connectivity: 'CONNECTED',
    createdAt: seconds(task.createdAt),
    pullStartedAt: seconds(task.pullStartedAt),
    pullStoppedAt: seconds(task.pullStoppedAt),
    startedAt: seconds(task.startedAt),
    stoppingAt: seconds(task.stoppingAt),
    stoppedAt: seconds(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
    attachments: [
      {
        id: attachmentId,
        type: 'ElasticNetworkInterface',
        status: task.lastStatus === 'STOPPED' ? 'DELETED' : 'ATTACHED',
        details: [...kept, { name: 'privateIPv4Address', value: task.address }],
      },
    ],
    containers: task.containers.map((container) =>
      withoutUndefined({
        containerArn: container.arn,
        taskArn: task.arn,
        name: container.definition.name,
        image: container.definition.image,
        runtimeId: container.dockerId,
        lastStatus: container.lastStatus,
        exitCode: container.exitCode,
        reason: container.reason,
        healthStatus: container.health,
        networkBindings: [],
        networkInterfaces: [{ attachmentId, privateIpv4Address: task.address }],
        cpu: container.definition.cpu === undefined ? undefined : String(container.definition.cpu),
        memory: container.definition.memory === undefined ? undefined : String(container.definition.memory),
      }),
    ),
  });
}

/** ListTasks of a cluster lists its external tasks too, under the same filters moto applies. */
function addExternalTaskArns(json: Json, input: Json, scope: Scope): boolean {
  const cluster = clusterName(typeof input.cluster === 'string' ? input.cluster : 'default');
  const matching = [...tasks.values()].filter(
    (task) =>
      task.external &&
      task.ref.cluster === cluster &&
      task.ref.region === scope.region &&
      task.ref.account === scope.account &&
      (input.desiredStatus === undefined || input.desiredStatus === 'RUNNING') &&
      (input.startedBy === undefined || input.startedBy === task.startedBy) &&
      (input.serviceName === undefined || input.serviceName === task.service) &&
      (input.family === undefined || familyOf(task.taskDefinitionArn) === input.family) &&
      input.containerInstance === undefined,
  );
  if (matching.length === 0) return false;
  const listed = Array.isArray(json.taskArns) ? (json.taskArns as unknown[]) : [];
  json.taskArns = [...listed, ...matching.map((task) => task.arn)];
  return true;
}

/** moto's CloudFormation drops NetworkMode (shared/notes/moto.md §3.3); Fargate is awsvpc only. */
function asFargate(json: Json): boolean {
  const definition = json.taskDefinition as Json | undefined;
  const arn = definition?.taskDefinitionArn;
  if (definition === undefined || typeof arn !== 'string' || !fargateDefinitions.has(arn)) return false;
  if (definition.networkMode === 'awsvpc') return false;
  definition.networkMode = 'awsvpc';
  definition.requiresCompatibilities = ['FARGATE'];
  definition.compatibilities = ['EC2', 'FARGATE'];
  return true;
}

const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g;

function leaksAddress(value: unknown): boolean {
  return typeof value === 'string' && [...value.matchAll(IPV4)].some((match) => !match[0].startsWith('127.'));
}

/**
 * Removes every string that holds an IPv4 address outside 127/8 (and every privateDnsName, which is
 * one spelt with dashes) from an answer: an ENI detail `{name, value}` goes as a whole. Deliberately
 * blunt: nothing that isn't loopback ever leaves the runner, whatever moto adds in a later version.
 */
function scrubAddresses(node: unknown): boolean {
  let changed = false;
  if (Array.isArray(node)) {
    for (let index = node.length - 1; index >= 0; index--) {
      const item: unknown = node[index];
      const detail = isObject(item) && typeof item.name === 'string' && 'value' in item ? item : undefined;
      if (
        leaksAddress(item) ||
        (detail && (leaksAddress(detail.value) || detail.name === 'privateDnsName'))
      ) {
        node.splice(index, 1);
        changed = true;
      } else if (scrubAddresses(item)) {
        changed = true;
      }
    }
  } else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (leaksAddress(value) || key === 'privateDnsName') {
        Reflect.deleteProperty(node, key);
        changed = true;
      } else if (scrubAddresses(value)) {
        changed = true;
      }
    }
  }
  return changed;
}

// --- the admin API --------------------------------------------------------------------------------

async function admin(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://task-runner');
  const method = request.method ?? 'GET';
  if (method === 'GET' && url.pathname === '/_runner/health') {
    return sendJson(response, 200, {
      component: 'task-runner',
      moto: motoUrl.origin,
      registry: options.registry,
      network: options.network,
      clusters: clusters.size,
      tasks: [...tasks.values()].filter((task) => task.lastStatus !== 'STOPPED').length,
    });
  }
  if (method === 'GET' && url.pathname === '/_runner/tasks') {
    return sendJson(response, 200, { tasks: [...tasks.values()].map(summary) });
  }
  if (url.pathname === '/_runner/external-tasks' && method === 'POST') {
    const input = parseObject(await readBody(request));
    const { cluster, service, address } = input;
    if (typeof cluster !== 'string' || typeof service !== 'string' || typeof address !== 'string')
      return sendJson(response, 400, { message: 'Give cluster, service and address (strings).' });
    if (!LOOPBACK.test(address))
      return sendJson(response, 400, { message: `address must be a 127/8 address (got ${address}).` });
    const ref = refFrom(input, clusterName(cluster));
    const key = serviceKey(ref, service);
    const previous = externals.get(key);
    if (previous?.task !== undefined) tasks.delete(previous.task.arn);
    externals.set(key, { ref, service, address });
    noteCluster(ref);
    log(`${ref.cluster}/${service}: external task on ${address}`);
    reconcileNow();
    return sendJson(response, 201, { cluster: ref.cluster, service, address });
  }
  if (url.pathname === '/_runner/external-tasks' && method === 'DELETE') {
    const query = Object.fromEntries(url.searchParams) as Json;
    const { cluster, service } = query;
    if (typeof cluster !== 'string' || typeof service !== 'string')
      return sendJson(response, 400, { message: 'Give cluster and service as query parameters.' });
    const key = serviceKey(refFrom(query, clusterName(cluster)), service);
    const external = externals.get(key);
    if (external === undefined)
      return sendJson(response, 404, { message: `No external task for ${service}.` });
    if (external.task !== undefined) tasks.delete(external.task.arn);
    externals.delete(key);
    log(`${cluster}/${service}: external task removed`);
    return sendJson(response, 200, { cluster, service });
  }
  return sendJson(response, 404, { message: `No ${method} ${url.pathname} here.` });
}

function refFrom(input: Json, cluster: string): ClusterRef {
  const region = typeof input.region === 'string' && input.region !== '' ? input.region : DEFAULT_REGION;
  const account =
    typeof input.account === 'string' && /^\d{12}$/.test(input.account) ? input.account : DEFAULT_ACCOUNT;
  return { account, region, cluster };
}

function summary(task: Task): Json {
  return withoutUndefined({
    taskArn: task.arn,
    cluster: task.ref.cluster,
    service: task.service,
    address: task.address,
    external: task.external,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    healthStatus: task.health,
    stoppedReason: task.stoppedReason,
    containers: task.containers.map((container) =>
      withoutUndefined({
        name: container.definition.name,
        dockerId: container.dockerId,
        lastStatus: container.lastStatus,
        exitCode: container.exitCode,
      }),
    ),
  });
}

// --- the reconciler -------------------------------------------------------------------------------

let ticking = false;
let tickAgain = false;
/** Set on SIGTERM: nothing new is launched while the runner stops what it runs. */
let shuttingDown = false;

/** Runs a reconcile now, or right after the one under way. */
function reconcileNow(): void {
  void tick();
}

async function tick(): Promise<void> {
  if (shuttingDown) return;
  if (ticking) {
    tickAgain = true;
    return;
  }
  ticking = true;
  try {
    await Promise.all(
      [...tasks.values()]
        .filter((task) => task.started && task.stopping === undefined)
        .map((task) =>
          refresh(task).catch((error: unknown) => log(`${task.id}: inspect failed: ${messageOf(error)}`)),
        ),
    );
    const budget = { launches: MAX_LAUNCHES_PER_TICK };
    for (const entry of [...clusters.values()]) await reconcileCluster(entry, budget);
    forgetStoppedTasks();
  } finally {
    ticking = false;
    if (tickAgain) {
      tickAgain = false;
      void tick();
    }
  }
}

/** What the Docker engine says about a task's containers: running, exited, health. */
async function refresh(task: Task): Promise<void> {
  for (const container of task.containers) {
    if (container.dockerId === undefined || container.lastStatus === 'STOPPED') continue;
    const state = await inspect(container.dockerId);
    if (state === undefined) {
      container.lastStatus = 'STOPPED';
      container.reason = 'The container was removed outside the task runner.';
      continue;
    }
    if (state.Running === true) container.lastStatus = 'RUNNING';
    else if (state.Status !== 'created') recordExit(container, state);
    container.health = healthOf(state);
  }
  task.health = taskHealth(task);
  const exited = task.containers.find(
    (container) => container.lastStatus === 'STOPPED' && container.definition.essential !== false,
  );
  if (exited !== undefined) {
    failed(task.ref, task.service);
    void stopTask(task, 'Essential container in task exited', 'EssentialContainerExited');
    return;
  }
  if (
    task.lastStatus === 'PENDING' &&
    task.containers.every((container) => container.lastStatus !== 'PENDING')
  ) {
    task.lastStatus = 'RUNNING';
    task.startedAt = Date.now();
    log(`${task.ref.cluster}/${task.service}: task ${task.id} is running on ${task.address}`);
  }
  if (task.lastStatus === 'RUNNING' && task.health === 'UNHEALTHY') {
    failed(task.ref, task.service);
    void stopTask(task, 'Task failed container health checks', 'ServiceSchedulerInitiated');
    return;
  }
  const backoff = backoffs.get(serviceKey(task.ref, task.service));
  if (backoff !== undefined && ready(task)) backoff.failures = 0;
}

async function reconcileCluster(
  entry: { ref: ClusterRef; lastNamed: number },
  budget: { launches: number },
): Promise<void> {
  const { ref } = entry;
  let services: Service[];
  try {
    services = await listServices(ref);
  } catch (error) {
    if (error instanceof AwsError && error.type === 'ClusterNotFoundException') services = [];
    else return log(`${ref.cluster}: listing services failed: ${messageOf(error)}`);
  }
  const inCluster = (task: Task) => clusterKey(task.ref) === clusterKey(ref);
  const names = new Set([
    ...services.map((service) => service.serviceName),
    ...[...tasks.values()]
      .filter((task) => inCluster(task) && task.desiredStatus === 'RUNNING')
      .map((task) => task.service),
    ...[...externals.values()]
      .filter((external) => clusterKey(external.ref) === clusterKey(ref))
      .map((e) => e.service),
  ]);
  for (const name of names) {
    const service = services.find((candidate) => candidate.serviceName === name);
    await reconcileService(ref, name, service, budget).catch((error: unknown) =>
      log(`${ref.cluster}/${name}: reconcile failed: ${messageOf(error)}`),
    );
  }
  const busy = [...tasks.values()].some((task) => inCluster(task) && task.lastStatus !== 'STOPPED');
  const hasExternal = [...externals.values()].some(
    (external) => clusterKey(external.ref) === clusterKey(ref),
  );
  if (!busy && !hasExternal && Date.now() - entry.lastNamed > CLUSTER_IDLE_MS) {
    clusters.delete(clusterKey(ref));
    log(`${ref.cluster}: nothing named it for ${CLUSTER_IDLE_MS / 60_000} minutes; no longer reconciled`);
  }
}

async function reconcileService(
  ref: ClusterRef,
  name: string,
  service: Service | undefined,
  budget: { launches: number },
): Promise<void> {
  const key = serviceKey(ref, name);
  const live = [...tasks.values()].filter(
    (task) =>
      !task.external &&
      task.desiredStatus === 'RUNNING' &&
      task.service === name &&
      clusterKey(task.ref) === clusterKey(ref),
  );
  const primary = service?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id ?? '';
  const scaling =
    service?.status === 'ACTIVE'
      ? `Scaling activity initiated by (deployment ${primary})`
      : `Service ${name} was deleted`;
  const external = externals.get(key);
  if (external !== undefined) {
    await syncExternal(external, service, primary);
    for (const task of live) void stopTask(task, scaling, 'ServiceSchedulerInitiated');
    return;
  }
  const desired =
    service?.status === 'ACTIVE' ? Math.min(service.desiredCount ?? 0, MAX_TASKS_PER_SERVICE) : 0;
  if (service === undefined || desired === 0) {
    for (const task of live) void stopTask(task, scaling, 'ServiceSchedulerInitiated');
    return;
  }
  const definition = await resolveTaskDefinition(ref, service.taskDefinition);
  const current = live.filter((task) => task.taskDefinitionArn === definition.taskDefinitionArn);
  const old = live.filter((task) => task.taskDefinitionArn !== definition.taskDefinitionArn);

  let count = current.length;
  while (
    count < desired &&
    budget.launches > 0 &&
    !shuttingDown &&
    Date.now() >= (backoffs.get(key)?.notBefore ?? 0)
  ) {
    budget.launches--;
    count++;
    await launch(ref, service, definition, primary);
  }
  // Too many: the ones not yet ready go first.
  const surplus = [...current]
    .sort((a, b) => Number(ready(a)) - Number(ready(b)))
    .slice(0, Math.max(0, current.length - desired));
  for (const task of surplus) void stopTask(task, scaling, 'ServiceSchedulerInitiated');
  // A new task definition: the old tasks stop once enough new ones are ready.
  if (old.length > 0 && current.filter(ready).length >= desired) {
    for (const task of old) void stopTask(task, scaling, 'ServiceSchedulerInitiated');
  }
}

function ready(task: Task): boolean {
  const checked = task.containers.some((container) => container.definition.healthCheck !== undefined);
  return task.lastStatus === 'RUNNING' && (!checked || task.health === 'HEALTHY');
}

/** One more failed task for a service: the next launch waits 3 s, doubling up to 30 s. */
function failed(ref: ClusterRef, service: string): void {
  const key = serviceKey(ref, service);
  const backoff = backoffs.get(key) ?? { failures: 0, notBefore: 0 };
  backoff.failures++;
  backoff.notBefore = Date.now() + Math.min(FIRST_BACKOFF_MS * 2 ** (backoff.failures - 1), MAX_BACKOFF_MS);
  backoffs.set(key, backoff);
}

async function listServices(ref: ClusterRef): Promise<Service[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < 20; page++) {
    const answer = await aws(ref, 'ecs', 'ListServices', {
      cluster: ref.cluster,
      maxResults: 100,
      ...(nextToken === undefined ? {} : { nextToken }),
    });
    arns.push(...((answer.serviceArns as string[] | undefined) ?? []));
    nextToken = typeof answer.nextToken === 'string' ? answer.nextToken : undefined;
    if (nextToken === undefined) break;
  }
  const services: Service[] = [];
  for (let index = 0; index < arns.length; index += 10) {
    const answer = await aws(ref, 'ecs', 'DescribeServices', {
      cluster: ref.cluster,
      services: arns.slice(index, index + 10),
      include: ['TAGS'],
    });
    services.push(...((answer.services as Service[] | undefined) ?? []));
  }
  return services;
}

/** Pinned references (`family:3`, full ARNs) never change; a bare family means its latest revision. */
async function resolveTaskDefinition(scope: Scope, reference: string): Promise<TaskDefinition> {
  const pinned = /:\d+$/.test(reference);
  const key = `${scope.account}/${scope.region}/${reference}`;
  const cached = pinned ? definitionCache.get(key) : undefined;
  if (cached !== undefined) return cached;
  const answer = await aws(scope, 'ecs', 'DescribeTaskDefinition', { taskDefinition: reference });
  const definition = answer.taskDefinition as TaskDefinition;
  if (pinned) {
    if (definitionCache.size > 1_000) definitionCache.clear();
    definitionCache.set(key, definition);
  }
  return definition;
}

/** The external task follows its service: a new task definition makes it a new task (a new ARN). */
async function syncExternal(
  external: External,
  service: Service | undefined,
  primary: string,
): Promise<void> {
  if (service?.status !== 'ACTIVE') {
    if (external.task !== undefined) tasks.delete(external.task.arn);
    external.task = undefined;
    return;
  }
  const definition = await resolveTaskDefinition(external.ref, service.taskDefinition);
  if (external.task?.taskDefinitionArn === definition.taskDefinitionArn) {
    external.task.startedBy = primary;
    return;
  }
  if (external.task !== undefined) tasks.delete(external.task.arn);
  const id = randomBytes(16).toString('hex');
  const now = Date.now();
  const task = newTask(external.ref, external.service, definition, {
    arn: `arn:aws:ecs:${external.ref.region}:${external.ref.account}:task/${external.ref.cluster}/${id}`,
    startedBy: primary,
    address: external.address,
    external: true,
  });
  task.lastStatus = 'RUNNING';
  task.startedAt = now;
  // Nobody runs its health check: whoever registered it vouches for it (the stack script waits for
  // Traefik's /ping). HEALTHY where the task definition has a check, as ECS would report it.
  for (const container of task.containers) {
    container.lastStatus = 'RUNNING';
    if (container.definition.healthCheck !== undefined) container.health = 'HEALTHY';
  }
  task.health = taskHealth(task);
  external.task = task;
  tasks.set(task.arn, task);
  fargateDefinitions.add(definition.taskDefinitionArn);
  log(
    `${external.ref.cluster}/${external.service}: external task ${task.id} (${definition.family}:${definition.revision}) on ${external.address}`,
  );
}

function newTask(
  ref: ClusterRef,
  service: string,
  definition: TaskDefinition,
  fields: { arn: string; startedBy: string; address: string; external: boolean },
): Task {
  const id = fields.arn.slice(fields.arn.lastIndexOf('/') + 1);
  return {
    ref,
    service,
    arn: fields.arn,
    id,
    taskDefinitionArn: definition.taskDefinitionArn,
    startedBy: fields.startedBy,
    address: fields.address,
    attachmentId: randomUUID(),
    external: fields.external,
    containers: definition.containerDefinitions.map((container) => ({
      definition: container,
      arn: `arn:aws:ecs:${ref.region}:${ref.account}:container/${ref.cluster}/${id}/${randomUUID()}`,
      lastStatus: 'PENDING',
      health: 'UNKNOWN',
    })),
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    health: 'UNKNOWN',
    createdAt: Date.now(),
    started: false,
  };
}

function forgetStoppedTasks(): void {
  const stopped = [...tasks.values()].filter((task) => task.lastStatus === 'STOPPED' && !task.external);
  const cutoff = Date.now() - STOPPED_TASK_TTL_MS;
  stopped.forEach((task, index) => {
    if ((task.stoppedAt ?? 0) < cutoff || index < stopped.length - MAX_STOPPED_TASKS) tasks.delete(task.arn);
  });
}

// --- one task's life: RunTask, pull, create, start, watch, stop -----------------------------------

/** Why a task could not start, as ECS words it; `container` is the one it happened to. */
class StartError extends Error {
  readonly container: TaskContainer | undefined;
  constructor(message: string, container?: TaskContainer) {
    super(message);
    this.container = container;
  }
}

async function launch(
  ref: ClusterRef,
  service: Service,
  definition: TaskDefinition,
  primary: string,
): Promise<void> {
  const name = service.serviceName;
  const address = freeAddresses.shift();
  if (address === undefined) {
    failed(ref, name);
    return log(`${name}: no free address in ${options.addresses}.0/24; not launching`);
  }
  let arn: string;
  try {
    const tags = service.propagateTags === 'SERVICE' ? (service.tags ?? []) : [];
    const answer = await aws(ref, 'ecs', 'RunTask', {
      cluster: ref.cluster,
      taskDefinition: definition.taskDefinitionArn,
      count: 1,
      launchType: 'FARGATE',
      group: `service:${name}`,
      startedBy: primary,
      ...(service.networkConfiguration?.awsvpcConfiguration === undefined
        ? {}
        : { networkConfiguration: service.networkConfiguration }),
      ...(tags.length === 0 ? {} : { tags }),
    });
    const started = (answer.tasks as Json[] | undefined)?.[0]?.taskArn;
    if (typeof started !== 'string')
      throw new Error(`no task started: ${JSON.stringify(answer.failures ?? [])}`);
    arn = started;
  } catch (error) {
    freeAddresses.push(address);
    failed(ref, name);
    return log(`${ref.cluster}/${name}: moto's RunTask failed: ${messageOf(error)}`);
  }
  const task = newTask(ref, name, definition, { arn, startedBy: primary, address, external: false });
  tasks.set(arn, task);
  fargateDefinitions.add(definition.taskDefinitionArn);
  log(`${ref.cluster}/${name}: task ${task.id} (${definition.family}:${definition.revision}) on ${address}`);
  task.starting = start(task);
}

async function start(task: Task): Promise<void> {
  const stopRequested = () => task.desiredStatus === 'STOPPED';
  try {
    await openLogStreams(task);
    task.lastStatus = 'PENDING';
    task.pullStartedAt = Date.now();
    for (const container of task.containers) {
      if (stopRequested()) return;
      await pull(container, task.ref.account);
    }
    task.pullStoppedAt = Date.now();
    if (stopRequested()) return;
    await createContainers(task);
    for (const container of task.containers) {
      if (stopRequested() || container.dockerId === undefined) return;
      const started = await dockerExchange('POST', `/containers/${container.dockerId}/start`);
      if (started.status >= 300 && started.status !== 304) {
        throw new StartError(`CannotStartContainerError: ${dockerMessage(started)}`, container);
      }
      if (container.logTarget !== undefined)
        container.logs = shipLogs(container.dockerId, container.logTarget);
    }
    task.started = true;
  } catch (error) {
    const reason =
      error instanceof StartError ? error.message : `CannotStartContainerError: ${messageOf(error)}`;
    if (error instanceof StartError && error.container !== undefined) error.container.reason = reason;
    failed(task.ref, task.service);
    void stopTask(task, reason, 'TaskFailedToStart');
  }
}

/** awslogs: the stream `<prefix>/<container>/<task id>` in the group, created before the container starts. */
async function openLogStreams(task: Task): Promise<void> {
  for (const container of task.containers) {
    const logging = container.definition.logConfiguration;
    const group = logging?.options?.['awslogs-group'];
    if (logging?.logDriver !== 'awslogs' || group === undefined) continue;
    const prefix = logging.options?.['awslogs-stream-prefix'];
    const stream = prefix ? `${prefix}/${container.definition.name}/${task.id}` : task.id;
    const scope = {
      account: task.ref.account,
      region: logging.options?.['awslogs-region'] ?? task.ref.region,
    };
    try {
      if (logging.options?.['awslogs-create-group'] === 'true') {
        await aws(scope, 'logs', 'CreateLogGroup', { logGroupName: group }).catch((error: unknown) => {
          if (!(error instanceof AwsError && error.type === 'ResourceAlreadyExistsException')) throw error;
        });
      }
      await aws(scope, 'logs', 'CreateLogStream', { logGroupName: group, logStreamName: stream });
    } catch (error) {
      if (!(error instanceof AwsError && error.type === 'ResourceAlreadyExistsException')) {
        throw new StartError(
          `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ${messageOf(error)}`,
          container,
        );
      }
    }
    container.logTarget = { scope, group, stream };
  }
}

/** The registry part of an image reference, as Docker reads it (`docker.io` when there is none). */
function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

/** `name` and its tag or digest (`latest` when there is neither: without one, Docker pulls every tag). */
function splitReference(image: string): { name: string; reference: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), reference: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/')
    ? { name: image.slice(0, colon), reference: image.slice(colon + 1) }
    : { name: image, reference: 'latest' };
}

/** Pulls from the stack's registry with moto's ECR credentials; anything else is refused unasked. */
async function pull(container: TaskContainer, account: string): Promise<void> {
  const image = container.definition.image;
  const registry = registryOf(image);
  if (registry !== options.registry) {
    const ref =
      registry === 'docker.io' && !image.startsWith('docker.io/')
        ? `docker.io/${image.includes('/') ? '' : 'library/'}${image}`
        : image;
    throw new StartError(
      `CannotPullContainerError: pull image manifest has been retried 0 time(s): failed to resolve ref ${ref}: not pulled: the test stack's task runner pulls images from ${options.registry} only`,
      container,
    );
  }
  const { name, reference } = splitReference(image);
  // ECR's credentials for the account, as the agent gets them: AWS / <account>-auth-token. The engine
  // decodes the header as base64url WITH padding (Go's URLEncoding); Node's 'base64url' has none.
  const auth = Buffer.from(
    JSON.stringify({ username: 'AWS', password: `${account}-auth-token`, serveraddress: options.registry }),
  )
    .toString('base64')
    .replaceAll('+', '-')
    .replaceAll('/', '_');
  const answer = await dockerExchange(
    'POST',
    `/images/create?fromImage=${encodeURIComponent(name)}&tag=${encodeURIComponent(reference)}`,
    undefined,
    { timeoutMs: PULL_TIMEOUT_MS, headers: { 'x-registry-auth': auth } },
  ).catch((error: unknown) => ({ status: 599, headers: {}, body: Buffer.from(messageOf(error)) }));
  // The engine answers 200 and reports a failure inside the progress stream.
  const streamed = answer.body
    .toString('utf8')
    .split('\n')
    .map((line) => parseObject(Buffer.from(line)).error)
    .find((error): error is string => typeof error === 'string');
  if (answer.status !== 200 || streamed !== undefined) {
    throw new StartError(
      `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${image}: ${streamed ?? dockerMessage(answer)}`,
      container,
    );
  }
}

async function createContainers(task: Task): Promise<void> {
  // awsvpc: the task's containers share one network namespace, the first container's.
  let first: string | undefined;
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const container of task.containers) {
    for (const mapping of container.definition.portMappings ?? []) {
      const port = mapping.containerPort ?? mapping.hostPort;
      if (port === undefined) continue;
      const key = `${port}/${mapping.protocol ?? 'tcp'}`;
      exposed[key] = {};
      bindings[key] = [{ HostIp: task.address, HostPort: String(port) }];
    }
  }
  for (const container of task.containers) {
    const definition = container.definition;
    if ((definition.secrets?.length ?? 0) > 0) {
      throw new StartError(
        `ResourceInitializationError: unable to pull secrets or registry auth: the test stack's task runner does not resolve secrets`,
        container,
      );
    }
    const name = `${options.network}-${task.id}-${definition.name}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
    const created = await dockerExchange('POST', `/containers/create?name=${encodeURIComponent(name)}`, {
      Image: definition.image,
      Env: (definition.environment ?? []).map((variable) => `${variable.name ?? ''}=${variable.value ?? ''}`),
      ...(definition.entryPoint === undefined ? {} : { Entrypoint: definition.entryPoint }),
      ...(definition.command === undefined ? {} : { Cmd: definition.command }),
      ...(definition.user === undefined ? {} : { User: definition.user }),
      ...(definition.workingDirectory === undefined ? {} : { WorkingDir: definition.workingDirectory }),
      ...(definition.healthCheck === undefined
        ? {}
        : { Healthcheck: dockerHealthcheck(definition.healthCheck) }),
      Labels: {
        [LABEL]: options.network,
        [`${LABEL}.task`]: task.arn,
        [`${LABEL}.cluster`]: task.ref.cluster,
        [`${LABEL}.region`]: task.ref.region,
        [`${LABEL}.account`]: task.ref.account,
        [`${LABEL}.service`]: task.service,
      },
      ...(first === undefined ? { ExposedPorts: exposed } : {}),
      HostConfig: {
        NetworkMode: first === undefined ? options.network : `container:${first}`,
        ...(first === undefined ? { PortBindings: bindings } : {}),
        ReadonlyRootfs: definition.readonlyRootFilesystem === true,
      },
      ...(first === undefined ? { NetworkingConfig: { EndpointsConfig: { [options.network]: {} } } } : {}),
    });
    if (created.status !== 201)
      throw new StartError(`CannotCreateContainerError: ${dockerMessage(created)}`, container);
    const id = String(parseObject(created.body).Id);
    container.dockerId = id;
    first ??= id;
  }
}

/** ECS's healthCheck in Docker's terms: seconds to nanoseconds, ECS's defaults (30 s, 5 s, 3, 0). */
function dockerHealthcheck(check: HealthCheck): Json {
  const [kind, ...rest] = check.command;
  const test =
    kind === 'CMD' || kind === 'NONE'
      ? check.command
      : ['CMD-SHELL', kind === 'CMD-SHELL' ? rest.join(' ') : check.command.join(' ')];
  const nanoseconds = (value: number) => Math.round(value * 1e9);
  return {
    Test: test,
    Interval: nanoseconds(check.interval ?? 30),
    Timeout: nanoseconds(check.timeout ?? 5),
    Retries: check.retries ?? 3,
    StartPeriod: nanoseconds(check.startPeriod ?? 0),
  };
}

interface ContainerState {
  Status?: string;
  Running?: boolean;
  ExitCode?: number;
  OOMKilled?: boolean;
  Error?: string;
  Health?: { Status?: string };
}

async function inspect(id: string): Promise<ContainerState | undefined> {
  const answer = await dockerExchange('GET', `/containers/${id}/json`);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new Error(dockerMessage(answer));
  const state = parseObject(answer.body).State;
  return isObject(state) ? state : {};
}

function recordExit(container: TaskContainer, state: ContainerState): void {
  container.lastStatus = 'STOPPED';
  if (typeof state.ExitCode === 'number') container.exitCode = state.ExitCode;
  if (state.OOMKilled === true) container.reason ??= 'OutOfMemoryError: Container killed due to memory usage';
  else if (state.Error) container.reason ??= `CannotStartContainerError: ${state.Error}`;
}

function healthOf(state: ContainerState): Health {
  const status = state.Health?.Status;
  return status === 'healthy' ? 'HEALTHY' : status === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
}

/** ECS: UNHEALTHY if an essential container is; HEALTHY when all essential checked ones are. */
function taskHealth(task: Task): Health {
  const checked = task.containers.filter(
    (container) => container.definition.essential !== false && container.definition.healthCheck !== undefined,
  );
  if (checked.some((container) => container.health === 'UNHEALTHY')) return 'UNHEALTHY';
  if (checked.length > 0 && checked.every((container) => container.health === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}

/**
 * Stops a task (once, whoever asks): its containers get SIGTERM and, after the stop timeout, SIGKILL;
 * their output is drained into CloudWatch Logs before moto hears StopTask, so whoever sees the task
 * stopped finds its last lines; then the containers are removed and the address is free again.
 */
function stopTask(task: Task, reason: string, stopCode: string): Promise<void> {
  if (task.stopping !== undefined) return task.stopping;
  task.desiredStatus = 'STOPPED';
  task.stoppedReason = reason;
  task.stopCode = stopCode;
  task.stoppingAt = Date.now();
  task.stopping = teardown(task, reason);
  return task.stopping;
}

async function teardown(task: Task, reason: string): Promise<void> {
  // A start under way stops at its next step.
  await task.starting?.catch(() => undefined);
  task.lastStatus = 'STOPPING';
  const created = task.containers.filter((container) => container.dockerId !== undefined);
  await Promise.all(
    created.map(async (container) => {
      const id = container.dockerId ?? '';
      const timeout = container.definition.stopTimeout ?? stopTimeoutSeconds;
      await dockerExchange('POST', `/containers/${id}/stop?t=${timeout}`, undefined, {
        timeoutMs: (timeout + 10) * 1000,
      }).catch(() => undefined);
      const state = await inspect(id).catch(() => undefined);
      if (state !== undefined && container.lastStatus !== 'STOPPED') recordExit(container, state);
      await withTimeout(container.logs ?? Promise.resolve(), LOG_DRAIN_MS);
    }),
  );
  await aws(task.ref, 'ecs', 'StopTask', { cluster: task.ref.cluster, task: task.arn, reason }).catch(
    (error: unknown) => log(`${task.id}: moto's StopTask failed: ${messageOf(error)}`),
  );
  await Promise.all(
    created.map((container) =>
      dockerExchange('DELETE', `/containers/${container.dockerId ?? ''}?force=1&v=1`).catch(() => undefined),
    ),
  );
  for (const container of task.containers) container.lastStatus = 'STOPPED';
  task.lastStatus = 'STOPPED';
  task.stoppedAt = Date.now();
  freeAddresses.push(task.address);
  const exits = task.containers
    .filter((container) => container.exitCode !== undefined)
    .map((container) => `${container.definition.name} exited ${container.exitCode}`);
  log(
    `${task.ref.cluster}/${task.service}: task ${task.id} stopped: ${reason}${exits.length ? ` (${exits.join(', ')})` : ''}`,
  );
}

// --- container output to CloudWatch Logs ----------------------------------------------------------

/**
 * Follows a container's output (Docker's multiplexed log stream, with timestamps) and puts it, line by
 * line, into its log stream every half second; resolves once the container has ended and all is put.
 */
async function shipLogs(dockerId: string, target: LogTarget): Promise<void> {
  const pending: { timestamp: number; message: string }[] = [];
  let putting = Promise.resolve();
  const flush = (): Promise<void> => {
    const events = pending.splice(0).sort((a, b) => a.timestamp - b.timestamp);
    for (let index = 0; index < events.length; index += 1_000) {
      const batch = events.slice(index, index + 1_000);
      putting = putting
        .then(() =>
          aws(target.scope, 'logs', 'PutLogEvents', {
            logGroupName: target.group,
            logStreamName: target.stream,
            logEvents: batch,
          }),
        )
        .then(
          () => undefined,
          (error: unknown) =>
            log(`logs of ${dockerId.slice(0, 12)} to ${target.stream}: ${messageOf(error)}`),
        );
    }
    return putting;
  };
  const partial = ['', '', ''];
  const take = (stream: number, text: string) => {
    const lines = (partial[stream] + text).split('\n');
    partial[stream] = lines.pop() ?? '';
    for (const line of lines) pending.push(logEvent(line));
  };
  const timer = setInterval(() => void flush(), LOG_FLUSH_MS);
  try {
    const response = await dockerStream(
      `/containers/${dockerId}/logs?follow=1&stdout=1&stderr=1&timestamps=1`,
    );
    let buffer = Buffer.alloc(0);
    for await (const chunk of response) {
      buffer = Buffer.concat([buffer, chunk as Buffer]);
      // Frames: 1 byte stream (1 stdout, 2 stderr), 3 zero bytes, 4 bytes length, then the payload.
      while (buffer.length >= 8) {
        const size = buffer.readUInt32BE(4);
        if (buffer.length < 8 + size) break;
        take(buffer[0] === 2 ? 2 : 1, buffer.subarray(8, 8 + size).toString('utf8'));
        buffer = buffer.subarray(8 + size);
      }
    }
  } catch (error) {
    log(`logs of ${dockerId.slice(0, 12)}: ${messageOf(error)}`);
  } finally {
    clearInterval(timer);
    for (const stream of [1, 2]) if (partial[stream]) pending.push(logEvent(partial[stream] ?? ''));
    await flush();
  }
}

/** `2026-12-05T11:08:11.123456789Z message` (Docker's timestamps=1) to a CloudWatch Logs event. */
function logEvent(line: string): { timestamp: number; message: string } {
  const space = line.indexOf(' ');
  const stamp = Date.parse(line.slice(0, space).replace(/(\.\d{3})\d*Z$/, '$1Z'));
  return Number.isNaN(stamp) || space < 0
    ? { timestamp: Date.now(), message: line }
    : { timestamp: stamp, message: line.slice(space + 1) };
}

// --- moto and the Docker engine -------------------------------------------------------------------

/** An error answer of moto's JSON APIs: `type` is the exception's name. */
class AwsError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(`${type}: ${message}`);
    this.type = type;
  }
}

/** One call to moto's ECS or CloudWatch Logs; moto reads the region from the credential scope. */
async function aws(scope: Scope, service: 'ecs' | 'logs', action: string, input: object): Promise<Json> {
  const body = Buffer.from(JSON.stringify(input));
  const answer = await exchange(
    {
      host: motoUrl.hostname,
      port: Number(motoUrl.port || 80),
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${service === 'ecs' ? ECS_TARGET : LOGS_TARGET}${action}`,
        authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${scope.region}/${service}/aws4_request, SignedHeaders=host;x-amz-target, Signature=0`,
        'x-moto-account-id': scope.account,
        'content-length': String(body.length),
      },
    },
    body,
    MOTO_TIMEOUT_MS,
  ).catch((error: unknown) => {
    throw new Error(`moto at ${motoUrl.origin} did not answer ${action}: ${messageOf(error)}`);
  });
  const json = parseObject(answer.body);
  if (answer.status !== 200) {
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const raw = text(json.__type) ?? headerOf(answer.headers, 'x-amzn-errortype') ?? '';
    const type = raw.split('#').pop()?.split(':')[0] || `HTTP ${answer.status}`;
    const message = text(json.message) ?? text(json.Message) ?? answer.body.toString('utf8').slice(0, 200);
    throw new AwsError(type, message);
  }
  return json;
}

/** The client's call as it came, to moto (only the Host changes); the answer buffered. */
function toMoto(request: IncomingMessage, body: Buffer): Promise<Answer> {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (!HOP_BY_HOP.has(key) && key !== 'host' && value !== undefined) headers[key] = value;
  }
  headers.host = motoUrl.host;
  headers['content-length'] = String(body.length);
  return exchange(
    {
      host: motoUrl.hostname,
      port: Number(motoUrl.port || 80),
      method: request.method ?? 'POST',
      path: request.url ?? '/',
      headers,
    },
    body,
    MOTO_TIMEOUT_MS,
  );
}

function dockerExchange(
  method: string,
  path: string,
  body?: object,
  {
    timeoutMs = DOCKER_TIMEOUT_MS,
    headers = {},
  }: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
  return exchange(
    {
      socketPath: dockerSocket,
      method,
      path: `${DOCKER_API}${path}`,
      headers: {
        ...headers,
        host: 'docker',
        'content-length': String(payload.length),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    },
    payload,
    timeoutMs,
  );
}

/** A Docker API answer that streams (container logs); the caller reads it to its end. */
function dockerStream(path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      socketPath: dockerSocket,
      method: 'GET',
      path: `${DOCKER_API}${path}`,
      headers: { host: 'docker' },
    });
    request.on('response', (response) => {
      if (response.statusCode === 200) return resolve(response);
      response.resume();
      reject(new Error(`docker answered ${response.statusCode ?? '?'} for ${path}`));
    });
    request.on('error', reject);
    request.end();
  });
}

function dockerMessage(answer: Answer): string {
  const json = parseObject(answer.body);
  return typeof json.message === 'string'
    ? json.message
    : answer.body.toString('utf8').slice(0, 300) || `HTTP ${answer.status}`;
}

function exchange(requestOptions: http.RequestOptions, body: Buffer, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ ...requestOptions, timeout: timeoutMs });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 502,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

// --- start and stop -------------------------------------------------------------------------------

/** The runner's network (engines here have no default bridge), created once with the runner's label. */
async function ensureNetwork(): Promise<void> {
  const found = await dockerExchange('GET', `/networks/${options.network}`);
  if (found.status === 200) return;
  const created = await dockerExchange('POST', '/networks/create', {
    Name: options.network,
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: { [LABEL]: options.network },
  });
  if (created.status !== 201)
    throw new Error(`creating the network ${options.network}: ${dockerMessage(created)}`);
  log(`created the Docker network ${options.network}`);
}

/** Containers a previous runner left (it was killed): their tasks are stopped in moto, they are removed. */
async function removeLeftovers(): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${LABEL}=${options.network}`] }));
  const listed = await dockerExchange('GET', `/containers/json?all=1&filters=${filters}`);
  const containers = JSON.parse(listed.body.toString('utf8') || '[]') as {
    Id: string;
    Labels?: Record<string, string>;
  }[];
  for (const container of containers) {
    const labels = container.Labels ?? {};
    const task = labels[`${LABEL}.task`];
    const cluster = labels[`${LABEL}.cluster`];
    if (task !== undefined && cluster !== undefined) {
      const scope = {
        region: labels[`${LABEL}.region`] ?? DEFAULT_REGION,
        account: labels[`${LABEL}.account`] ?? DEFAULT_ACCOUNT,
      };
      await aws(scope, 'ecs', 'StopTask', { cluster, task, reason: 'The task runner restarted' }).catch(
        () => undefined,
      );
    }
    await dockerExchange('DELETE', `/containers/${container.Id}?force=1&v=1`);
  }
  if (containers.length > 0) log(`removed ${containers.length} containers a previous runner left`);
}

let timer: NodeJS.Timeout | undefined;

async function main(): Promise<void> {
  const version = await dockerExchange('GET', '/version').catch((error: unknown) => {
    throw new Error(`no Docker engine answers on ${dockerSocket}: ${messageOf(error)}`);
  });
  if (version.status !== 200)
    throw new Error(`the Docker engine on ${dockerSocket} answered ${version.status}`);
  await ensureNetwork();
  await removeLeftovers();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(listenPort), listenHost, () => resolve());
  });
  timer = setInterval(() => void tick(), intervalMs);
  log(
    `listening on ${options.listen}; moto ${motoUrl.origin}; registry ${options.registry}; network ${options.network}; tasks on ${options.addresses}.2-254`,
  );
}

async function shutdown(): Promise<void> {
  shuttingDown = true;
  clearInterval(timer);
  server.close();
  server.closeAllConnections();
  const running = [...tasks.values()].filter((task) => !task.external && task.lastStatus !== 'STOPPED');
  await withTimeout(
    Promise.all(
      running.map((task) =>
        stopTask(task, "The test stack's task runner stopped", 'ServiceSchedulerInitiated'),
      ),
    ),
    15_000,
  );
  process.exit(0);
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown());

main().catch((error: unknown) => fail(messageOf(error)));

// --- small things ---------------------------------------------------------------------------------

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(body: Buffer): Json {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

function withoutUndefined(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

function familyOf(taskDefinitionArn: string): string {
  const name = taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf('/') + 1);
  return name.slice(0, name.lastIndexOf(':'));
}

function headerOf(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function relay(response: ServerResponse, answer: Answer): void {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(answer.headers)) {
    if (!HOP_BY_HOP.has(key) && value !== undefined) headers[key] = value;
  }
  headers['content-length'] = String(answer.body.length);
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}

function sendJson(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timeout = setTimeout(resolve, ms);
    void promise.then(
      () => {
        clearTimeout(timeout);
        resolve();
      },
      () => {
        clearTimeout(timeout);
        resolve();
      },
    );
  });
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error.cause as { code?: string } | undefined)?.code;
  return code === undefined ? error.message : `${error.message} (${code})`;
}

function splitHostPort(value: string): [string, string] {
  const index = value.lastIndexOf(':');
  return index < 0 ? [value, ''] : [value.slice(0, index), value.slice(index + 1)];
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} task-runner: ${message}\n`);
}

function fail(message: string): never {
  process.stderr.write(`task-runner: ${message}\n`);
  process.exit(2);
}
