/**
 * A cluster environment in moto, the way `cluster up` leaves one for `app deploy`: an ECS cluster, the
 * default VPC's subnets and security group, a log group, and a CloudFormation stack `traefikctl-<env>`
 * whose outputs name them, seeded by test/support/moto-seed.ts. Plus an ECR repository with images
 * put through the ECR API, since moto doesn't implement the registry protocol a `docker push` speaks.
 *
 * Every name is unique, so test files running in parallel never see each other's resources.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  type Service,
} from '@aws-sdk/client-ecs';

import { deployApp, type DeployAppOptions, type DeployResult } from '../../../src/lib/app/deploy/index.js';
import type { AwsClients } from '../../../src/lib/aws/clients.js';
import { uniqueName } from '../../support/stack.js';
import { moto } from './seed.js';

export { EXECUTION_ROLE } from '../../support/moto-seed.js';

export interface DeployEnvironment {
  env: string;
  cluster: string;
  repository: string;
  logGroup: string;
  subnets: string[];
  securityGroup: string;
  /** A project directory whose traefikctl.config.yaml deploys `whoami` into this env. */
  cwd: string;
}

export async function writeProject(env: string, repository: string, extra = ''): Promise<string> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-deploy-'));
  await writeFile(
    path.join(cwd, 'traefikctl.config.yaml'),
    [
      'domain: example.com',
      `environment: ${env}`,
      'apps:',
      '  whoami:',
      `    repository: ${repository}`,
      '    port: 80',
      extra,
      '',
    ].join('\n'),
  );
  return cwd;
}

/** The whole environment; `stack: false` leaves out the CloudFormation stack (a cluster never set up). */
export async function createDeployEnvironment(
  clients: AwsClients,
  options: { stack?: boolean; appConfig?: string } = {},
): Promise<DeployEnvironment> {
  const repository = uniqueName('whoami');
  const environment = await moto.seedEnvironment(clients, {
    env: uniqueName('t'),
    cluster: uniqueName('cluster'),
    stack: options.stack !== false,
  });
  await moto.createRepository(clients, repository);
  const cwd = await writeProject(environment.env, repository, options.appConfig);
  return { ...environment, repository, cwd };
}

/** Puts an image for `tag` through the ECR API; a different `seed` gives a different digest. */
export const { putImage } = moto;

/**
 * What deploys created in one env: the services of its cluster, and the task definition revisions of
 * `families` tagged with the env. Families are account-wide (every test deploys `whoami-v1`), so
 * revisions are told apart by the `traefikctl:env` tag, which is unique per test.
 */
export async function countResources(
  clients: AwsClients,
  environment: Pick<DeployEnvironment, 'cluster' | 'env'>,
  families: readonly string[],
): Promise<{ services: number; taskDefinitions: number }> {
  const ecs = await clients.ecs();
  const { serviceArns = [] } = await ecs.send(new ListServicesCommand({ cluster: environment.cluster }));
  let taskDefinitions = 0;
  for (const family of families) {
    // moto matches familyPrefix exactly (shared/notes/moto.md §1.2): the family's own revisions only.
    const { taskDefinitionArns = [] } = await ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: family }),
    );
    for (const arn of taskDefinitionArns) {
      const { tags } = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
      );
      if (tagMap(tags)['traefikctl:env'] === environment.env) taskDefinitions++;
    }
  }
  return { services: serviceArns.length, taskDefinitions };
}

export async function describeDeployed(
  clients: AwsClients,
  cluster: string,
  service: string,
): Promise<{ service: Service; taskDefinition: NonNullable<Awaited<ReturnType<typeof taskDefinitionOf>>> }> {
  const ecs = await clients.ecs();
  const { services = [] } = await ecs.send(
    new DescribeServicesCommand({ cluster, services: [service], include: ['TAGS'] }),
  );
  const found = services[0];
  if (found?.taskDefinition === undefined) throw new Error(`no service ${service}`);
  const taskDefinition = await taskDefinitionOf(clients, found.taskDefinition);
  if (taskDefinition === undefined) throw new Error(`no task definition ${found.taskDefinition}`);
  return { service: found, taskDefinition };
}

async function taskDefinitionOf(clients: AwsClients, arn: string) {
  const { taskDefinition } = await (
    await clients.ecs()
  ).send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
  return taskDefinition;
}

export function tagMap(
  tags: readonly { key?: string | undefined; value?: string | undefined }[] | undefined,
): Record<string, string> {
  return Object.fromEntries(
    (tags ?? []).flatMap(({ key, value }) =>
      key === undefined || value === undefined ? [] : [[key, value]],
    ),
  );
}

/** `deployApp` of whoami in an environment, without the URL probe; moto settles a service at once
 * (MOTO_ECS_SERVICE_RUNNING=1), so polls can be quick. */
export function deploy(
  environment: DeployEnvironment,
  tag: string,
  extra: Partial<DeployAppOptions> = {},
): Promise<DeployResult> {
  return deployApp({
    cwd: environment.cwd,
    global: {},
    app: 'whoami',
    tag,
    skipProbe: true,
    poller: { intervalMs: 20 },
    ...extra,
  });
}
