/**
 * Following a stack operation. moto creates stacks synchronously, records stack-level events only
 * and never fails or rolls back a resource (shared/notes/moto.md §3.1), so the answers CloudFormation
 * gives while a real stack changes are replayed here from a script: a stand-in client whose
 * DescribeStackEvents and DescribeStacks answers advance one step per poll.
 */
import type { CloudFormationClient, StackEvent } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';

import { UserError } from '../../../src/lib/errors.js';
import type { ProgressEvent } from '../../../src/lib/events.js';
import { failureCause, progressOf, watchStack } from '../../../src/lib/cluster/stack-events.js';

const STACK = 'traefikctl-dev';
const STACK_ID = `arn:aws:cloudformation:eu-west-1:123456789012:stack/${STACK}/1`;
let clock = Date.parse('2026-11-28T10:00:00Z');

function event(
  id: string,
  logicalId: string,
  status: string,
  type: string,
  reason?: string,
  seconds = 0,
): StackEvent {
  clock += seconds * 1000;
  return {
    EventId: id,
    StackId: STACK_ID,
    StackName: STACK,
    LogicalResourceId: logicalId,
    ResourceType: type,
    ResourceStatus: status,
    Timestamp: new Date(clock),
    ...(reason === undefined ? {} : { ResourceStatusReason: reason }),
  } as StackEvent;
}

/** Each poll reveals the next batch of events (newest first, as AWS pages them) and a stack status. */
function scriptedCloudFormation(
  steps: { events: StackEvent[]; status: string; reason?: string }[],
): CloudFormationClient {
  let step = 0;
  let revealed: StackEvent[] = [];
  return {
    send: (command: { constructor: { name: string } }) => {
      const current = steps[Math.min(step, steps.length - 1)];
      if (current === undefined) throw new Error('no steps');
      switch (command.constructor.name) {
        case 'DescribeStackEventsCommand':
          revealed = [...current.events].reverse().concat(revealed);
          return Promise.resolve({ StackEvents: revealed });
        case 'DescribeStacksCommand':
          step++;
          return Promise.resolve({
            Stacks: [
              {
                StackName: STACK,
                StackId: STACK_ID,
                StackStatus: current.status,
                StackStatusReason: current.reason,
                CreationTime: new Date(),
              },
            ],
          });
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    },
  } as unknown as CloudFormationClient;
}

async function failure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`);
  return error;
}

describe('watchStack', () => {
  it('turns each stack event into one progress event, with the time each resource took', async () => {
    // given a create that takes two polls
    const cloudformation = scriptedCloudFormation([
      {
        status: 'CREATE_IN_PROGRESS',
        events: [
          event('1', STACK, 'CREATE_IN_PROGRESS', 'AWS::CloudFormation::Stack', 'User Initiated'),
          event(
            '2',
            'LoadBalancer',
            'CREATE_IN_PROGRESS',
            'AWS::ElasticLoadBalancingV2::LoadBalancer',
            undefined,
            1,
          ),
        ],
      },
      {
        status: 'CREATE_COMPLETE',
        events: [
          event(
            '3',
            'LoadBalancer',
            'CREATE_COMPLETE',
            'AWS::ElasticLoadBalancingV2::LoadBalancer',
            undefined,
            154,
          ),
          event('4', STACK, 'CREATE_COMPLETE', 'AWS::CloudFormation::Stack', undefined, 2),
        ],
      },
    ]);
    const seen: ProgressEvent[] = [];

    // when
    const outcome = await watchStack({
      cloudformation,
      stackId: STACK_ID,
      stackName: STACK,
      operation: 'create',
      sinceEventId: undefined,
      phase: 'stack',
      onEvent: (e) => seen.push(e),
      pollIntervalMs: 1,
      env: 'dev',
    });

    // then
    expect(outcome.status).toBe('CREATE_COMPLETE');
    expect(seen).toEqual([
      { type: 'progress', phase: 'stack', item: STACK, status: 'CREATE_IN_PROGRESS' },
      { type: 'progress', phase: 'stack', item: 'LoadBalancer', status: 'CREATE_IN_PROGRESS' },
      { type: 'progress', phase: 'stack', item: 'LoadBalancer', status: 'CREATE_COMPLETE (154s)' },
      { type: 'progress', phase: 'stack', item: STACK, status: 'CREATE_COMPLETE (157s)' },
    ]);
  });

  it('fails with the resource that failed first and its reason, not with the knock-on cancellations', async () => {
    // given a create where the Traefik service fails and CloudFormation cancels the rest and rolls back
    const cloudformation = scriptedCloudFormation([
      {
        status: 'ROLLBACK_COMPLETE',
        reason: 'The following resource(s) failed to create: [TraefikService, WildcardRecord].',
        events: [
          event('1', STACK, 'CREATE_IN_PROGRESS', 'AWS::CloudFormation::Stack', 'User Initiated'),
          event('2', 'TraefikService', 'CREATE_IN_PROGRESS', 'AWS::ECS::Service'),
          event('3', 'WildcardRecord', 'CREATE_IN_PROGRESS', 'AWS::Route53::RecordSet'),
          event(
            '4',
            'TraefikService',
            'CREATE_FAILED',
            'AWS::ECS::Service',
            'Resource handler returned message: "Invalid request provided: CreateService error: Unable to assume the service linked role." (RequestToken: abc, HandlerErrorCode: InvalidRequest)',
            30,
          ),
          event(
            '5',
            'WildcardRecord',
            'CREATE_FAILED',
            'AWS::Route53::RecordSet',
            'Resource creation cancelled',
          ),
          event(
            '6',
            STACK,
            'ROLLBACK_IN_PROGRESS',
            'AWS::CloudFormation::Stack',
            'The following resource(s) failed to create: [TraefikService, WildcardRecord].',
          ),
          event('7', STACK, 'ROLLBACK_COMPLETE', 'AWS::CloudFormation::Stack'),
        ],
      },
    ]);
    const seen: ProgressEvent[] = [];

    // when
    const error = await failure(
      watchStack({
        cloudformation,
        stackId: STACK_ID,
        stackName: STACK,
        operation: 'create',
        sinceEventId: undefined,
        phase: 'stack',
        onEvent: (e) => seen.push(e),
        pollIntervalMs: 1,
        env: 'dev',
      }),
    );

    // then the error names the service and its reason; exit 1
    expect(error.message).toBe(
      `Couldn't create the stack ${STACK}: TraefikService (AWS::ECS::Service) CREATE_FAILED: Resource handler returned message: "Invalid request provided: CreateService error: Unable to assume the service linked role." (RequestToken: abc, HandlerErrorCode: InvalidRequest).`,
    );
    expect(error.exitCode).toBe(1);
    expect(error.suggestions).toEqual([
      'CloudFormation rolled the stack back; it is ROLLBACK_COMPLETE.',
      'Fix the cause, then run `traefikctl cluster up --env dev` again (it replaces the rolled-back stack).',
    ]);
    // and every failure was shown as it happened
    expect(seen).toContainEqual({
      type: 'progress',
      phase: 'stack',
      item: 'WildcardRecord',
      status: 'CREATE_FAILED (30s): Resource creation cancelled',
    });
  });

  it('only reports the events of this operation', async () => {
    // given an update of a stack whose history holds an older update
    const cloudformation = scriptedCloudFormation([
      {
        status: 'UPDATE_COMPLETE',
        events: [
          event('old-1', STACK, 'UPDATE_IN_PROGRESS', 'AWS::CloudFormation::Stack', 'User Initiated'),
          event('old-2', STACK, 'UPDATE_COMPLETE', 'AWS::CloudFormation::Stack'),
          event('new-1', STACK, 'UPDATE_IN_PROGRESS', 'AWS::CloudFormation::Stack', 'User Initiated'),
          event('new-2', STACK, 'UPDATE_COMPLETE', 'AWS::CloudFormation::Stack', undefined, 3),
        ],
      },
    ]);
    const seen: ProgressEvent[] = [];
    await watchStack({
      cloudformation,
      stackId: STACK_ID,
      stackName: STACK,
      operation: 'update',
      sinceEventId: 'old-2',
      phase: 'stack',
      onEvent: (e) => seen.push(e),
      pollIntervalMs: 1,
      env: 'dev',
    });
    expect(seen.map((e) => (e.type === 'progress' ? e.status : ''))).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE (3s)',
    ]);
  });

  it('reports an update that was rolled back as a failure', async () => {
    const cloudformation = scriptedCloudFormation([
      {
        status: 'UPDATE_ROLLBACK_COMPLETE',
        events: [
          event(
            '1',
            'TraefikTaskDefinition',
            'UPDATE_FAILED',
            'AWS::ECS::TaskDefinition',
            'Invalid setting for container memory.',
          ),
        ],
      },
    ]);
    const error = await failure(
      watchStack({
        cloudformation,
        stackId: STACK_ID,
        stackName: STACK,
        operation: 'update',
        sinceEventId: undefined,
        phase: 'stack',
        pollIntervalMs: 1,
        env: 'dev',
      }),
    );
    expect(error.message).toBe(
      `Couldn't update the stack ${STACK}: TraefikTaskDefinition (AWS::ECS::TaskDefinition) UPDATE_FAILED: Invalid setting for container memory.`,
    );
  });

  it('stops waiting at the deadline with exit 4, saying CloudFormation carries on', async () => {
    const cloudformation = scriptedCloudFormation([{ status: 'CREATE_IN_PROGRESS', events: [] }]);
    const error = await failure(
      watchStack({
        cloudformation,
        stackId: STACK_ID,
        stackName: STACK,
        operation: 'create',
        sinceEventId: undefined,
        phase: 'stack',
        pollIntervalMs: 1,
        timeoutMs: 5,
        env: 'dev',
      }),
    );
    expect(error.exitCode).toBe(4);
    expect(error.message).toBe(`The stack ${STACK} is still CREATE_IN_PROGRESS; traefikctl stopped waiting.`);
  });
});

