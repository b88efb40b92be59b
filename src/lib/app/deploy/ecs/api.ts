import type {
  CreateServiceCommandInput,
  DescribeServicesCommandInput,
  DescribeServicesCommandOutput,
  DescribeTasksCommandInput,
  DescribeTasksCommandOutput,
  ListTasksCommandInput,
  ListTasksCommandOutput,
  RegisterTaskDefinitionCommandInput,
  Service,
  Tag,
  TaskDefinition,
  UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';

import type { AwsClients } from '../../../aws/clients.js';
import { awsErrorName, explainAwsError } from '../../../aws/errors.js';
import { readClusterOutputs, type ClusterOutputs } from '../../../cluster/outputs.js';
import { ExitCode, isUserError, UserError } from '../../../errors.js';

/**
 * Every AWS call `app deploy` makes, behind one small interface. The real one (`sdkDeployAws`) sends SDK
 * commands through the lazily built clients; tests of the rollout tracker feed it ECS response shapes
 * that moto can't produce (rollbacks, failed tasks, throttling). Inputs and outputs are the SDK's own
 * types, so a fixture that type-checks is a response ECS could send.
 */

/** The three ECS reads the rollout tracker polls with. */
export interface TrackerEcs {
  describeServices(
    input: DescribeServicesCommandInput,
  ): Promise<Pick<DescribeServicesCommandOutput, 'services' | 'failures'>>;
  listTasks(input: ListTasksCommandInput): Promise<Pick<ListTasksCommandOutput, 'taskArns' | 'nextToken'>>;
  describeTasks(
    input: DescribeTasksCommandInput,
  ): Promise<Pick<DescribeTasksCommandOutput, 'tasks' | 'failures'>>;
}

export interface DeployedTaskDefinition {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

export interface DeployAws extends TrackerEcs {
  /** The region the SDK resolved (flag, env, profile), or undefined when none is set. */
  region(): Promise<string | undefined>;
  /** The STS caller ARN: who deploys (`traefikctl:deployed-by`). */
  callerArn(): Promise<string>;
  clusterOutputs(env: string): Promise<ClusterOutputs>;
  /** The repository's URI, or undefined when it doesn't exist. */
  repositoryUri(name: string): Promise<string | undefined>;
  /** The digest ECR holds for `repository:tag`, or undefined when there is no such image. */
  imageDigest(repository: string, tag: string): Promise<string | undefined>;
  /** The service with its tags, or undefined when the cluster has none by that name. */
  describeService(cluster: string, name: string): Promise<Service | undefined>;
  describeTaskDefinition(arn: string): Promise<DeployedTaskDefinition>;
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): Promise<TaskDefinition>;
  createService(input: CreateServiceCommandInput): Promise<Service>;
  updateService(input: UpdateServiceCommandInput): Promise<Service>;
  tagResource(arn: string, tags: Tag[]): Promise<void>;
  untagResource(arn: string, keys: string[]): Promise<void>;
  /** The last lines a task's container wrote to CloudWatch Logs; empty when there are none. */
  lastLogLines(logGroup: string, logStream: string, limit: number): Promise<string[]>;
}

function fail(error: unknown, action: string, permission: string, check?: string): never {
  throw explainAwsError(error, action, permission, { check });
}

/**
 * ECS refuses a CreateService for a name that another call has just created with other settings (a
 * new revision): two deploys of the same new tag raced, and the other one's service is there.
 */
function notIdempotent(error: unknown): boolean {
  return (
    awsErrorName(error) === 'InvalidParameterException' &&
    /not idempotent/i.test((error as { message?: string }).message ?? '')
  );
}

function createRace(input: CreateServiceCommandInput): UserError {
  const name = input.serviceName ?? '';
  return new UserError(
    `Another deploy created ${name} at the same time, with another revision: this one (${input.taskDefinition?.split('/').pop() ?? 'its revision'}) was not deployed.`,
    {
      suggestions: [
        "Two deploys of the same tag ran at once (another CI job?); the service is the other one's.",
        `See what runs now: \`${describeServiceCommand(input.cluster, name)}\`.`,
        'To deploy this build after all, run this deploy again once the other one is done.',
      ],
      exitCode: ExitCode.DeploymentFailed,
      code: 'SERVICE_TAKEN_OVER',
    },
  );
}

/** The AWS CLI line that shows a service as ECS has it now (after a call that may or may not have landed). */
function describeServiceCommand(cluster: string | undefined, service: string | undefined): string {
  return `aws ecs describe-services --cluster ${cluster ?? 'default'} --services ${service ?? ''}`;
}

/**
 * The real thing: SDK commands through `clients`, each failure explained with the permission it needs;
 * a call that changes something and gets no answer in time also says how to see whether it happened.
 */
export function sdkDeployAws(clients: AwsClients): DeployAws {
  const ecs = async () => ({ client: await clients.ecs(), sdk: await import('@aws-sdk/client-ecs') });
  return {
    async region() {
      try {
        const region = await (await clients.ecs()).config.region();
        return region || undefined;
      } catch (error) {
        // A region or profile that doesn't exist is the user's to fix (exit 2), not a missing region.
        if (isUserError(error)) throw error;
        return undefined;
      }
    },

    async callerArn() {
      const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      try {
        const identity = await (await clients.sts()).send(new GetCallerIdentityCommand({}));
        return identity.Arn ?? 'unknown';
      } catch (error) {
        fail(error, 'find out who you are in AWS', 'sts:GetCallerIdentity');
      }
    },

    clusterOutputs: (env) => readClusterOutputs(clients, env),

    async repositoryUri(name) {
      const { DescribeRepositoriesCommand } = await import('@aws-sdk/client-ecr');
      try {
        const answer = await (
          await clients.ecr()
        ).send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
        return answer.repositories?.find((r) => r.repositoryName === name)?.repositoryUri;
      } catch (error) {
        if (awsErrorName(error) === 'RepositoryNotFoundException') return undefined;
        fail(error, `look up the ECR repository ${name}`, 'ecr:DescribeRepositories');
      }
    },

    async imageDigest(repository, tag) {
      const { DescribeImagesCommand } = await import('@aws-sdk/client-ecr');
      try {
        const answer = await (
          await clients.ecr()
        ).send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
        return answer.imageDetails?.find((image) => image.imageTags?.includes(tag))?.imageDigest;
      } catch (error) {
        const name = awsErrorName(error);
        if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') return undefined;
        fail(error, `look up the image ${repository}:${tag} in ECR`, 'ecr:DescribeImages');
      }
    },

    async describeService(cluster, name) {
      const { client, sdk } = await ecs();
      try {
        const answer = await client.send(
          new sdk.DescribeServicesCommand({ cluster, services: [name], include: ['TAGS'] }),
        );
        return answer.services?.find((service) => service.serviceName === name);
      } catch (error) {
        fail(error, `look up the ECS service ${name}`, 'ecs:DescribeServices');
      }
    },

    async describeTaskDefinition(arn) {
      const { client, sdk } = await ecs();
      try {
        const answer = await client.send(
          new sdk.DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
        );
        if (answer.taskDefinition === undefined)
          throw new Error(`ECS returned no task definition for ${arn}`);
        return { taskDefinition: answer.taskDefinition, tags: answer.tags ?? [] };
      } catch (error) {
        fail(error, `read the task definition ${arn}`, 'ecs:DescribeTaskDefinition');
      }
    },

    async registerTaskDefinition(input) {
      const { client, sdk } = await ecs();
      try {
        const answer = await client.send(new sdk.RegisterTaskDefinitionCommand(input));
        if (answer.taskDefinition?.taskDefinitionArn === undefined)
          throw new Error('ECS registered the task definition but returned no ARN');
        return answer.taskDefinition;
      } catch (error) {
        fail(
          error,
          `register the task definition ${input.family ?? ''}`,
          'ecs:RegisterTaskDefinition, ecs:TagResource and iam:PassRole on the execution role',
          `aws ecs list-task-definitions --family-prefix ${input.family ?? ''} --sort DESC --max-items 1`,
        );
      }
    },

    async createService(input) {
      const { client, sdk } = await ecs();
      try {
        const answer = await client.send(new sdk.CreateServiceCommand(input));
        if (answer.service === undefined) throw new Error('ECS created the service but returned none');
        return answer.service;
      } catch (error) {
        if (notIdempotent(error)) throw createRace(input);
        fail(
          error,
          `create the ECS service ${input.serviceName ?? ''}`,
          'ecs:CreateService and ecs:TagResource',
          describeServiceCommand(input.cluster, input.serviceName),
        );
      }
    },

    async updateService(input) {
      const { client, sdk } = await ecs();
      try {
        const answer = await client.send(new sdk.UpdateServiceCommand(input));
        if (answer.service === undefined) throw new Error('ECS updated the service but returned none');
        return answer.service;
      } catch (error) {
        fail(
          error,
          `update the ECS service ${input.service ?? ''}`,
          'ecs:UpdateService',
          describeServiceCommand(input.cluster, input.service),
        );
      }
    },

    async tagResource(arn, tags) {
      const { client, sdk } = await ecs();
      try {
        await client.send(new sdk.TagResourceCommand({ resourceArn: arn, tags }));
      } catch (error) {
        fail(error, `tag ${arn}`, 'ecs:TagResource', `aws ecs list-tags-for-resource --resource-arn ${arn}`);
      }
    },

    async untagResource(arn, keys) {
      const { client, sdk } = await ecs();
      try {
        await client.send(new sdk.UntagResourceCommand({ resourceArn: arn, tagKeys: keys }));
      } catch (error) {
        fail(
          error,
          `untag ${arn}`,
          'ecs:UntagResource',
          `aws ecs list-tags-for-resource --resource-arn ${arn}`,
        );
      }
    },

    // The tracker's reads are not explained: a throttling error must reach the poller as it is.
    async describeServices(input) {
      const { client, sdk } = await ecs();
      return client.send(new sdk.DescribeServicesCommand(input));
    },

    async listTasks(input) {
      const { client, sdk } = await ecs();
      return client.send(new sdk.ListTasksCommand(input));
    },

    async describeTasks(input) {
      const { client, sdk } = await ecs();
      return client.send(new sdk.DescribeTasksCommand(input));
    },

    async lastLogLines(logGroup, logStream, limit) {
      const { GetLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
      try {
        const answer = await (
          await clients.logs()
        ).send(
          new GetLogEventsCommand({
            logGroupName: logGroup,
            logStreamName: logStream,
            limit,
            startFromHead: false,
          }),
        );
        return (answer.events ?? []).flatMap((event) =>
          event.message === undefined ? [] : [event.message.replace(/\s+$/, '')],
        );
      } catch {
        // Logs are a hint on top of the stopped reason; a missing stream or permission must not hide it.
        return [];
      }
    },
  };
}
