import { setTimeout as sleep } from 'node:timers/promises';

import type { Change, CloudFormationClient, Parameter } from '@aws-sdk/client-cloudformation';

import { explainAwsError } from '../aws/errors.js';
import { UserError } from '../errors.js';

/** One resource change of a change set, as `cluster up --dry-run` shows it. */
export interface PlannedChange {
  action: string;
  logicalId: string;
  resourceType: string;
  /** `True`, `False` or `Conditional` for modifications. */
  replacement?: string;
}

export interface ChangeSetRequest {
  cloudformation: CloudFormationClient;
  stackName: string;
  type: 'CREATE' | 'UPDATE';
  templateBody: string;
  parameters: Parameter[];
  tags: { Key: string; Value: string }[];
  pollIntervalMs?: number;
}

export interface ComputedChangeSet {
  name: string;
  stackId: string | undefined;
  /** Undefined when CloudFormation found nothing to change. */
  changes: PlannedChange[] | undefined;
}

const NO_CHANGES = /didn't contain changes|No updates are to be performed/i;

/** Creates a change set and waits until CloudFormation has computed it. */
export async function computeChangeSet(request: ChangeSetRequest): Promise<ComputedChangeSet> {
  const { CreateChangeSetCommand, DescribeChangeSetCommand } = await import('@aws-sdk/client-cloudformation');
  const { cloudformation, stackName } = request;
  const name = `traefikctl-${Date.now()}`;
  let stackId: string | undefined;
  try {
    const created = await cloudformation.send(
      new CreateChangeSetCommand({
        StackName: stackName,
        ChangeSetName: name,
        ChangeSetType: request.type,
        TemplateBody: request.templateBody,
        Parameters: request.parameters,
        Capabilities: ['CAPABILITY_IAM'],
        Tags: request.tags,
        Description: 'traefikctl cluster up',
      }),
    );
    stackId = created.StackId;
  } catch (error) {
    throw wrap(error, `plan the changes to the stack ${stackName}`, 'cloudformation:CreateChangeSet');
  }

  const changes: Change[] = [];
  for (;;) {
    let answer;
    try {
      answer = await cloudformation.send(
        new DescribeChangeSetCommand({ StackName: stackId ?? stackName, ChangeSetName: name }),
      );
    } catch (error) {
      throw wrap(error, `read the change set of the stack ${stackName}`, 'cloudformation:DescribeChangeSet');
    }
    const status = answer.Status ?? 'CREATE_PENDING';
    if (status === 'FAILED') {
      if (NO_CHANGES.test(answer.StatusReason ?? '')) return { name, stackId, changes: undefined };
      throw new UserError(
        `CloudFormation can't plan the changes to the stack ${stackName}: ${answer.StatusReason ?? 'no reason given'}.`,
        {
          suggestions: ['Check the flags and the configuration of this environment.'],
          code: 'CHANGE_SET_FAILED',
        },
      );
    }
    if (status === 'CREATE_COMPLETE') {
      changes.push(...(answer.Changes ?? []));
      let next = answer.NextToken;
      while (next) {
        const page = await cloudformation.send(
          new DescribeChangeSetCommand({
            StackName: stackId ?? stackName,
            ChangeSetName: name,
            NextToken: next,
          }),
        );
        changes.push(...(page.Changes ?? []));
        next = page.NextToken;
      }
      return { name, stackId, changes: changes.map(plannedChange) };
    }
    await sleep(request.pollIntervalMs ?? 2_000);
  }
}

/** Removes a change set that won't be executed; for a CREATE one, also the empty stack it made. */
export async function discardChangeSet(
  cloudformation: CloudFormationClient,
  stackName: string,
  changeSet: ComputedChangeSet,
  type: 'CREATE' | 'UPDATE',
): Promise<void> {
  const { DeleteChangeSetCommand, DeleteStackCommand } = await import('@aws-sdk/client-cloudformation');
  const stack = changeSet.stackId ?? stackName;
  try {
    await cloudformation.send(
      new DeleteChangeSetCommand({ StackName: stack, ChangeSetName: changeSet.name }),
    );
    // A CREATE change set leaves a REVIEW_IN_PROGRESS stack with no resources behind.
    if (type === 'CREATE') await cloudformation.send(new DeleteStackCommand({ StackName: stack }));
  } catch (error) {
    throw wrap(
      error,
      `remove the planned change set of the stack ${stackName}`,
      'cloudformation:DeleteChangeSet',
    );
  }
}

/** `check`: the command that shows whether the update started, for an answer that never comes. */
export async function executeChangeSet(
  cloudformation: CloudFormationClient,
  stackName: string,
  changeSet: ComputedChangeSet,
  check?: string,
): Promise<void> {
  const { ExecuteChangeSetCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    await cloudformation.send(
      new ExecuteChangeSetCommand({
        StackName: changeSet.stackId ?? stackName,
        ChangeSetName: changeSet.name,
      }),
    );
  } catch (error) {
    throw wrap(error, `update the stack ${stackName}`, 'cloudformation:ExecuteChangeSet', check);
  }
}

function plannedChange(change: Change): PlannedChange {
  const resource = change.ResourceChange;
  return {
    action: resource?.Action ?? 'Unknown',
    logicalId: resource?.LogicalResourceId ?? '?',
    resourceType: resource?.ResourceType ?? '?',
    ...(resource?.Replacement === undefined ? {} : { replacement: resource.Replacement }),
  };
}

/**
 * Changes that lose something: removed resources, and replaced ones except task definitions (a
 * new revision is how ECS task definitions always change). Replacing the cluster orphans every
 * deployment; replacing the load balancer changes its DNS name.
 */
export function destructiveChanges(changes: readonly PlannedChange[]): PlannedChange[] {
  return changes.filter(
    (change) =>
      change.action === 'Remove' ||
      (change.replacement === 'True' && change.resourceType !== 'AWS::ECS::TaskDefinition'),
  );
}

/** An AWS failure the user can act on, or the CloudFormation message as a UserError. */
export function wrap(error: unknown, action: string, permission: string, check?: string): unknown {
  const explained = explainAwsError(error, action, permission, { check });
  if (explained !== error || !(error instanceof Error)) return explained;
  // A 4xx (ValidationError and friends) means the input is wrong, and the message says how; a 5xx or
  // an unreadable answer is not the user's to fix.
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === undefined || status < 400 || status >= 500) return error;
  return new UserError(`Couldn't ${action}: ${error.message.replace(/\.$/, '')}.`, {
    suggestions: ['Check the flags and the configuration of this environment, then run the command again.'],
    code: 'CLOUDFORMATION_ERROR',
    cause: error,
  });
}
