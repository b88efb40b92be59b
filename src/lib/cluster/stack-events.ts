import { setTimeout as sleep } from 'node:timers/promises';

import type { CloudFormationClient, Stack, StackEvent } from '@aws-sdk/client-cloudformation';

import { awsErrorName, explainAwsError } from '../aws/errors.js';
import { ExitCode, UserError } from '../errors.js';
import type { EventSink } from '../events.js';
import { wrap } from './change-set.js';

export type StackOperation = 'create' | 'update' | 'delete';

export interface WatchStackOptions {
  cloudformation: CloudFormationClient;
  /** The stack id (an ARN): by name, a deleted stack can't be described any more. */
  stackId: string;
  stackName: string;
  operation: StackOperation;
  /** The newest event before the operation started; events up to it are not this operation's. */
  sinceEventId: string | undefined;
  /** The progress phase that resource events belong to. */
  phase: string;
  onEvent?: EventSink | undefined;
  pollIntervalMs?: number;
  timeoutMs?: number;
  env: string;
}

export interface StackOutcome {
  status: string;
  stack: Stack | undefined;
  /** This operation's events, oldest first. */
  events: StackEvent[];
}

const DEFAULT_POLL_MS = 5_000;
/** A first create (load balancer, two Traefik tasks behind it) takes 4 to 8 minutes. */
const DEFAULT_TIMEOUT_MS = 45 * 60_000;

const SUCCESS: Record<StackOperation, string> = {
  create: 'CREATE_COMPLETE',
  update: 'UPDATE_COMPLETE',
  delete: 'DELETE_COMPLETE',
};

/** Reasons CloudFormation gives to resources it stopped because another one failed. */
const KNOCK_ON = /^Resource (creation|update) cancelled|cancelled$/i;

/** `check`: the command that shows whether the deletion started, for an answer that never comes. */
export async function deleteStack(
  cloudformation: CloudFormationClient,
  stackId: string,
  stackName: string,
  check?: string,
): Promise<void> {
  const { DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    await cloudformation.send(new DeleteStackCommand({ StackName: stackId }));
  } catch (error) {
    throw wrap(
      error,
      `delete the stack ${stackName}`,
      'cloudformation:DeleteStack (and the permissions to delete its resources)',
      check,
    );
  }
}

/** The id of the newest event of a stack (to tell this operation's events from older ones). */
export async function newestEventId(
  cloudformation: CloudFormationClient,
  stackName: string,
): Promise<string | undefined> {
  const { DescribeStackEventsCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    const answer = await cloudformation.send(new DescribeStackEventsCommand({ StackName: stackName }));
    return answer.StackEvents?.[0]?.EventId;
  } catch (error) {
    throw explainAwsError(
      error,
      `read the events of the stack ${stackName}`,
      'cloudformation:DescribeStackEvents',
    );
  }
}

/**
 * Follows a stack operation until the stack settles: every new stack event becomes one `progress`
 * event (item: the resource's logical id; status: its status, with the time it took once done).
 * Resolves on success; a failure is a UserError naming the resource that failed first and why.
 */
export async function watchStack(options: WatchStackOptions): Promise<StackOutcome> {
  const poll = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const events: StackEvent[] = [];
  const started = new Map<string, Date>();
  let since = options.sinceEventId;

  for (;;) {
    const fresh = await eventsSince(options.cloudformation, options.stackId, since);
    for (const event of fresh) {
      events.push(event);
      options.onEvent?.(progressOf(event, options.phase, started));
    }
    since = fresh.at(-1)?.EventId ?? since;

    const stack = await describe(options.cloudformation, options.stackId, options.stackName);
    const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
    if (!status.endsWith('_IN_PROGRESS')) {
      if (status === SUCCESS[options.operation]) return { status, stack, events };
      throw stackFailedError(options, status, stack?.StackStatusReason, events);
    }
    if (Date.now() >= deadline) {
      throw new UserError(`The stack ${options.stackName} is still ${status}; traefikctl stopped waiting.`, {
        suggestions: [
          `CloudFormation carries on: follow it with \`traefikctl cluster status --env ${options.env}\` or in the AWS console.`,
        ],
        exitCode: ExitCode.TimedOut,
        code: 'STACK_TIMEOUT',
      });
    }
    await sleep(poll);
  }
}

