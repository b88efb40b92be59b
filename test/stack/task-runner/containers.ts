import http, { type IncomingMessage } from 'node:http';
import { openLogStreams, shipLogs } from './logs.ts';
import { aws } from './moto.ts';
import { failed, newTask } from './reconciler.ts';
import {
  DEFAULT_ACCOUNT,
  DEFAULT_REGION,
  DOCKER_API,
  DOCKER_TIMEOUT_MS,
  LABEL,
  LOG_DRAIN_MS,
  PULL_TIMEOUT_MS,
  dockerSocket,
  fargateDefinitions,
  freeAddresses,
  options,
  stopTimeoutSeconds,
  tasks,
  type Answer,
  type ClusterRef,
  type Health,
  type HealthCheck,
  type Json,
  type Service,
  type Task,
  type TaskContainer,
  type TaskDefinition,
} from './state.ts';
import { exchange, isObject, log, messageOf, parseObject, withTimeout } from './util.ts';

// --- one task's life: RunTask, pull, create, start, watch, stop -----------------------------------

/** Why a task could not start, as ECS words it; `container` is the one it happened to. */
export class StartError extends Error {
  readonly container: TaskContainer | undefined;
  constructor(message: string, container?: TaskContainer) {
    super(message);
    this.container = container;
  }
}

export async function launch(
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

export async function start(task: Task): Promise<void> {
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

/** The registry part of an image reference, as Docker reads it (`docker.io` when there is none). */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

/** `name` and its tag or digest (`latest` when there is neither: without one, Docker pulls every tag). */
export function splitReference(image: string): { name: string; reference: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), reference: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/')
    ? { name: image.slice(0, colon), reference: image.slice(colon + 1) }
    : { name: image, reference: 'latest' };
}

/** Pulls from the stack's registry with moto's ECR credentials; anything else is refused unasked. */
export async function pull(container: TaskContainer, account: string): Promise<void> {
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

export async function createContainers(task: Task): Promise<void> {
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
export function dockerHealthcheck(check: HealthCheck): Json {
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

export interface ContainerState {
  Status?: string;
  Running?: boolean;
  ExitCode?: number;
  OOMKilled?: boolean;
  Error?: string;
  Health?: { Status?: string };
}

export async function inspect(id: string): Promise<ContainerState | undefined> {
  const answer = await dockerExchange('GET', `/containers/${id}/json`);
  if (answer.status === 404) return undefined;
  if (answer.status !== 200) throw new Error(dockerMessage(answer));
  const state = parseObject(answer.body).State;
  return isObject(state) ? state : {};
}

export function recordExit(container: TaskContainer, state: ContainerState): void {
  container.lastStatus = 'STOPPED';
  if (typeof state.ExitCode === 'number') container.exitCode = state.ExitCode;
  if (state.OOMKilled === true) container.reason ??= 'OutOfMemoryError: Container killed due to memory usage';
  else if (state.Error) container.reason ??= `CannotStartContainerError: ${state.Error}`;
}

export function healthOf(state: ContainerState): Health {
  const status = state.Health?.Status;
  return status === 'healthy' ? 'HEALTHY' : status === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
}

/** ECS: UNHEALTHY if an essential container is; HEALTHY when all essential checked ones are. */
export function taskHealth(task: Task): Health {
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
export function stopTask(task: Task, reason: string, stopCode: string): Promise<void> {
  if (task.stopping !== undefined) return task.stopping;
  task.desiredStatus = 'STOPPED';
  task.stoppedReason = reason;
  task.stopCode = stopCode;
  task.stoppingAt = Date.now();
  task.stopping = teardown(task, reason);
  return task.stopping;
}

export async function teardown(task: Task, reason: string): Promise<void> {
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

export function dockerExchange(
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
export function dockerStream(path: string): Promise<IncomingMessage> {
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

export function dockerMessage(answer: Answer): string {
  const json = parseObject(answer.body);
  return typeof json.message === 'string'
    ? json.message
    : answer.body.toString('utf8').slice(0, 300) || `HTTP ${answer.status}`;
}

// --- start and stop -------------------------------------------------------------------------------

/** The runner's network (engines here have no default bridge), created once with the runner's label. */
export async function ensureNetwork(): Promise<void> {
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
export async function removeLeftovers(): Promise<void> {
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