describe('failureCause', () => {
  it('falls back to the stack event when no resource failed', () => {
    const cause = failureCause(
      [
        event(
          '1',
          STACK,
          'UPDATE_FAILED',
          'AWS::CloudFormation::Stack',
          'Stack is in UPDATE_ROLLBACK_FAILED state',
        ),
      ],
      STACK,
    );
    expect(cause).toEqual({
      logicalId: STACK,
      resourceType: 'AWS::CloudFormation::Stack',
      status: 'UPDATE_FAILED',
      reason: 'Stack is in UPDATE_ROLLBACK_FAILED state',
    });
  });

  it('is undefined when nothing failed', () => {
    expect(
      failureCause([event('1', 'Cluster', 'CREATE_COMPLETE', 'AWS::ECS::Cluster')], STACK),
    ).toBeUndefined();
  });
});

describe('progressOf', () => {
  it('leaves out the reason "User Initiated", which every operation starts with', () => {
    const started = new Map<string, Date>();
    expect(
      progressOf(
        event('1', STACK, 'DELETE_IN_PROGRESS', 'AWS::CloudFormation::Stack', 'User Initiated'),
        'stack',
        started,
      ),
    ).toEqual({
      type: 'progress',
      phase: 'stack',
      item: STACK,
      status: 'DELETE_IN_PROGRESS',
    });
  });
});
