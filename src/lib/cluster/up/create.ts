import type { Parameter, Stack } from '@aws-sdk/client-cloudformation';

import { withPhase } from '../../events.js';
import { deleteStack, watchStack } from '../stack-events.js';
import { PHASES, type UpRun } from './context.js';
import { createStack } from './stack.js';

/** How the stack's events are watched: the same for every operation of a run. */
export function stackWatch(run: UpRun) {
  const { options } = run;
  return {
    cloudformation: run.cloudformation,
    stackName: run.stackName,
    phase: PHASES.stack.id,
    onEvent: run.emit,
    env: run.env,
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };
}

/** The create step: the failed stack it replaces deleted first, then the stack created and watched. */
export async function createClusterStack(
  run: UpRun,
  request: { templateBody: string; parameters: Parameter[]; tags: { Key: string; Value: string }[] },
): Promise<Stack | undefined> {
  const { stackName, env, progress, found, emit } = run;
  const watch = stackWatch(run);
  if (run.replace && found?.StackId !== undefined) {
    const failedId = found.StackId;
    await withPhase(emit, PHASES.cleanup, async () => {
      progress.stack = 'deleting-failed';
      await deleteStack(run.cloudformation, failedId, stackName, `traefikctl cluster status --env ${env}`);
      await watchStack({
        ...watch,
        stackId: failedId,
        operation: 'delete',
        sinceEventId: undefined,
        phase: PHASES.cleanup.id,
      });
    });
  }
  return withPhase(emit, { ...PHASES.stack, title: `Create ${stackName}` }, async () => {
    progress.stack = 'create-sent';
    const stackId = await createStack(run.cloudformation, { stackName, ...request });
    progress.stack = 'creating';
    const outcome = await watchStack({ ...watch, stackId, operation: 'create', sinceEventId: undefined });
    return outcome.stack;
  });
}
