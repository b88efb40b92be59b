import type { Stack } from '@aws-sdk/client-cloudformation';

import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import { UserError } from '../errors.js';

/**
 * What `cluster up` leaves behind for `app deploy` and friends: the outputs of the stack
 * `traefikctl-<env>`. The stack is the only record of the cluster (DESIGN.md "State lives in AWS").
 */
export interface ClusterOutputs {
  stackName: string;
  env: string;
  /** ECS cluster name. */
  cluster: string;
  clusterArn?: string;
  /** Subnets app tasks run in (the same ones Traefik runs in). */
  subnets: string[];
  /** The security group app tasks get: it admits traffic from Traefik only. */
  appSecurityGroup: string;
  executionRoleArn: string;
  logGroup: string;
  /** Traefik's API, e.g. `https://traefik.dev.example.com`; absent when the environment has no domain. */
  apiUrl?: string;
  apiUsername?: string;
  /** The SSM SecureString holding the API password (its name, never its value). */
  passwordParameter?: string;
  /** Hostname pattern of deployments, e.g. `{app}-{tag}.dev.example.com`. */
  urlPattern?: string;
  loadBalancerDns?: string;
  /**
   * Whether tasks in these subnets need a public IP to reach ECR and CloudWatch (subnets that give
   * instances public IPs, without a NAT: the default VPC). App tasks should get the same setting.
   */
  assignPublicIp?: 'ENABLED' | 'DISABLED';
}

/** The stack of an environment. One per env and region; its name is part of the contract. */
export function stackNameFor(env: string): string {
  return `traefikctl-${env}`;
}

/**
 * The stack output keys, as assets/traefik/cluster.yaml names them. Changing one breaks every
 * cluster already running: add new keys instead.
 */
export const OUTPUT_KEYS = {
  env: 'Env',
  cluster: 'ClusterName',
  clusterArn: 'ClusterArn',
  subnets: 'Subnets',
  appSecurityGroup: 'AppSecurityGroup',
  executionRoleArn: 'ExecutionRoleArn',
  logGroup: 'LogGroup',
  apiUrl: 'ApiUrl',
  apiUsername: 'ApiUsername',
  passwordParameter: 'PasswordParameter',
  urlPattern: 'UrlPattern',
  loadBalancerDns: 'LoadBalancerDns',
  assignPublicIp: 'AssignPublicIp',
} as const satisfies Record<keyof Omit<ClusterOutputs, 'stackName'>, string>;

const REQUIRED = ['cluster', 'subnets', 'appSecurityGroup', 'executionRoleArn', 'logGroup'] as const;

/** Stable states in which the stack's outputs describe a working cluster. */
const USABLE_STATUSES = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  // An update failed and was rolled back: the cluster is as it was before, and works.
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

/**
 * The outputs of `traefikctl-<env>`. A missing stack, a stack that is still changing, a failed one
 * or one that lacks outputs is a UserError that says what to run.
 */
export async function readClusterOutputs(clients: AwsClients, env: string): Promise<ClusterOutputs> {
  const stack = await describeClusterStack(clients, env);
  if (stack === undefined) throw noClusterError(env);
  return parseClusterOutputs(stack, env);
}

/** The stack of `env`, or undefined when it doesn't exist (or was deleted). */
export async function describeClusterStack(clients: AwsClients, env: string): Promise<Stack | undefined> {
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudformation = await clients.cloudformation();
  const stackName = stackNameFor(env);
  try {
    const answer = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = answer.Stacks?.find((s) => s.StackName === stackName);
    return stack?.StackStatus === 'DELETE_COMPLETE' ? undefined : stack;
  } catch (error) {
    // CloudFormation reports a missing stack as a ValidationError "Stack with id X does not exist".
    if (awsErrorName(error) === 'ValidationError' && /does not exist/i.test(String((error as Error).message)))
      return undefined;
    throw explainAwsError(error, `read the stack ${stackName}`, 'cloudformation:DescribeStacks');
  }
}

