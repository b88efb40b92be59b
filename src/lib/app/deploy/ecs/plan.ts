import type {
  ContainerDefinition,
  CreateServiceCommandInput,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  RuntimePlatform,
  Secret,
  UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';

import { addDuration, stopTimeoutSeconds } from '../../../duration.js';
import type { ClusterOutputs as StackOutputs } from '../../../cluster/outputs.js';
import type { AppConfig } from '../../../config/schema.js';
import { usageError } from '../../../errors.js';
import { traefikLabels } from '../../../labels.js';
import { deploymentNames, type DeploymentNames } from '../../../naming.js';
import { deploymentTags, type ResourceTag } from '../../../ecs/tag-codec.js';
import { defaultTtl } from '../../limits.js';
import { circuitBreakerConfiguration, failureThreshold } from './failure-policy.js';

/** Moved to lib/duration.ts, the one grammar of durations; kept here for the plan's callers. */
export { addDuration };

/**
 * The deployment plan: everything `app deploy` will send to ECS, computed without a single AWS call.
 * `app deploy --dry-run` shows it as is (with placeholders for what only AWS knows), and the deploy
 * state machine sends exactly these inputs, so what the user previews is what runs.
 */

/** Where the deployment goes, already resolved from flags, env vars and the config file. */
export interface PlanContext {
  env: string;
  /** The region the SDK resolved; the awslogs driver needs it spelled out. */
  region: string;
  domain: string;
  hostTemplate: string;
  /** `traefik.entryPoints` of the config. */
  entryPoints: readonly string[];
  /** `https` when the environment's load balancer has a certificate; defaults to `http`. */
  scheme?: 'http' | 'https' | undefined;
  /** Shell variables overriding the configuration (ResolvedContext.overrides): plan warnings. */
  overrides?: readonly string[] | undefined;
}

/**
 * What the plan needs from the cluster: the `traefikctl-<env>` stack outputs (`planCluster(outputs)`),
 * or placeholders such as `<subnets of stack traefikctl-dev>` in a dry run that can't read them.
 */
export interface PlanCluster {
  cluster: string;
  subnets: readonly string[];
  securityGroups: readonly string[];
  executionRoleArn: string;
  logGroup: string;
  taskRoleArn?: string | undefined;
  /** ENABLED in subnets without a NAT gateway (the default VPC): tasks need it to pull images. */
  assignPublicIp?: 'ENABLED' | 'DISABLED' | undefined;
}

/** The plan's view of the stack outputs that `readClusterOutputs` returns. */
export function planCluster(
  outputs: Pick<
    StackOutputs,
    'cluster' | 'subnets' | 'appSecurityGroup' | 'executionRoleArn' | 'logGroup' | 'assignPublicIp'
  >,
): PlanCluster {
  return {
    cluster: outputs.cluster,
    subnets: [...outputs.subnets],
    securityGroups: [outputs.appSecurityGroup],
    executionRoleArn: outputs.executionRoleArn,
    logGroup: outputs.logGroup,
    ...(outputs.assignPublicIp === undefined ? {} : { assignPublicIp: outputs.assignPublicIp }),
  };
}

/**
 * Stand-ins for the stack outputs when they can't be read (no credentials, no cluster yet): a dry
 * run still shows the whole plan, and every stand-in says where the real value will come from.
 */
export function placeholderCluster(env: string, cluster: string): PlanCluster {
  const stack = `traefikctl-${env}`;
  return {
    cluster,
    subnets: [`<subnets of stack ${stack}>`],
    securityGroups: [`<app security group of stack ${stack}>`],
    executionRoleArn: `<execution role of stack ${stack}>`,
    logGroup: `<log group of stack ${stack}>`,
  };
}

export interface PlanImage {
  /** Repository URI without tag or digest, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/whoami`. */
  repository: string;
  /** `sha256:<64 hex>` when the pushed image is known; without it the plan points at the tag, unpinned. */
  digest?: string | undefined;
}

export interface DeploymentPlanOptions {
  context: PlanContext;
  app: string;
  appConfig: AppConfig;
  /** The tag as CI passes it. */
  tag: string;
  image: PlanImage;
  cluster: PlanCluster;
  /** The STS caller ARN. */
  deployedBy: string;
  now: Date;
  /** Overrides the app's `ttl`, e.g. from a flag. */
  ttl?: string | undefined;
}

/** A deploy's plan: the deployment's names (naming.ts), where it runs, and what ECS gets. */
export interface DeploymentPlan extends DeploymentNames {
  app: string;
  env: string;
  region: string;
  url: string;
  cluster: string;
  image: {
    reference: string;
    /**
     * False when the reference is `repo:tag`: ECS resolves a tag when each task starts, so a re-pushed
     * tag would silently change what runs. `app deploy` pins to the digest once the image is known.
     */
    pinned: boolean;
  };
  /** ISO 8601. */
  deployedAt: string;
  deployedBy: string;
  /** ISO 8601, from the ttl; absent when the deployment never expires. */
  expiresAt?: string;
  /** Traefik labels, also found in the container's `dockerLabels`. */
  labels: Record<string, string>;
  /** ECS tags of the service (propagated to its tasks) and of the task definition. */
  tags: ResourceTag[];
  taskDefinition: RegisterTaskDefinitionCommandInput;
  /**
   * CreateService input whose `taskDefinition` is the family (its latest ACTIVE revision). `app deploy`
   * sends `createServiceInput(plan, arn)` or `updateServiceInput(plan, arn)` with the registered ARN.
   */
  service: CreateServiceCommandInput;
  /** Things the user should know about the plan, such as config values that the deployment overrides. */
  warnings: string[];
}

/** Environment variables every deployment sets itself: the app can show which build answers. */
const RESERVED_ENV = ['APP_TAG', 'APP_URL'] as const;

// Traefik names entry points in `--entrypoints.<name>.address`, and labels list them comma-separated.
const ENTRY_POINT = /^[A-Za-z0-9_-]+$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Memory (MiB) that Fargate offers for each CPU size the config allows. */
function fargateMemory(cpu: number): number[] {
  const range = (from: number, to: number): number[] =>
    Array.from({ length: (to - from) / 1024 + 1 }, (_, index) => from + index * 1024);
  switch (cpu) {
    case 256:
      return [512, 1024, 2048];
    case 512:
      return range(1024, 4096);
    case 1024:
      return range(2048, 8192);
    case 2048:
      return range(4096, 16384);
    case 4096:
      return range(8192, 30720);
    default:
      return [];
  }
}

function checkFargateSize(app: string, cpu: number, memory: number): void {
  const allowed = fargateMemory(cpu);
  if (allowed.includes(memory)) return;
  const first = allowed[0];
  const last = allowed.at(-1);
  throw usageError(
    `Fargate doesn't run apps.${app} with cpu ${cpu} and memory ${memory}.`,
    [
      first === undefined || last === undefined
        ? 'Set apps.<name>.cpu to 256, 512, 1024, 2048 or 4096.'
        : `With cpu ${cpu}, set apps.${app}.memory to ${allowed.length <= 3 ? allowed.join(', ') : `a multiple of 1024 from ${first} to ${last}`}.`,
    ],
    'CONFIG_INVALID',
  );
}

function checkEntryPoints(entryPoints: readonly string[]): void {
  const bad = entryPoints.filter((name) => !ENTRY_POINT.test(name));
  if (entryPoints.length > 0 && bad.length === 0) return;
  throw usageError(
    bad.length === 0
      ? 'traefik.entryPoints is empty, so no Traefik entry point would route to the deployment.'
      : `traefik.entryPoints has ${bad.map((name) => JSON.stringify(name)).join(', ')}, which can't be an entry point name.`,
    [
      'List the entry point names of your Traefik, e.g. traefik.entryPoints: [web] (letters, digits, - and _).',
    ],
    'CONFIG_INVALID',
  );
}

/** Fargate's platform for the image's build platform; only linux/amd64 and linux/arm64 exist there. */
function runtimePlatform(app: string, platform: string): RuntimePlatform {
  switch (platform) {
    case 'linux/amd64':
      return { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' };
    case 'linux/arm64':
    case 'linux/arm64/v8':
      return { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' };
    default:
      throw usageError(
        `Fargate can't run images built for ${platform} (apps.${app}.platform).`,
        [`Set apps.${app}.platform to linux/amd64 or linux/arm64.`],
        'CONFIG_INVALID',
      );
  }
}

function imageReference(image: PlanImage, dockerTag: string): DeploymentPlan['image'] {
  if (image.digest === undefined) return { reference: `${image.repository}:${dockerTag}`, pinned: false };
  if (!DIGEST.test(image.digest)) {
    throw usageError(`The image digest ${JSON.stringify(image.digest)} is not a sha256 digest.`, [
      'Pass a digest such as sha256:<64 hex characters>, as `docker push` or `image push` prints it.',
    ]);
  }
  return { reference: `${image.repository}@${image.digest}`, pinned: true };
}

/**
 * Where the cluster's task execution role may read app secrets from (assets/traefik/cluster.yaml,
 * ExecutionRole policy `app-secrets`): SSM parameters under `/traefikctl/<env>/apps/` and Secrets
 * Manager secrets under `traefikctl/<env>/apps/`, in the role's own region and account. A task that
 * names anything else fails to start with AccessDenied, long after the deploy call returned.
 */
export function secretPrefixes(env: string): { ssm: string; secretsManager: string } {
  return { ssm: `/traefikctl/${env}/apps/`, secretsManager: `traefikctl/${env}/apps/` };
}

interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

function parseArn(value: string): ArnParts | undefined {
  const [arn, partition, service, region, account, ...resource] = value.split(':');
  if (arn !== 'arn' || partition === undefined || service === undefined) return undefined;
  if (region === undefined || account === undefined || resource.length === 0) return undefined;
  return { partition, service, region, account, resource: resource.join(':') };
}

/** Why the execution role can't read `valueFrom`, or undefined when it can. */
function secretScopeProblem(
  valueFrom: string,
  env: string,
  scope: { region: string; account: string; partition: string } | undefined,
): string | undefined {
  const { ssm, secretsManager } = secretPrefixes(env);
  const under = (name: string, prefix: string) => name.startsWith(prefix) && name.length > prefix.length;
  if (!valueFrom.startsWith('arn:')) {
    return under(valueFrom, ssm) ? undefined : `is not under ${ssm}`;
  }
  const arn = parseArn(valueFrom);
  if (arn === undefined) return 'is not a complete ARN';
  if (arn.service === 'ssm') {
    // The ARN of the parameter `/a/b` is `…:parameter/a/b`.
    const name = arn.resource.startsWith('parameter/') ? arn.resource.slice('parameter'.length) : '';
    if (!under(name, ssm)) return `is not an SSM parameter under ${ssm}`;
  } else if (arn.service === 'secretsmanager') {
    const name = arn.resource.startsWith('secret:') ? arn.resource.slice('secret:'.length) : '';
    if (!under(name, secretsManager)) return `is not a Secrets Manager secret under ${secretsManager}`;
  } else {
    return 'is neither an SSM parameter nor a Secrets Manager secret';
  }
  if (scope === undefined) return undefined;
  if (arn.partition !== scope.partition || arn.account !== scope.account)
    return `is in account ${arn.account}, not in the cluster's account ${scope.account}`;
  if (arn.region !== scope.region)
    return `is in region ${arn.region}, not in the deployment's ${scope.region}`;
  return undefined;
}

/**
 * Refuses secrets the tasks could not read (see `secretPrefixes`), naming every offending key. The
 * region and account of ARNs are checked once they are known: when `executionRoleArn` is the stack's
 * real role (not a dry run's placeholder) and `region` the one the SDK resolved.
 */
export function checkSecretScope(
  app: string,
  secrets: Record<string, string>,
  env: string,
  cluster: { region: string; executionRoleArn: string },
): void {
  const role = parseArn(cluster.executionRoleArn);
  const scope =
    role === undefined
      ? undefined
      : { region: cluster.region, account: role.account, partition: role.partition };
  const problems = Object.entries(secrets).flatMap(([name, valueFrom]) => {
    const why = secretScopeProblem(valueFrom, env, scope);
    return why === undefined ? [] : [{ name, valueFrom, why }];
  });
  const [first] = problems;
  if (first === undefined) return;
  const { ssm, secretsManager } = secretPrefixes(env);
  const listed = problems.map(
    ({ name, valueFrom, why }) => `apps.${app}.secrets.${name} (${valueFrom}) ${why}`,
  );
  throw usageError(
    `The tasks of env ${env} can't read ${problems.length === 1 ? 'this secret' : 'these secrets'}: ${listed.join('; ')}. ` +
      `The cluster's execution role reads only SSM parameters under ${ssm} and Secrets Manager secrets under ${secretsManager}` +
      `${scope === undefined ? '' : `, in ${scope.region} and account ${scope.account}`}.`,
    [
      `Store the value under ${ssm}, e.g. ${ssm}${app}/${first.name}, and set apps.${app}.secrets.${first.name} to /traefikctl/{env}/apps/${app}/${first.name} ({env} stands for the env deployed to).`,
      `Or keep it in Secrets Manager as ${secretsManager}${app}/${first.name} and set apps.${app}.secrets.${first.name} to its ARN.`,
    ],
    'SECRET_NOT_READABLE',
  );
}

function containerEnvironment(
  app: string,
  config: AppConfig,
  deployment: Record<(typeof RESERVED_ENV)[number], string>,
  warnings: string[],
): { environment: KeyValuePair[]; secrets: Secret[] } {
  const reserved = new Set<string>(RESERVED_ENV);
  const inBoth = Object.keys(config.environment).filter((name) => name in config.secrets);
  if (inBoth.length > 0) {
    throw usageError(
      `apps.${app} sets ${inBoth.join(', ')} both in environment and in secrets.`,
      [`Keep each variable in one place: apps.${app}.environment or apps.${app}.secrets.`],
      'CONFIG_INVALID',
    );
  }
  // The deployment's own values win: a config value can't know which build it runs in.
  for (const [where, values] of [
    ['environment', config.environment],
    ['secrets', config.secrets],
  ] as const) {
    for (const name of Object.keys(values).filter((key) => reserved.has(key))) {
      warnings.push(`apps.${app}.${where}.${name} is ignored: traefikctl sets ${name} for each deployment.`);
    }
  }
  const sorted = (record: Record<string, string>): [string, string][] =>
    Object.entries(record)
      .filter(([name]) => !reserved.has(name))
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return {
    environment: [
      ...RESERVED_ENV.map((name) => ({ name, value: deployment[name] })),
      ...sorted(config.environment).map(([name, value]) => ({ name, value })),
    ],
    secrets: sorted(config.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
  };
}

/** The whole deployment of `app` at `tag`, as data. Throws a usage error for config Fargate can't run. */
export function buildDeploymentPlan(options: DeploymentPlanOptions): DeploymentPlan {
  const { context, app, appConfig, tag, cluster, deployedBy, now } = options;
  const names = deploymentNames({
    app,
    tag,
    env: context.env,
    domain: context.domain,
    template: context.hostTemplate,
  });
  checkEntryPoints(context.entryPoints);
  checkFargateSize(app, appConfig.cpu, appConfig.memory);
  const platform = runtimePlatform(app, appConfig.platform);
  const image = imageReference(options.image, names.dockerTag);
  const url = `${context.scheme ?? 'http'}://${names.host}`;
  const deployedAt = now.toISOString();
  const ttl = options.ttl ?? defaultTtl(appConfig, tag); // issue 18: ttlFor patterns, then ttl
  const expiresAt = ttl === undefined ? undefined : addDuration(now, ttl).toISOString();
  const warnings: string[] = [...(context.overrides ?? [])];

  const labels = traefikLabels({
    name: names.serviceName,
    host: names.host,
    port: appConfig.port,
    entryPoints: context.entryPoints,
    env: context.env,
    healthCheck: appConfig.healthCheck,
  });
  const tags = deploymentTags({
    env: context.env,
    app,
    tag,
    host: names.host,
    image: image.reference,
    deployedAt,
    deployedBy,
    expiresAt,
  });
  // One apps block serves every env, and each env's tasks read only their own prefix: `{env}` in a
  // secret's name or ARN stands for the env deployed to.
  const envSecrets = Object.fromEntries(
    Object.entries(appConfig.secrets).map(([name, valueFrom]) => [
      name,
      valueFrom.replaceAll('{env}', context.env),
    ]),
  );
  checkSecretScope(app, envSecrets, context.env, {
    region: context.region,
    executionRoleArn: cluster.executionRoleArn,
  });
  const { environment, secrets } = containerEnvironment(
    app,
    { ...appConfig, secrets: envSecrets },
    { APP_TAG: tag, APP_URL: url },
    warnings,
  );

  const container: ContainerDefinition = {
    name: app,
    image: image.reference,
    essential: true,
    // Task-level memory is enough for AWS, but moto's RunTask needs it per container (notes/moto.md §1.5).
    memory: appConfig.memory,
    // awsvpc: hostPort must equal containerPort, and Traefik's ECS provider reads hostPort (0 when absent).
    portMappings: [{ containerPort: appConfig.port, hostPort: appConfig.port, protocol: 'tcp' }],
    environment,
    ...(secrets.length === 0 ? {} : { secrets }),
    ...(appConfig.stopTimeout === undefined
      ? {}
      : { stopTimeout: stopTimeoutSeconds(appConfig.stopTimeout) }),
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': cluster.logGroup,
        'awslogs-region': context.region,
        'awslogs-stream-prefix': names.serviceName,
      },
    },
    dockerLabels: labels,
  };

  const taskDefinition: RegisterTaskDefinitionCommandInput = {
    family: names.family,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: String(appConfig.cpu),
    memory: String(appConfig.memory),
    runtimePlatform: platform,
    executionRoleArn: cluster.executionRoleArn,
    ...(cluster.taskRoleArn === undefined ? {} : { taskRoleArn: cluster.taskRoleArn }),
    containerDefinitions: [container],
    tags: tags.map((tag) => ({ ...tag })),
  };

  const service: CreateServiceCommandInput = {
    cluster: cluster.cluster,
    serviceName: names.serviceName,
    taskDefinition: names.family,
    launchType: 'FARGATE',
    desiredCount: appConfig.desiredCount,
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [...cluster.subnets],
        securityGroups: [...cluster.securityGroups],
        // Tasks sit behind Traefik in private subnets; only the load balancer is public. The
        // cluster stack says ENABLED where subnets have no NAT (the default VPC) so images can be pulled.
        assignPublicIp: cluster.assignPublicIp ?? 'DISABLED',
      },
    },
    deploymentConfiguration: circuitBreakerConfiguration(failureThreshold(appConfig)), // issue 18
    propagateTags: 'SERVICE',
    enableECSManagedTags: true,
    tags: tags.map((tag) => ({ ...tag })),
  };

  return {
    app,
    env: context.env,
    region: context.region,
    tag,
    tagSlug: names.tagSlug,
    dockerTag: names.dockerTag,
    host: names.host,
    url,
    serviceName: names.serviceName,
    family: names.family,
    cluster: cluster.cluster,
    image,
    deployedAt,
    deployedBy,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    labels,
    tags,
    taskDefinition,
    service,
    warnings,
  };
}

/** The CreateService input for the task definition revision that was just registered. */
export function createServiceInput(
  plan: DeploymentPlan,
  taskDefinitionArn: string,
): CreateServiceCommandInput {
  return { ...plan.service, taskDefinition: taskDefinitionArn };
}

/**
 * The UpdateService input that rolls an existing service onto the new revision. Always the full ARN
 * (moto stores whatever string it gets) and always desiredCount (moto only settles counts on updates
 * that carry one; notes/moto.md §1.3). UpdateService can't change tags: send `plan.tags` with
 * TagResource on the service.
 */
export function updateServiceInput(
  plan: DeploymentPlan,
  taskDefinitionArn: string,
): UpdateServiceCommandInput {
  const { cluster, serviceName, desiredCount, networkConfiguration, deploymentConfiguration } = plan.service;
  return {
    cluster,
    service: serviceName,
    taskDefinition: taskDefinitionArn,
    desiredCount,
    networkConfiguration,
    deploymentConfiguration,
    propagateTags: 'SERVICE',
    enableECSManagedTags: true,
  };
}
