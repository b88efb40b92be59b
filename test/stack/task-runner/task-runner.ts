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
import { parseArgs } from 'node:util';
import { server } from './ecs-proxy.ts';
import { dockerExchange, ensureNetwork, removeLeftovers, stopTask } from './containers.ts';
import { stopLaunching, tick } from './reconciler.ts';
import { LOOPBACK, configure, tasks } from './state.ts';
import { fail, log, messageOf, splitHostPort, withTimeout } from './util.ts';

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

configure({ options, motoUrl, dockerSocket, stopTimeoutSeconds });

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
  stopLaunching();
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
