/**
 * A cluster environment in moto, the way `cluster up` leaves one for `app deploy`: an ECS cluster, the
 * default VPC's subnets and security group, a log group, and a CloudFormation stack `traefikctl-<env>`
 * whose outputs name them (moto can't run the real cluster template: it ignores most ECS properties,
 * so the stack here holds only an SSM parameter and the outputs). Plus an ECR repository with images
 * put through the ECR API, since moto doesn't implement the registry protocol a `docker push` speaks.
 *
 * Every name is unique, so test files running in parallel never see each other's resources.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  type Service,
} from '@aws-sdk/client-ecs';

import type { AwsClients } from '../../../src/lib/aws/clients.js';
import { OUTPUT_KEYS } from '../../../src/lib/cluster/outputs.js';
import { MOTO_ACCOUNT_ID, uniqueName } from '../../support/stack.js';

export const EXECUTION_ROLE = `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/traefikctl-execution`;

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

/** Subnets and security group of moto's default VPC: read, never changed (they are shared). */
async function defaultNetwork(clients: AwsClients): Promise<{ subnets: string[]; securityGroup: string }> {
  const ec2 = await clients.ec2();
  const { Subnets = [] } = await ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }),
  );
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }),
  );
  const subnets = Subnets.flatMap((subnet) => (subnet.SubnetId ? [subnet.SubnetId] : [])).slice(0, 2);
  const securityGroup = SecurityGroups.find((group) => group.VpcId === Subnets[0]?.VpcId)?.GroupId;
  if (subnets.length === 0 || securityGroup === undefined) throw new Error('moto has no default VPC');
  return { subnets, securityGroup };
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
  const env = uniqueName('t');
  const cluster = uniqueName('cluster');
  const repository = uniqueName('whoami');
  const logGroup = `/traefikctl/${env}`;
  const { subnets, securityGroup } = await defaultNetwork(clients);

  await (await clients.ecs()).send(new CreateClusterCommand({ clusterName: cluster }));
  await (await clients.logs()).send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  await (await clients.ecr()).send(new CreateRepositoryCommand({ repositoryName: repository }));
  if (options.stack !== false) {
    const outputs: Record<string, string> = {
      [OUTPUT_KEYS.env]: env,
      [OUTPUT_KEYS.cluster]: cluster,
      [OUTPUT_KEYS.subnets]: subnets.join(','),
      [OUTPUT_KEYS.appSecurityGroup]: securityGroup,
      [OUTPUT_KEYS.executionRoleArn]: EXECUTION_ROLE,
      [OUTPUT_KEYS.logGroup]: logGroup,
    };
    const template = {
      Resources: {
        Marker: {
          Type: 'AWS::SSM::Parameter',
          Properties: { Name: `/traefikctl-test/${env}`, Type: 'String', Value: env },
        },
      },
      Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
    };
    await (
      await clients.cloudformation()
    ).send(
      new CreateStackCommand({ StackName: `traefikctl-${env}`, TemplateBody: JSON.stringify(template) }),
    );
  }
  const cwd = await writeProject(env, repository, options.appConfig);
  return { env, cluster, repository, logGroup, subnets, securityGroup, cwd };
}

/** Puts an image for `tag` through the ECR API; a different `seed` gives a different digest. */
export async function putImage(
  clients: AwsClients,
  repository: string,
  tag: string,
  seed = tag,
): Promise<string> {
  const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 1234,
      digest: sha(`config ${seed}`),
    },
    layers: [
      {
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: 5678,
        digest: sha(`layer ${seed}`),
      },
    ],
  };
  const answer = await (
    await clients.ecr()
  ).send(
    new PutImageCommand({
      repositoryName: repository,
      imageTag: tag,
      imageManifest: JSON.stringify(manifest),
      imageManifestMediaType: manifest.mediaType,
    }),
  );
  const digest = answer.image?.imageId?.imageDigest;
  if (digest === undefined) throw new Error('PutImage returned no digest');
  return digest;
}

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
