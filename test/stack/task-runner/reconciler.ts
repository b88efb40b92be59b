import { randomBytes, randomUUID } from 'node:crypto';
import { healthOf, inspect, launch, recordExit, stopTask, taskHealth } from './containers.ts';
import { AwsError, aws } from './moto.ts';
import {
  CLUSTER_IDLE_MS,
  FIRST_BACKOFF_MS,
  MAX_BACKOFF_MS,
  MAX_LAUNCHES_PER_TICK,
  MAX_STOPPED_TASKS,
  MAX_TASKS_PER_SERVICE,
  STOPPED_TASK_TTL_MS,
  backoffs,
  clusterKey,
  clusters,
  definitionCache,
  externals,
  fargateDefinitions,
  serviceKey,
  tasks,
  type ClusterRef,
  type External,
  type Scope,
  type Service,
  type Task,
  type TaskDefinition,
} from './state.ts';
import { log, messageOf } from './util.ts';

// --- the reconciler -------------------------------------------------------------------------------

let ticking = false;
let tickAgain = false;
/** Set on SIGTERM: nothing new is launched while the runner stops what it runs. */
let shuttingDown = false;

export function stopLaunching(): void {
  shuttingDown = true;
}

/** Runs a reconcile now, or right after the one under way. */
export function reconcileNow(): void {
  void tick();
}

export async function tick(): Promise<void> {
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
export async function refresh(task: Task): Promise<void> {
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

export async function reconcileCluster(
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

export async function reconcileService(
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

export function ready(task: Task): boolean {
  const checked = task.containers.some((container) => container.definition.healthCheck !== undefined);
  return task.lastStatus === 'RUNNING' && (!checked || task.health === 'HEALTHY');
}

/** One more failed task for a service: the next launch waits 3 s, doubling up to 30 s. */
export function failed(ref: ClusterRef, service: string): void {
  const key = serviceKey(ref, service);
  const backoff = backoffs.get(key) ?? { failures: 0, notBefore: 0 };
  backoff.failures++;
  backoff.notBefore = Date.now() + Math.min(FIRST_BACKOFF_MS * 2 ** (backoff.failures - 1), MAX_BACKOFF_MS);
  backoffs.set(key, backoff);
}

export async function listServices(ref: ClusterRef): Promise<Service[]> {
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
export async function resolveTaskDefinition(scope: Scope, reference: string): Promise<TaskDefinition> {
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
export async function syncExternal(
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

export function newTask(
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

export function forgetStoppedTasks(): void {
  const stopped = [...tasks.values()].filter((task) => task.lastStatus === 'STOPPED' && !task.external);
  const cutoff = Date.now() - STOPPED_TASK_TTL_MS;
  stopped.forEach((task, index) => {
    if ((task.stoppedAt ?? 0) < cutoff || index < stopped.length - MAX_STOPPED_TASKS) tasks.delete(task.arn);
  });
}
