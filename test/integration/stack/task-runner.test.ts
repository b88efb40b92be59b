/**
 * The test stack's task runner (test/stack/task-runner) is what ECS's scheduler and agent are to moto:
 * these tests hold it to ECS's behaviour with real containers, talking to it as the CLI and Traefik do
 * (an ECS client whose endpoint is the runner; everything else goes to moto), and once through the
 * real Traefik's ECS provider.
 *
 * Every test has its own service in one cluster of this file's, and they run concurrently: a task
 * takes a second or two to run, a stop two more (busybox's httpd ignores SIGTERM as PID 1, so the
 * runner's 2 s stop timeout ends it). The image is busybox FROM scratch, pushed through the ECR
 * bridge; what a container does comes from its task definition's command and environment.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { CreateLogGroupCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, DeleteRepositoryCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Task,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, it } from 'vitest';

import { describeStoppedTask } from '../../../src/lib/app/deploy/ecs/track-rollout.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { traefikLabels } from '../../../src/lib/labels.js';
import { describeWith, uniqueName, type Stack } from '../../support/stack.js';
import { startTraefik, type RunningTraefik } from '../../support/traefik-process.js';
import { writeBuildContext } from '../image/helpers.js';
import { answerFor, eventually, SERVE_APP_TAG } from '../traefik/support.js';

const run = promisify(execFile);

/** Where the runner puts tasks (scripts/test-stack.sh starts it with --addresses 127.0.10). */
const TASK_ADDRESS = /^127\.0\.10\.(\d{1,3})$/;
const IPV4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g;