export function noClusterError(env: string): UserError {
  const stackName = stackNameFor(env);
  return new UserError(`No cluster for env ${env}: stack ${stackName} doesn't exist.`, {
    suggestions: [`Create it with \`traefikctl cluster up --env ${env}\`.`],
    code: 'CLUSTER_MISSING',
  });
}

/** The outputs of a described stack (pure: unit-tested without AWS). */
export function parseClusterOutputs(stack: Stack, env: string): ClusterOutputs {
  const stackName = stack.StackName ?? stackNameFor(env);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!USABLE_STATUSES.has(status)) throw unusableStackError(stackName, env, status, stack.StackStatusReason);

  const values = new Map<string, string>();
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey !== undefined && output.OutputValue !== undefined)
      values.set(output.OutputKey, output.OutputValue);
  }
  const missing = REQUIRED.filter((key) => !values.get(OUTPUT_KEYS[key]));
  if (missing.length > 0) {
    throw new UserError(
      `The stack ${stackName} lacks the outputs ${missing.map((key) => OUTPUT_KEYS[key]).join(', ')}: it wasn't created by traefikctl, or by an older version.`,
      {
        suggestions: [`Update it with \`traefikctl cluster up --env ${env}\`.`],
        code: 'CLUSTER_OUTPUTS_MISSING',
      },
    );
  }
  const text = (key: keyof typeof OUTPUT_KEYS): string | undefined =>
    values.get(OUTPUT_KEYS[key]) || undefined;
  const optional = (
    key: Exclude<keyof typeof OUTPUT_KEYS, (typeof REQUIRED)[number] | 'env' | 'assignPublicIp'>,
  ) => {
    const value = text(key);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    stackName,
    env: text('env') ?? env,
    cluster: text('cluster') ?? '',
    subnets: (text('subnets') ?? '')
      .split(',')
      .map((subnet) => subnet.trim())
      .filter((subnet) => subnet !== ''),
    appSecurityGroup: text('appSecurityGroup') ?? '',
    executionRoleArn: text('executionRoleArn') ?? '',
    logGroup: text('logGroup') ?? '',
    ...optional('clusterArn'),
    ...optional('apiUrl'),
    ...optional('apiUsername'),
    ...optional('passwordParameter'),
    ...optional('urlPattern'),
    ...optional('loadBalancerDns'),
    ...assignPublicIp(text('assignPublicIp')),
  };
}

function assignPublicIp(value: string | undefined): Pick<ClusterOutputs, 'assignPublicIp'> {
  return value === 'ENABLED' || value === 'DISABLED' ? { assignPublicIp: value } : {};
}

function unusableStackError(
  stackName: string,
  env: string,
  status: string,
  reason: string | undefined,
): UserError {
  const because = reason ? ` (${reason})` : '';
  if (status.endsWith('_IN_PROGRESS')) {
    return new UserError(`The cluster for env ${env} is changing: stack ${stackName} is ${status}.`, {
      suggestions: [
        `Wait for it to finish, then run the command again; \`traefikctl cluster status --env ${env}\` shows where it is.`,
      ],
      code: 'CLUSTER_BUSY',
    });
  }
  if (status.startsWith('DELETE_')) {
    return new UserError(
      `The cluster for env ${env} is being removed: stack ${stackName} is ${status}${because}.`,
      {
        suggestions: [
          `Run \`traefikctl cluster down --env ${env}\` to finish removing it, then \`traefikctl cluster up --env ${env}\`.`,
        ],
        code: 'CLUSTER_UNUSABLE',
      },
    );
  }
  return new UserError(
    `The cluster for env ${env} isn't usable: stack ${stackName} is ${status}${because}.`,
    {
      suggestions: [
        `Run \`traefikctl cluster up --env ${env}\` to repair it; if that fails, \`traefikctl cluster down --env ${env}\` and up again.`,
      ],
      code: 'CLUSTER_UNUSABLE',
    },
  );
}
