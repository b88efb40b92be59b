/**
 * Deployments seeded straight into moto with the SDK, tagged exactly as `app deploy` tags them
 * (`deploymentTags` from plan-tags.ts): a few calls per deployment instead of a whole deploy, so a
 * test can create 200 of them. Used by the app urls/destroy/prune/logs integration and e2e tests.
 */
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type Tag,
} from '@aws-sdk/client-ecs';

import { deploymentTags, type DeploymentTagValues } from '../../../src/lib/app/plan-tags.js';
import type { AwsClients } from '../../../src/lib/aws/clients.js';
import { stackNameFor } from '../../../src/lib/cluster/outputs.js';
import { hostname, serviceName } from '../../../src/lib/naming.js';

export const DEPLOYED_BY = 'arn:aws:sts::123456789012:assumed-role/ci/jane@example.com';
export const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/whoami@sha256:' + 'a'.repeat(64);

export interface SeedDeployment {
  env: string;
  app: string;
  tag: string;
  /** ISO 8601; defaults to an hour ago. */
  deployedAt?: string;
  expiresAt?: string;
  desiredCount?: number;
  /** Task definition revisions to register in the family (default 1), tagged for `env`. */
  revisions?: number;
}

export interface SeededDeployment {
  service: string;
  host: string;
  family: string;
  taskDefinitionArns: string[];
  tags: Tag[];
}

export async function createCluster(clients: AwsClients, cluster: string): Promise<void> {
  await (await clients.ecs()).send(new CreateClusterCommand({ clusterName: cluster }));
}

export function tagValues(seed: SeedDeployment): DeploymentTagValues {
  return {
    env: seed.env,
    app: seed.app,
    tag: seed.tag,
    host: hostname({ app: seed.app, tag: seed.tag, env: seed.env, domain: 'example.com' }),
    image: IMAGE,
    deployedAt: seed.deployedAt ?? new Date(Date.now() - 3_600_000).toISOString(),
    deployedBy: DEPLOYED_BY,
    ...(seed.expiresAt === undefined ? {} : { expiresAt: seed.expiresAt }),
  };
}

/** Registers the family's revisions (tagged like plan.ts tags them) and creates the service. */
export async function seedDeployment(
  clients: AwsClients,
  cluster: string,
  seed: SeedDeployment,
): Promise<SeededDeployment> {
  const ecs = await clients.ecs();
  const service = serviceName(seed.app, seed.tag);
  const values = tagValues(seed);
  const tags = deploymentTags(values);
  const taskDefinitionArns: string[] = [];
  for (let revision = 0; revision < (seed.revisions ?? 1); revision += 1) {
    taskDefinitionArns.push(await registerRevision(clients, service, tags));
  }
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition: taskDefinitionArns.at(-1),
      desiredCount: seed.desiredCount ?? 1,
      tags,
      propagateTags: 'SERVICE',
    }),
  );
  return { service, host: values.host, family: service, taskDefinitionArns, tags };
}

export async function registerRevision(clients: AwsClients, family: string, tags: Tag[]): Promise<string> {
  const answer = await (
    await clients.ecs()
  ).send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [{ name: 'app', image: IMAGE, memory: 128 }],
      tags,
    }),
  );
  const arn = answer.taskDefinition?.taskDefinitionArn;
  if (arn === undefined) throw new Error(`moto registered no task definition for ${family}`);
  return arn;
}

/**
 * The `traefikctl-<env>` stack that `cluster up` would leave, reduced to its outputs (moto creates
 * CloudFormation stacks synchronously), plus its ECS cluster and log group.
 */
export async function seedClusterStack(
  clients: AwsClients,
  env: string,
  extraOutputs: Record<string, string> = {},
): Promise<{ cluster: string; logGroup: string }> {
  const cluster = `traefikctl-${env}`;
  const logGroup = `/traefikctl/${env}`;
  await createCluster(clients, cluster);
  const outputs: Record<string, string> = {
    Env: env,
    ClusterName: cluster,
    Subnets: 'subnet-12345678',
    AppSecurityGroup: 'sg-12345678',
    ExecutionRoleArn: 'arn:aws:iam::123456789012:role/traefikctl-exec',
    ...extraOutputs,
  };
  const template = {
    Resources: {
      LogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: logGroup } },
    },
    Outputs: {
      ...Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
      LogGroup: { Value: { Ref: 'LogGroup' } },
    },
  };
  await (
    await clients.cloudformation()
  ).send(new CreateStackCommand({ StackName: stackNameFor(env), TemplateBody: JSON.stringify(template) }));
  return { cluster, logGroup };
}

export async function createLogGroup(clients: AwsClients, logGroup: string): Promise<void> {
  await (await clients.logs()).send(new CreateLogGroupCommand({ logGroupName: logGroup }));
}

/** Writes lines into `stream`, creating it first when `create` (what awslogs does for each task). */
export async function putLogLines(
  clients: AwsClients,
  logGroup: string,
  stream: string,
  lines: { timestamp: number; message: string }[],
  create = true,
): Promise<void> {
  const logs = await clients.logs();
  if (create) await logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: stream }));
  await logs.send(
    new PutLogEventsCommand({ logGroupName: logGroup, logStreamName: stream, logEvents: lines }),
  );
}

/** A project directory with a traefikctl.config.yaml, as the CLI finds it in its working directory. */
export async function projectDir(config = 'domain: example.com\n'): Promise<string> {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-app-'));
  await writeFile(path.join(dir, 'traefikctl.config.yaml'), config);
  return dir;
}