/** A health check the busybox image can run without a shell: httpd answers on port 80. */
const HTTP_HEALTH_CHECK = {
  command: ['CMD', '/bin/busybox', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1/'],
  interval: 1,
  timeout: 2,
  retries: 2,
};

/**
 * One cluster of the file's own, reached through the runner, with an image in the stack's registry
 * and a log group in moto. Services made through it are deleted (and their tasks awaited) at the end.
 */
class RunnerFixture {
  readonly cluster = uniqueName('runner');
  readonly logGroup = `/traefikctl-test/${this.cluster}`;
  /** The ECS endpoint the CLI and Traefik use when they opt in: the runner. */
  readonly ecs: ECSClient;
  /** moto itself, for everything else and for what moto says without the runner. */
  readonly moto = new AwsClients({ maxAttempts: 1 });
  image = '';
  network = { subnets: [] as string[], securityGroups: [] as string[] };
  readonly #services: string[] = [];
  #repository = '';
  #imageId = '';
  #work = '';

  constructor(private readonly stack: Stack) {
    this.ecs = new ECSClient({
      endpoint: stack.runnerUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 1,
    });
  }

  docker(args: string[], env: NodeJS.ProcessEnv = {}) {
    return run('docker', args, { env: { ...process.env, DOCKER_HOST: this.stack.dockerHost, ...env } });
  }

  /** busybox FROM scratch (with /bin/sh for CMD-SHELL checks), pushed through the ECR bridge. */
  async setUp(): Promise<void> {
    const busybox = this.stack.busybox;
    if (busybox === null) throw new Error('The stack has no static busybox for the test image');
    this.#work = await mkdtemp(join(tmpdir(), 'traefikctl-task-runner-'));
    const context = join(this.#work, 'context');
    await writeBuildContext(context, busybox, 'baked into the image');
    await appendFile(join(context, 'Dockerfile'), 'COPY busybox /bin/sh\n');
    const config = join(this.#work, 'docker-config');
    await mkdir(config);
    await chmod(config, 0o700);
    await writeFile(
      join(config, 'config.json'),
      JSON.stringify({
        auths: {
          [this.stack.registry]: {
            auth: Buffer.from(
              `${this.stack.registryAuth.username}:${this.stack.registryAuth.password}`,
            ).toString('base64'),
          },
        },
      }),
    );
    this.#repository = uniqueName('runner');
    const ecr = await this.moto.ecr();
    await ecr.send(new CreateRepositoryCommand({ repositoryName: this.#repository }));
    const tag = `${this.stack.registry}/${this.#repository}:v1`;
    this.#imageId = (await this.docker(['build', '-q', '-t', tag, context])).stdout.trim();
    await this.docker(['push', tag], { DOCKER_CONFIG: config });
    const { stdout } = await this.docker(['inspect', '--format', '{{json .RepoDigests}}', tag]);
    const digest = (JSON.parse(stdout) as string[]).find((entry) =>
      entry.startsWith(`${this.stack.registry}/`),
    );
    if (digest === undefined) throw new Error(`docker recorded no digest for ${tag}: ${stdout}`);
    this.image = digest;

    await this.ecs.send(new CreateClusterCommand({ clusterName: this.cluster }));
    const logs = await this.moto.logs();
    await logs.send(new CreateLogGroupCommand({ logGroupName: this.logGroup }));
    // The default VPC's (moto's shared ones; only read).
    const ec2 = await this.moto.ec2();
    const subnets = await ec2.send(new DescribeSubnetsCommand({}));
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ['default'] }));
    this.network = {
      subnets: (subnets.Subnets ?? []).slice(0, 1).map((subnet) => subnet.SubnetId ?? ''),
      securityGroups: (groups.SecurityGroups ?? []).slice(0, 1).map((group) => group.GroupId ?? ''),
    };
  }

  /** A Fargate task definition of one container `web` (serving APP_TAG on port 80 unless told otherwise). */
  async taskDefinition(family: string, container: Partial<ContainerDefinition> = {}): Promise<string> {
    const answer = await this.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'web',
            image: this.image,
            essential: true,
            // moto's RunTask needs memory per container (shared/notes/moto.md §1.5).
            memory: 64,
            portMappings: [{ containerPort: 80, hostPort: 80, protocol: 'tcp' }],
            command: ['/bin/busybox', 'sh', '-c', SERVE_APP_TAG],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': this.logGroup,
                'awslogs-region': 'us-east-1',
                'awslogs-stream-prefix': family,
              },
            },
            ...container,
          },
        ],
      }),
    );
    const arn = answer.taskDefinition?.taskDefinitionArn;
    if (arn === undefined) throw new Error('RegisterTaskDefinition returned no ARN');
    return arn;
  }

  /** Creates a service through the runner; resolves with its PRIMARY deployment's id. */
  async service(name: string, taskDefinition: string, desiredCount = 1): Promise<string> {
    this.#services.push(name);
    const answer = await this.ecs.send(
      new CreateServiceCommand({
        cluster: this.cluster,
        serviceName: name,
        taskDefinition,
        desiredCount,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: this.network.subnets, securityGroups: this.network.securityGroups },
        },
      }),
    );
    const deployment = answer.service?.deployments?.find((item) => item.status === 'PRIMARY')?.id;
    if (deployment === undefined) throw new Error(`CreateService ${name} returned no PRIMARY deployment`);
    return deployment;
  }

  /** The tasks a deployment started (as traefikctl finds them: ListTasks by startedBy), described. */
  async tasks(deployment: string, desiredStatus?: 'RUNNING' | 'STOPPED'): Promise<Task[]> {
    const listed = await this.ecs.send(
      new ListTasksCommand({
        cluster: this.cluster,
        startedBy: deployment,
        ...(desiredStatus ? { desiredStatus } : {}),
      }),
    );
    const arns = listed.taskArns ?? [];
    if (arns.length === 0) return [];
    const described = await this.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: arns }));
    return (described.tasks ?? []).sort(
      (a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0),
    );
  }

  /** Waits until one of a deployment's tasks satisfies `test`. */
  taskWhere(
    deployment: string,
    what: string,
    test: (task: Task) => boolean,
    timeoutMs = 30_000,
  ): Promise<Task> {
    return eventually(
      what,
      async () => {
        const tasks = await this.tasks(deployment);
        const found = tasks.find(test);
        return found === undefined
          ? { done: false, seen: JSON.stringify(tasks.map(brief)) }
          : { done: true, value: found };
      },
      { attempts: 300, timeoutMs, intervalMs: 250 },
    );
  }

  async cleanUp(): Promise<void> {
    for (const name of this.#services) {
      await this.ecs
        .send(new DeleteServiceCommand({ cluster: this.cluster, service: name, force: true }))
        .catch(() => undefined);
    }
    // The runner stops their tasks within its stop timeout; the image is removed once they are gone.
    await eventually(
      `the tasks of ${this.cluster} to stop`,
      async () => {
        const response = await fetch(`${this.stack.runnerUrl}/_runner/tasks`, {
          signal: AbortSignal.timeout(3_000),
        });
        const body = (await response.json()) as {
          tasks: { cluster: string; lastStatus: string; external: boolean }[];
        };
        const left = body.tasks.filter(
          (task) => task.cluster === this.cluster && !task.external && task.lastStatus !== 'STOPPED',
        );
        return left.length === 0
          ? { done: true, value: undefined }
          : { done: false, seen: `${left.length} left` };
      },
      { attempts: 100, timeoutMs: 20_000, intervalMs: 200 },
    ).catch((error: unknown) => console.error(String(error)));
    if (this.#imageId !== '') await this.docker(['rmi', '--force', this.#imageId]).catch(() => undefined);
    const ecr = await this.moto.ecr();
    if (this.#repository !== '')
      await ecr
        .send(new DeleteRepositoryCommand({ repositoryName: this.#repository, force: true }))
        .catch(() => undefined);
    this.ecs.destroy();
    await this.moto.destroy();
    if (this.#work !== '') await rm(this.#work, { recursive: true, force: true });
  }
}

/** What a failure message should show of a task. */
function brief(task: Task) {
  return {
    id: task.taskArn?.split('/').pop(),
    lastStatus: task.lastStatus,
    health: task.healthStatus,
    taskDefinition: task.taskDefinitionArn?.split('/').pop(),
    stoppedReason: task.stoppedReason,
  };
}

/** The address Traefik's ECS provider reads for an awsvpc task (shared/notes/traefik.md §1.3). */
function addressOf(task: Task): string {
  return task.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address ?? '';
}

async function pageAt(address: string): Promise<string> {
  const response = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(3_000) });
  return (await response.text()).trim();
}

/** An ECS call as raw JSON text, so that nothing the SDK drops can hide an address. */
async function rawEcs(url: string, action: string, body: object): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonEC2ContainerServiceV20141113.${action}`,
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

const addressesIn = (text: string) => [...text.matchAll(IPV4)].map((match) => match[0]);

describeWith(['runner', 'moto', 'docker', 'registry'], 'the task runner in front of moto’s ECS', (stack) => {
  const fixture = new RunnerFixture(stack);

  beforeAll(() => fixture.setUp());
  afterAll(() => fixture.cleanUp());

  it.concurrent(
    "runs a service's task as ECS's scheduler launches it, on a loopback address of its own where its container answers",
    async ({ expect }) => {
      // given a service whose container serves its APP_TAG and has a health check
      const name = uniqueName('serve');
      const tag = uniqueName('build');
      const definition = await fixture.taskDefinition(name, {
        environment: [{ name: 'APP_TAG', value: tag }],
        healthCheck: HTTP_HEALTH_CHECK,
      });

      // when it is created through the runner
      const deployment = await fixture.service(name, definition);

      // then its task runs and becomes healthy
      const task = await fixture.taskWhere(
        deployment,
        'a RUNNING, HEALTHY task',
        (item) => item.lastStatus === 'RUNNING' && item.healthStatus === 'HEALTHY',
      );
      // launched as ECS launches a service's task: traefikctl finds a deployment's tasks by startedBy
      expect(task).toMatchObject({
        group: `service:${name}`,
        startedBy: deployment,
        launchType: 'FARGATE',
        taskDefinitionArn: definition,
        desiredStatus: 'RUNNING',
      });
      expect(task.containers?.[0]).toMatchObject({
        name: 'web',
        lastStatus: 'RUNNING',
        healthStatus: 'HEALTHY',
      });
      // on an address of its own, where Traefik's ECS provider reads it, and in the ENI attachment
      const address = addressOf(task);
      expect(address).toMatch(TASK_ADDRESS);
      const details =
        task.attachments?.find((item) => item.type === 'ElasticNetworkInterface')?.details ?? [];
      expect(details.find((detail) => detail.name === 'privateIPv4Address')?.value).toBe(address);
      // and its container answers there
      expect(await pageAt(address)).toBe(tag);
    },
  );

  it.concurrent(
    'stops the task when its essential container exits, with the exit code, and copies its output to CloudWatch Logs',
    async ({ expect }) => {
      // given a service whose container writes to stdout and stderr, then exits 3
      const name = uniqueName('exits');
      const tag = uniqueName('build');
      const definition = await fixture.taskDefinition(name, {
        environment: [{ name: 'APP_TAG', value: tag }],
        command: [
          '/bin/busybox',
          'sh',
          '-c',
          'echo "out $APP_TAG"; echo "err $APP_TAG" >&2; sleep 1; exit 3',
        ],
      });

      // when it runs
      const deployment = await fixture.service(name, definition);

      // then its task stops as ECS reports an essential container's exit
      const stopped = await fixture.taskWhere(
        deployment,
        'a STOPPED task',
        (item) => item.lastStatus === 'STOPPED',
      );
      expect(stopped).toMatchObject({
        desiredStatus: 'STOPPED',
        stoppedReason: 'Essential container in task exited',
        stopCode: 'EssentialContainerExited',
      });
      expect(stopped.containers?.[0]).toMatchObject({ name: 'web', lastStatus: 'STOPPED', exitCode: 3 });
      // and traefikctl's failure report reads it
      expect(describeStoppedTask(stopped)).toBe('Essential container in task exited; container web exited 3');
      // and moto lists it among the deployment's stopped tasks, as traefikctl looks for them
      const listed = await fixture.ecs.send(
        new ListTasksCommand({ cluster: fixture.cluster, startedBy: deployment, desiredStatus: 'STOPPED' }),
      );
      expect(listed.taskArns).toContain(stopped.taskArn);
      // and what it wrote is in its awslogs stream, <prefix>/<container>/<task id>, by the time it shows STOPPED
      const logs = await fixture.moto.logs();
      const events = await logs.send(
        new GetLogEventsCommand({
          logGroupName: fixture.logGroup,
          logStreamName: `${name}/web/${stopped.taskArn?.split('/').pop() ?? ''}`,
          startFromHead: true,
        }),
      );
      expect((events.events ?? []).map((event) => event.message).sort()).toEqual([
        `err ${tag}`,
        `out ${tag}`,
      ]);

      // and the crash loop backs off: the next task starts seconds after the stop, not at once
      const next = await fixture.taskWhere(
        deployment,
        'the next task',
        (item) => item.taskArn !== stopped.taskArn && (item.createdAt?.getTime() ?? 0) > 0,
      );
      const gap = (next.createdAt?.getTime() ?? 0) - (stopped.stoppingAt?.getTime() ?? Infinity);
      expect(gap).toBeGreaterThanOrEqual(2_500);
    },
  );

  it.concurrent(
    'reports a failing health check as UNHEALTHY and replaces the task, as ECS’s scheduler does',
    async ({ expect }) => {
      // given a service whose container serves, but whose shell health check (CMD-SHELL) always fails
      const name = uniqueName('unhealthy');
      const definition = await fixture.taskDefinition(name, {
        environment: [{ name: 'APP_TAG', value: 'sick' }],
        healthCheck: { command: ['CMD-SHELL', 'test -e /nonexistent'], interval: 1, timeout: 2, retries: 1 },
      });

      // when it runs
      const deployment = await fixture.service(name, definition);

      // then its task is stopped for failing the check, reported UNHEALTHY down to the container
      const stopped = await fixture.taskWhere(
        deployment,
        'a STOPPED task',
        (item) => item.lastStatus === 'STOPPED',
      );
      expect(stopped).toMatchObject({
        healthStatus: 'UNHEALTHY',
        stoppedReason: 'Task failed container health checks',
        stopCode: 'ServiceSchedulerInitiated',
      });
      expect(stopped.containers?.[0]?.healthStatus).toBe('UNHEALTHY');
      // and it had been running before: the check ran in the container, not a failure to start
      expect(stopped.startedAt).toBeInstanceOf(Date);
    },
  );

  it.concurrent(
    'replaces the task when the service gets a new task definition: the new one runs before the old one stops',
    async ({ expect }) => {
      // given a service running its first task definition
      const name = uniqueName('replace');
      const first = await fixture.taskDefinition(name, {
        environment: [{ name: 'APP_TAG', value: 'first' }],
      });
      const deployment = await fixture.service(name, first);
      const old = await fixture.taskWhere(
        deployment,
        'the first task RUNNING',
        (item) => item.lastStatus === 'RUNNING',
      );
      expect(await pageAt(addressOf(old))).toBe('first');

      // when the service is updated to a second one (with a health check in ECS's shell form)
      const second = await fixture.taskDefinition(name, {
        environment: [{ name: 'APP_TAG', value: 'second' }],
        healthCheck: {
          ...HTTP_HEALTH_CHECK,
          command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1/ || exit 1'],
        },
      });
      await fixture.ecs.send(
        new UpdateServiceCommand({ cluster: fixture.cluster, service: name, taskDefinition: second }),
      );

      // then a task of the second runs and answers, and the first task stops, after the new one was healthy
      const replacement = await fixture.taskWhere(
        deployment,
        'a HEALTHY task of the second task definition',
        (item) => item.taskDefinitionArn === second && item.healthStatus === 'HEALTHY',
      );
      expect(await pageAt(addressOf(replacement))).toBe('second');
      const stopped = await fixture.taskWhere(
        deployment,
        'the first task STOPPED',
        (item) => item.taskArn === old.taskArn && item.lastStatus === 'STOPPED',
      );
      expect(stopped).toMatchObject({ stopCode: 'ServiceSchedulerInitiated', taskDefinitionArn: first });
      expect(stopped.stoppedReason).toMatch(/^Scaling activity initiated by \(deployment /);
      expect(stopped.stoppingAt?.getTime()).toBeGreaterThanOrEqual(
        replacement.startedAt?.getTime() ?? Infinity,
      );
      expect(addressOf(replacement)).not.toBe(addressOf(old));
    },
  );

  it.concurrent(
    'stops the task when the service is scaled to zero, and when it is deleted',
    async ({ expect }) => {
      // given a running service
      const name = uniqueName('scale');
      const definition = await fixture.taskDefinition(name, {
        environment: [{ name: 'APP_TAG', value: 'scaled' }],
      });
      const deployment = await fixture.service(name, definition);
      const first = await fixture.taskWhere(
        deployment,
        'a RUNNING task',
        (item) => item.lastStatus === 'RUNNING',
      );
      expect(await pageAt(addressOf(first))).toBe('scaled');

      // when it is scaled to zero
      await fixture.ecs.send(
        new UpdateServiceCommand({ cluster: fixture.cluster, service: name, desiredCount: 0 }),
      );

      // then its task stops, its container is gone, and nothing answers on its address any more
      const stopped = await fixture.taskWhere(
        deployment,
        'the task STOPPED',
        (item) => item.taskArn === first.taskArn && item.lastStatus === 'STOPPED',
      );
      expect(stopped.stopCode).toBe('ServiceSchedulerInitiated');
      const runtimeId = stopped.containers?.[0]?.runtimeId ?? '';
      expect(runtimeId).not.toBe('');
      await expect(fixture.docker(['inspect', runtimeId])).rejects.toThrow(/No such object/);
      await expect(pageAt(addressOf(first))).rejects.toThrow();

      // and when it is scaled up again, then deleted
      await fixture.ecs.send(
        new UpdateServiceCommand({ cluster: fixture.cluster, service: name, desiredCount: 1 }),
      );
      const second = await fixture.taskWhere(
        deployment,
        'a new RUNNING task',
        (item) => item.taskArn !== first.taskArn && item.lastStatus === 'RUNNING',
      );
      await fixture.ecs.send(
        new DeleteServiceCommand({ cluster: fixture.cluster, service: name, force: true }),
      );

      // then that task stops too
      const deleted = await fixture.taskWhere(
        deployment,
        'the second task STOPPED',
        (item) => item.taskArn === second.taskArn && item.lastStatus === 'STOPPED',
      );
      expect(deleted).toMatchObject({
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Service ${name} was deleted`,
      });
    },
  );

  it.concurrent(
    'fails a task whose image is on another registry with CannotPullContainerError, without asking that registry',
    async ({ expect }) => {
      // given a "registry" on another loopback address that counts every connection made to it
      let connections = 0;
      const elsewhere = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      elsewhere.listen(0, '127.0.0.2');
      await once(elsewhere, 'listening');
      const address = elsewhere.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      try {
        const images = [
          `127.0.0.2:${port}/nothing/here:v1`,
          'traefik:v3.7',
          '123456789012.dkr.ecr.us-east-1.amazonaws.com/whoami:v1',
        ];

        // when services run images from there, from Docker Hub and from ECR's real host
        const stopped = await Promise.all(
          images.map(async (image) => {
            const name = uniqueName('pull');
            const deployment = await fixture.service(name, await fixture.taskDefinition(name, { image }));
            return fixture.taskWhere(
              deployment,
              `the task of ${image} STOPPED`,
              (item) => item.lastStatus === 'STOPPED',
            );
          }),
        );

        // then each task fails to start as ECS reports a pull that failed, naming the image
        for (const [index, task] of stopped.entries()) {
          expect(task.stopCode).toBe('TaskFailedToStart');
          expect(task.stoppedReason).toMatch(/^CannotPullContainerError: /);
          expect(task.stoppedReason).toContain(images[index]);
          expect(task.containers?.[0]?.reason).toBe(task.stoppedReason);
          // no container was ever created
          expect(task.containers?.[0]?.runtimeId).toBeUndefined();
        }
        // and nothing was asked of the other registry
        expect(connections).toBe(0);
      } finally {
        elsewhere.close();
      }
    },
  );

  it.concurrent(
    "never lets moto's 10.x addresses out: DescribeTasks, RunTask and StopTask answers carry loopback addresses only",
    async ({ expect }) => {
      // given a task the runner runs, and one it doesn't (RunTask straight through it, as a user could)
      const name = uniqueName('addresses');
      const definition = await fixture.taskDefinition(name, {
        environment: [{ name: 'APP_TAG', value: 'x' }],
      });
      const deployment = await fixture.service(name, definition);
      const ours = await fixture.taskWhere(
        deployment,
        'a RUNNING task',
        (item) => item.lastStatus === 'RUNNING',
      );
      const runTask = await rawEcs(stack.runnerUrl, 'RunTask', {
        cluster: fixture.cluster,
        taskDefinition: definition,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: fixture.network.subnets,
            securityGroups: fixture.network.securityGroups,
          },
        },
      });
      expect(runTask.status).toBe(200);
      const foreign = (JSON.parse(runTask.text) as { tasks: { taskArn: string }[] }).tasks[0]?.taskArn ?? '';
      const both = { cluster: fixture.cluster, tasks: [ours.taskArn, foreign] };
      // (moto itself does hand out a 10.x address for them: this test could fail)
      const fromMoto = await rawEcs(stack.motoUrl, 'DescribeTasks', both);
      expect(addressesIn(fromMoto.text).some((ip) => ip.startsWith('10.'))).toBe(true);

      // when they are described through the runner, and the foreign one is stopped through it
      const described = await rawEcs(stack.runnerUrl, 'DescribeTasks', both);
      const stoppedForeign = await rawEcs(stack.runnerUrl, 'StopTask', {
        cluster: fixture.cluster,
        task: foreign,
      });

      // then no answer carries an address outside 127/8, nor moto's privateDnsName (ip-10-…)
      for (const answer of [runTask, described, stoppedForeign]) {
        expect(answer.status).toBe(200);
        expect(addressesIn(answer.text).filter((ip) => !ip.startsWith('127.'))).toEqual([]);
        expect(answer.text).not.toContain('privateDnsName');
      }
      // and the runner's task carries its own address, the foreign one none
      const tasks = (JSON.parse(described.text) as { tasks: Task[] }).tasks;
      expect(addressesIn(described.text)).toEqual(expect.arrayContaining([addressOf(ours)]));
      expect(addressOf(tasks.find((task) => task.taskArn === foreign) ?? {})).toBe('');
      expect(addressOf(ours)).toMatch(TASK_ADDRESS);
    },
  );
});