/** Events after `since`, oldest first (DescribeStackEvents pages newest first). */
async function eventsSince(
  cloudformation: CloudFormationClient,
  stackId: string,
  since: string | undefined,
): Promise<StackEvent[]> {
  const { DescribeStackEventsCommand } = await import('@aws-sdk/client-cloudformation');
  const collected: StackEvent[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const page = await cloudformation.send(
        new DescribeStackEventsCommand({ StackName: stackId, NextToken }),
      );
      for (const event of page.StackEvents ?? []) {
        if (since !== undefined && event.EventId === since) return collected.reverse();
        collected.push(event);
      }
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    throw explainAwsError(error, 'read the stack events', 'cloudformation:DescribeStackEvents');
  }
  return collected.reverse();
}

async function describe(
  cloudformation: CloudFormationClient,
  stackId: string,
  stackName: string,
): Promise<Stack | undefined> {
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    const answer = await cloudformation.send(new DescribeStacksCommand({ StackName: stackId }));
    return answer.Stacks?.[0];
  } catch (error) {
    if (awsErrorName(error) === 'ValidationError' && /does not exist/i.test((error as Error).message))
      return undefined;
    throw explainAwsError(error, `read the stack ${stackName}`, 'cloudformation:DescribeStacks');
  }
}

/** One stack event as a progress event (pure but for the start-time bookkeeping). */
export function progressOf(
  event: StackEvent,
  phase: string,
  started: Map<string, Date>,
): { type: 'progress'; phase: string; item: string; status: string } {
  const item = event.LogicalResourceId ?? event.PhysicalResourceId ?? 'stack';
  const status = event.ResourceStatus ?? 'UNKNOWN';
  const at = event.Timestamp;
  let text = status;
  if (status.endsWith('_IN_PROGRESS') && at !== undefined && !started.has(item)) started.set(item, at);
  const since = started.get(item);
  if (!status.endsWith('_IN_PROGRESS') && since !== undefined && at !== undefined) {
    text += ` (${Math.max(0, Math.round((at.getTime() - since.getTime()) / 1000))}s)`;
    started.delete(item);
  }
  const reason = event.ResourceStatusReason;
  if (reason && reason !== 'User Initiated') text += `: ${reason}`;
  return { type: 'progress', phase, item, status: text };
}

export interface FailureCause {
  logicalId: string;
  resourceType: string | undefined;
  status: string;
  reason: string;
}

/**
 * The resource that made the operation fail (pure): the first failed resource, oldest first,
 * whose reason is not a knock-on cancellation; the stack's own failure event when no resource
 * reports one.
 */
export function failureCause(events: readonly StackEvent[], stackName: string): FailureCause | undefined {
  const failed = events.filter((e) => (e.ResourceStatus ?? '').endsWith('_FAILED'));
  const resources = failed.filter(
    (e) => e.ResourceType !== 'AWS::CloudFormation::Stack' || e.LogicalResourceId !== stackName,
  );
  const root =
    resources.find((e) => !KNOCK_ON.test(e.ResourceStatusReason ?? '')) ?? resources[0] ?? failed[0];
  if (root === undefined) return undefined;
  return {
    logicalId: root.LogicalResourceId ?? stackName,
    resourceType: root.ResourceType,
    status: root.ResourceStatus ?? 'FAILED',
    reason: root.ResourceStatusReason ?? 'no reason given',
  };
}

const VERBS: Record<StackOperation, string> = { create: 'create', update: 'update', delete: 'delete' };

function stackFailedError(
  options: WatchStackOptions,
  status: string,
  stackReason: string | undefined,
  events: readonly StackEvent[],
): UserError {
  const cause = failureCause(events, options.stackName);
  const what =
    cause === undefined
      ? `it ended ${status}${stackReason ? ` (${stackReason})` : ''}`
      : `${cause.logicalId}${cause.resourceType ? ` (${cause.resourceType})` : ''} ${cause.status}: ${cause.reason.replace(/\.$/, '')}`;
  const rolledBack = status.includes('ROLLBACK_COMPLETE');
  const retry =
    options.operation === 'delete'
      ? `Fix the cause, then run \`traefikctl cluster down --env ${options.env}\` again.`
      : `Fix the cause, then run \`traefikctl cluster up --env ${options.env}\` again${
          options.operation === 'create' && rolledBack ? ' (it replaces the rolled-back stack)' : ''
        }.`;
  return new UserError(`Couldn't ${VERBS[options.operation]} the stack ${options.stackName}: ${what}.`, {
    suggestions: [
      ...(rolledBack
        ? [`CloudFormation rolled the stack back; it is ${status}.`]
        : [`The stack is ${status}.`]),
      retry,
    ],
    code: 'STACK_FAILED',
  });
}
