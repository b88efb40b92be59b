/**
 * Seeds moto straight through the SDK with what `cluster up` and `app deploy` leave behind: an env's
 * cluster, log group and `traefikctl-<env>` stack, ECR repositories and images, and deployments
 * (task definitions and services tagged exactly as `app deploy` tags them). A few calls per resource
 * instead of a whole command, so a test or the bench can seed 1,000 deployments.
 * Used by the test/integration/app fixtures (and through them the e2e tests) and by bench/api-calls.ts.
 *
 * Plain Node loads this file too (the bench runs with type stripping only, and Node can't resolve
 * src/'s `.js` specifiers to its `.ts` files), so it imports nothing from src/ at run time: the
 * product's naming, stack outputs and tags come in as {@link Product}, src/'s for the tests and the
 * built dist/ the bench times for the bench.
 *
 * Isolation: every name comes from the caller, who makes it unique (test files, parallel workers and
 * other people's runs share one moto). Nothing here resets moto or changes what it shares (the default
 * VPC is only read).
 */
import { createHash } from 'node:crypto';

import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  type Tag,
} from '@aws-sdk/client-ecs';

import type { DeploymentTagValues, deploymentTags } from '../../src/lib/ecs/tag-codec.js';
import type { AwsClients } from '../../src/lib/aws/clients.js';
import type { OUTPUT_KEYS, stackNameFor } from '../../src/lib/cluster/outputs.js';
import type { hostname, serviceName } from '../../src/lib/naming.js';

/** The product code seeding must agree with (see the file comment for why it is passed in). */
export interface Product {
  OUTPUT_KEYS: typeof OUTPUT_KEYS;
  stackNameFor: typeof stackNameFor;
  deploymentTags: typeof deploymentTags;
  hostname: typeof hostname;
  serviceName: typeof serviceName;
}

/** The SDK clients seeding uses: an `AwsClients`, or the bench's own clients wrapped in promises. */
export type SeedClients = Pick<AwsClients, 'ecs' | 'ecr' | 'ec2' | 'logs' | 'cloudformation'>;

// moto's default account (test/setup/stack-context.ts MOTO_ACCOUNT_ID; not importable from plain Node).
export const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/traefikctl-execution';
export const DEPLOYED_BY = 'arn:aws:sts::123456789012:assumed-role/ci/jane@example.com';
export const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/whoami@sha256:' + 'a'.repeat(64);

export interface Network {
  subnets: string[];
  securityGroup: string;
}

export interface SeedEnvironment {
  env: string;
  /** Defaults to `traefikctl-<env>`, the name `cluster up` gives it. */
  cluster?: string;
  executionRoleArn?: string;
  /** More stack outputs (Traefik's API, a URL pattern), or replacements for the usual ones. */
  extraOutputs?: Record<string, string>;
  /** false: no CloudFormation stack (a cluster never set up), only its cluster and log group. */
  stack?: boolean;
}

export interface SeededEnvironment extends Network {
  env: string;
  cluster: string;
  logGroup: string;
}

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
  /**
   * A task definition registered already, run instead of registering the service's own family (the
   * bench shares one between 1,000 services).
   */
  taskDefinition?: string;
}

export interface SeededDeployment {
  service: string;
  host: string;
  family: string;
  taskDefinitionArns: string[];
  tags: Tag[];
}

