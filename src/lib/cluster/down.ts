import type { Stack } from '@aws-sdk/client-cloudformation';

import type { AwsClients } from '../aws/clients.js';
import type { ResolvedContext } from '../config/resolve.js';
import { UserError } from '../errors.js';
import { silentSink, skipPhase, withPhase, type EventSink } from '../events.js';
import { destroyDeployments, listLiveDeployments, type LiveDeployment } from './deployments.js';
import { describeClusterStack, stackNameFor } from './outputs.js';
import { apiPasswordExists, defaultPasswordParameter, deleteApiPassword } from './password.js';
import { deleteStack, newestEventId, watchStack } from './stack-events.js';

/**
 * What `cluster down` would remove: read-only, so the command can ask before acting. An env with no
 * stack, no live deployment and no API password is a UserError (CLUSTER_MISSING, exit 1).
 */
export interface ClusterDownPlan {
  env: string;
  stackName: string;
  /** Undefined when the stack doesn't exist (only the password may be left). */
  stackId: string | undefined;
  stackStatus: string | undefined;
  cluster: string;
  deployments: LiveDeployment[];
  passwordParameter: string;
}

export interface ClusterDownResult {
  env: string;
  stackName: string;
  stackDeleted: boolean;
  passwordParameter: string;
  passwordDeleted: boolean;
  /** ECS services of deployments removed by --force. */
  deploymentsRemoved: string[];
}

export async function planClusterDown(clients: AwsClients, ctx: ResolvedContext): Promise<ClusterDownPlan> {
  const env = ctx.env;
  const stack = await describeClusterStack(clients, env);
  const cluster = outputOf(stack, 'ClusterName') ?? ctx.cluster;
  const deployments = await listLiveDeployments(await clients.ecs(), cluster, env);
  const passwordParameter =
    outputOf(stack, 'PasswordParameter') ?? ctx.traefik.passwordParameter ?? defaultPasswordParameter(env);
  // Nothing at all to remove is what a mistyped --env looks like: fail as every command that needs
  // the env's cluster does, rather than report a removal that didn't happen. What a removal that
  // stopped halfway left (the password) is still removed, and that is a success.
  if (
    stack === undefined &&
    deployments.length === 0 &&
    !(await apiPasswordExists(await clients.ssm(), passwordParameter))
  ) {
    throw new UserError(
      `No cluster for env ${env}: stack ${stackNameFor(env)} doesn't exist, and nothing else of one is left to remove.`,
      {
        suggestions: [
          `Check --env (or TRAEFIKCTL_ENV): \`traefikctl cluster status --env ${env}\` shows whether an env has a cluster.`,
        ],
        code: 'CLUSTER_MISSING',
      },
    );
  }
  return {
    env,
    stackName: stackNameFor(env),
    stackId: stack?.StackId,
    stackStatus: stack?.StackStatus,
    cluster,
    deployments,
    passwordParameter,
  };
}

/** Refuses while deployments are live, unless forced: removing the cluster would cut them off. */
export function assertDownAllowed(plan: ClusterDownPlan, force: boolean): void {
  if (force || plan.deployments.length === 0) return;
  const count = plan.deployments.length;
  const names = plan.deployments.map((d) => d.service);
  const shown =
    names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
  throw new UserError(
    `${count} app deployment${count === 1 ? ' is' : 's are'} live in env ${plan.env} (${shown}): removing the cluster would cut ${count === 1 ? 'it' : 'them'} off.`,
    {
      suggestions: [
        `Remove ${count === 1 ? 'it' : 'them'} first, or run \`traefikctl cluster down --env ${plan.env} --force\` to remove ${count === 1 ? 'it' : 'them'} with the cluster.`,
      ],
      code: 'DEPLOYMENTS_LIVE',
    },
  );
}

export interface ClusterDownOptions {
  clients: AwsClients;
  plan: ClusterDownPlan;
  force: boolean;
  onEvent?: EventSink | undefined;
  pollIntervalMs?: number | undefined;
  timeoutMs?: number | undefined;
}

/**
 * `cluster down`: with --force, the live deployments first (scaled to 0, deleted); then the stack
 * (its events streamed); then the API password in SSM.
 */
export async function clusterDown(options: ClusterDownOptions): Promise<ClusterDownResult> {
  const { clients, plan } = options;
  const emit = options.onEvent ?? silentSink;
  assertDownAllowed(plan, options.force);

  const removed: string[] = [];
  const deploymentsPhase = { id: 'deployments', title: 'Remove app deployments' };
  if (plan.deployments.length > 0) {
    await withPhase(emit, deploymentsPhase, async (setDetail) => {
      await destroyDeployments(
        await clients.ecs(),
        plan.cluster,
        plan.deployments,
        deploymentsPhase.id,
        emit,
      );
      removed.push(...plan.deployments.map((d) => d.service));
      setDetail(`${removed.length} removed`);
    });
  }

  const stackPhase = { id: 'stack', title: `Delete ${plan.stackName}` };
  let stackDeleted = false;
  if (plan.stackId === undefined) {
    skipPhase(emit, stackPhase, `${plan.stackName} doesn't exist`);
  } else {
    const stackId = plan.stackId;
    await withPhase(emit, stackPhase, async () => {
      const cloudformation = await clients.cloudformation();
      const since = await newestEventId(cloudformation, stackId);
      await deleteStack(
        cloudformation,
        stackId,
        plan.stackName,
        `traefikctl cluster status --env ${plan.env}`,
      );
      await watchStack({
        cloudformation,
        stackId,
        stackName: plan.stackName,
        operation: 'delete',
        sinceEventId: since,
        phase: stackPhase.id,
        onEvent: emit,
        env: plan.env,
        ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    });
    stackDeleted = true;
  }

  const passwordDeleted = await withPhase(
    emit,
    { id: 'password', title: 'Delete the Traefik API password' },
    async (setDetail) => {
      const deleted = await deleteApiPassword(await clients.ssm(), plan.passwordParameter);
      setDetail(deleted ? `SSM ${plan.passwordParameter}` : `SSM ${plan.passwordParameter} was already gone`);
      return deleted;
    },
  );

  return {
    env: plan.env,
    stackName: plan.stackName,
    stackDeleted,
    passwordParameter: plan.passwordParameter,
    passwordDeleted,
    deploymentsRemoved: removed,
  };
}

function outputOf(stack: Stack | undefined, key: string): string | undefined {
  return stack?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue || undefined;
}