describeWith(
  ['runner', 'moto', 'docker', 'registry', 'traefik'],
  "the real Traefik's ECS provider through the task runner",
  (stack) => {
    const fixture = new RunnerFixture(stack);
    const env = uniqueName('tr');
    let traefik: RunningTraefik | undefined;

    const web = () => {
      if (traefik === undefined) throw new Error('Traefik did not start');
      return traefik.url('web');
    };

    beforeAll(async () => {
      await fixture.setUp();
      // cluster up's provider settings (src/lib/cluster/traefik-command.ts), refreshing every second,
      // and healthyTasksOnly, so that a route also proves the runner reports health
      traefik = await startTraefik(stack, {
        entryPoints: ['web', 'traefik'],
        args: [
          '--ping=true',
          '--api=true',
          '--providers.ecs=true',
          `--providers.ecs.clusters=${fixture.cluster}`,
          '--providers.ecs.region=us-east-1',
          '--providers.ecs.autoDiscoverClusters=false',
          '--providers.ecs.exposedByDefault=false',
          '--providers.ecs.healthyTasksOnly=true',
          `--providers.ecs.constraints=Label(\`traefikctl.env\`,\`${env}\`)`,
          '--providers.ecs.refreshSeconds=1',
        ],
        env: { AWS_ENDPOINT_URL_ECS: stack.runnerUrl, AWS_ENDPOINT_URL: stack.motoUrl },
      });
    });

    afterAll(async () => {
      await traefik?.stop();
      await fixture.cleanUp();
    });

    it.concurrent(
      "routes a service with traefikctl's labels to its task's container, and stops when it is scaled to zero",
      async ({ expect }) => {
        // given a service with the labels app deploy writes
        const name = uniqueName('whoami');
        const host = `${name}.${env}.example.com`;
        const definition = await fixture.taskDefinition(name, {
          environment: [{ name: 'APP_TAG', value: name }],
          healthCheck: HTTP_HEALTH_CHECK,
          dockerLabels: traefikLabels({ name, host, port: 80, entryPoints: ['web'], env }),
        });

        // when it runs
        await fixture.service(name, definition);

        // then Traefik routes its Host to the container
        const answer = await answerFor(`${web()}/`, host, 200).catch((error: unknown) => {
          throw new Error(`${String(error)}\nTraefik's output:\n${traefik?.output().slice(-3_000) ?? ''}`);
        });
        expect(answer.body.trim()).toBe(name);

        // and when it is scaled to zero, the route goes
        await fixture.ecs.send(
          new UpdateServiceCommand({ cluster: fixture.cluster, service: name, desiredCount: 0 }),
        );
        await answerFor(`${web()}/`, host, 404);
      },
    );

    it.concurrent(
      "discovers an external task's labels: Traefik itself as the traefik service, with cluster up's API router",
      async ({ expect }) => {
        // given Traefik registered as the running task of a `traefik` service, as scripts/test-stack.sh
        // `traefik --env` does, whose task definition carries an api@internal router like cluster up's
        const host = `traefik.${env}.example.com`;
        const registered = await fetch(`${stack.runnerUrl}/_runner/external-tasks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ cluster: fixture.cluster, service: 'traefik', address: '127.0.0.1' }),
        });
        expect(registered.status).toBe(201);
        try {
          const definition = await fixture.taskDefinition(uniqueName('traefik'), {
            // never pulled: the runner launches nothing for a service with an external task
            image: 'traefik:v3.7',
            portMappings: [
              { containerPort: 80, hostPort: 80, protocol: 'tcp' },
              { containerPort: 8080, hostPort: 8080, protocol: 'tcp' },
            ],
            healthCheck: {
              command: ['CMD', 'traefik', 'healthcheck', '--ping'],
              interval: 10,
              timeout: 5,
              retries: 3,
            },
            dockerLabels: {
              'traefik.enable': 'true',
              'traefikctl.env': env,
              'traefik.http.routers.traefikctl-api.rule': `Host(\`${host}\`) && PathPrefix(\`/api\`)`,
              'traefik.http.routers.traefikctl-api.entrypoints': 'web',
              'traefik.http.routers.traefikctl-api.service': 'api@internal',
            },
          });

          // when the service exists
          const deployment = await fixture.service('traefik', definition);

          // then Traefik finds its own API router on that task, and answers through it
          const answer = await answerFor(`${web()}/api/version`, host, 200);
          expect(JSON.parse(answer.body)).toMatchObject({ Version: stack.traefik.version });
          // and the runner launched nothing for it: moto has no task of that deployment
          const ecs = await fixture.moto.ecs();
          const inMoto = await ecs.send(
            new ListTasksCommand({ cluster: fixture.cluster, startedBy: deployment }),
          );
          expect(inMoto.taskArns).toEqual([]);
          // while through the runner the external task is listed, RUNNING on the address it was given
          const [task] = await fixture.tasks(deployment);
          expect(task).toMatchObject({
            lastStatus: 'RUNNING',
            healthStatus: 'HEALTHY',
            group: 'service:traefik',
          });
          expect(addressOf(task ?? {})).toBe('127.0.0.1');
        } finally {
          await fetch(
            `${stack.runnerUrl}/_runner/external-tasks?cluster=${fixture.cluster}&service=traefik`,
            {
              method: 'DELETE',
            },
          );
        }
        // and once it is removed, so is its route
        await answerFor(`${web()}/api/version`, host, 404);
      },
    );
  },
);
