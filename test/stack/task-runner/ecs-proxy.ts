import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { toMoto } from './moto.ts';
import { reconcileNow } from './reconciler.ts';
import {
  DEFAULT_ACCOUNT,
  DEFAULT_REGION,
  ECS_TARGET,
  LOOPBACK,
  SERVICE_CHANGES,
  clusterArn,
  clusterName,
  clusters,
  externals,
  fargateDefinitions,
  motoUrl,
  noteCluster,
  options,
  serviceKey,
  tasks,
  type Answer,
  type ClusterRef,
  type Json,
  type Scope,
  type Task,
} from './state.ts';
import {
  familyOf,
  headerOf,
  isObject,
  log,
  messageOf,
  parseObject,
  readBody,
  relay,
  sendJson,
  withoutUndefined,
} from './util.ts';

// --- the ECS endpoint -----------------------------------------------------------------------------

export const server = http.createServer((request, response) => {
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

export async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
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
export function clusterNamesIn(input: Json): string[] {
  const names = [
    input.cluster,
    input.clusterName,
    ...(Array.isArray(input.clusters) ? (input.clusters as unknown[]) : []),
  ];
  return names.filter((name): name is string => typeof name === 'string' && name !== '').map(clusterName);
}

/** moto picks the backend from the SigV4 credential scope and the account from x-moto-account-id. */
export function scopeOf(headers: IncomingHttpHeaders): Scope {
  const scope = /Credential=[^/,]*\/\d{8}\/([a-z0-9-]+)\/[a-z0-9-]+\/aws4_request/.exec(
    headerOf(headers, 'authorization'),
  );
  const account = headerOf(headers, 'x-moto-account-id');
  return {
    region: scope?.[1] ?? DEFAULT_REGION,
    account: /^\d{12}$/.test(account) ? account : DEFAULT_ACCOUNT,
  };
}

export function rewrite(action: string, answer: Answer, input: Json, scope: Scope): void {
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
export function findTask(requested: string): Task | undefined {
  const exact = tasks.get(requested);
  if (exact !== undefined) return exact;
  for (const task of tasks.values()) {
    if (requested === task.id || requested.endsWith(`/${task.id}`)) return task;
  }
  return undefined;
}

export async function describeTasks(
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
export function describeTask(task: Task, moto: Json): Json {
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
export function addExternalTaskArns(json: Json, input: Json, scope: Scope): boolean {
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
export function asFargate(json: Json): boolean {
  const definition = json.taskDefinition as Json | undefined;
  const arn = definition?.taskDefinitionArn;
  if (definition === undefined || typeof arn !== 'string' || !fargateDefinitions.has(arn)) return false;
  if (definition.networkMode === 'awsvpc') return false;
  definition.networkMode = 'awsvpc';
  definition.requiresCompatibilities = ['FARGATE'];
  definition.compatibilities = ['EC2', 'FARGATE'];
  return true;
}

export const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g;

export function leaksAddress(value: unknown): boolean {
  return typeof value === 'string' && [...value.matchAll(IPV4)].some((match) => !match[0].startsWith('127.'));
}

/**
 * Removes every string that holds an IPv4 address outside 127/8 (and every privateDnsName, which is
 * one spelt with dashes) from an answer: an ENI detail `{name, value}` goes as a whole. Deliberately
 * blunt: nothing that isn't loopback ever leaves the runner, whatever moto adds in a later version.
 */
export function scrubAddresses(node: unknown): boolean {
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

export async function admin(request: IncomingMessage, response: ServerResponse): Promise<void> {
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

export function refFrom(input: Json, cluster: string): ClusterRef {
  const region = typeof input.region === 'string' && input.region !== '' ? input.region : DEFAULT_REGION;
  const account =
    typeof input.account === 'string' && /^\d{12}$/.test(input.account) ? input.account : DEFAULT_ACCOUNT;
  return { account, region, cluster };
}

export function summary(task: Task): Json {
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