/** The seeding functions, bound to the product code they must agree with. */
export function motoSeed(product: Product) {
  /** Subnets and security group of moto's default VPC: read, never changed (they are shared). */
  async function defaultNetwork(clients: SeedClients): Promise<Network> {
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

  async function createCluster(clients: SeedClients, cluster: string): Promise<void> {
    await (await clients.ecs()).send(new CreateClusterCommand({ clusterName: cluster }));
  }

  async function createLogGroup(clients: SeedClients, logGroup: string): Promise<void> {
    await (await clients.logs()).send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  }

  /**
   * What `cluster up` leaves for an env: its ECS cluster and log group, in the default VPC, and the
   * stack `traefikctl-<env>` whose outputs name them. moto can't run the real cluster template (it
   * ignores most ECS properties), so the stack holds only an SSM parameter and the outputs; moto
   * creates stacks synchronously.
   */
  async function seedEnvironment(clients: SeedClients, seed: SeedEnvironment): Promise<SeededEnvironment> {
    const { env } = seed;
    const cluster = seed.cluster ?? `traefikctl-${env}`;
    const logGroup = `/traefikctl/${env}`;
    const network = await defaultNetwork(clients);
    await createCluster(clients, cluster);
    await createLogGroup(clients, logGroup);
    if (seed.stack !== false) {
      const { OUTPUT_KEYS: keys } = product;
      const outputs: Record<string, string> = {
        [keys.env]: env,
        [keys.cluster]: cluster,
        [keys.subnets]: network.subnets.join(','),
        [keys.appSecurityGroup]: network.securityGroup,
        [keys.executionRoleArn]: seed.executionRoleArn ?? EXECUTION_ROLE,
        [keys.logGroup]: logGroup,
        ...seed.extraOutputs,
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
        new CreateStackCommand({
          StackName: product.stackNameFor(env),
          TemplateBody: JSON.stringify(template),
        }),
      );
    }
    return { env, cluster, logGroup, ...network };
  }

  async function createRepository(clients: SeedClients, repository: string): Promise<void> {
    await (await clients.ecr()).send(new CreateRepositoryCommand({ repositoryName: repository }));
  }

  /**
   * Puts an image for `tag` through the ECR API (moto doesn't speak the registry protocol a
   * `docker push` uses); a different `seed` gives a different digest.
   */
  async function putImage(
    clients: SeedClients,
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

  /** The values `app deploy` would tag the deployment with. */
  function tagValues(seed: SeedDeployment): DeploymentTagValues {
    return {
      env: seed.env,
      app: seed.app,
      tag: seed.tag,
      host: product.hostname({ app: seed.app, tag: seed.tag, env: seed.env, domain: 'example.com' }),
      image: IMAGE,
      deployedAt: seed.deployedAt ?? new Date(Date.now() - 3_600_000).toISOString(),
      deployedBy: DEPLOYED_BY,
      ...(seed.expiresAt === undefined ? {} : { expiresAt: seed.expiresAt }),
    };
  }

  async function registerRevision(clients: SeedClients, family: string, tags: Tag[]): Promise<string> {
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

  /** Registers the family's revisions (tagged like plan.ts tags them) and creates the service. */
  async function seedDeployment(
    clients: SeedClients,
    cluster: string,
    seed: SeedDeployment,
  ): Promise<SeededDeployment> {
    const service = product.serviceName(seed.app, seed.tag);
    const values = tagValues(seed);
    const tags = product.deploymentTags(values);
    const taskDefinitionArns: string[] = [];
    if (seed.taskDefinition !== undefined) taskDefinitionArns.push(seed.taskDefinition);
    else {
      for (let revision = 0; revision < (seed.revisions ?? 1); revision += 1) {
        taskDefinitionArns.push(await registerRevision(clients, service, tags));
      }
    }
    await (
      await clients.ecs()
    ).send(
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

  /** Writes lines into `stream`, creating it first when `create` (what awslogs does for each task). */
  async function putLogLines(
    clients: SeedClients,
    logGroup: string,
    stream: string,
    lines: { timestamp: number; message: string }[],
    create = true,
  ): Promise<void> {
    const logs = await clients.logs();
    if (create) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: stream }));
    }
    await logs.send(
      new PutLogEventsCommand({ logGroupName: logGroup, logStreamName: stream, logEvents: lines }),
    );
  }

  return {
    defaultNetwork,
    createCluster,
    createLogGroup,
    seedEnvironment,
    createRepository,
    putImage,
    tagValues,
    registerRevision,
    seedDeployment,
    putLogLines,
  };
}
