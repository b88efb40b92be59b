import type { Parameter, Stack } from '@aws-sdk/client-cloudformation';

import { ExitCode, UserError, usageError } from '../../errors.js';
import { withPhase } from '../../events.js';
import {
  computeChangeSet,
  destructiveChanges,
  discardChangeSet,
  executeChangeSet,
  type PlannedChange,
} from '../change-set.js';
import { newestEventId, watchStack } from '../stack-events.js';
import { PHASES, type UpRun } from './context.js';
import { stackWatch } from './create.js';

/**
 * The update step: a change set, confirmed by the user (or --yes) when it replaces or removes
 * resources, executed and watched.
 */
export function updateClusterStack(
  run: UpRun,
  existing: Stack,
  request: { templateBody: string; parameters: Parameter[]; tags: { Key: string; Value: string }[] },
): Promise<{ action: 'updated' | 'unchanged'; stack: Stack | undefined; changes: PlannedChange[] }> {
  const { stackName, env, options, progress, cloudformation } = run;
  const stackId = existing.StackId ?? stackName;
  return withPhase(run.emit, { ...PHASES.stack, title: `Update ${stackName}` }, async (setDetail) => {
    progress.stack = 'planning-update';
    const planned = await computeChangeSet({
      cloudformation,
      stackName,
      type: 'UPDATE',
      ...request,
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    });
    if (planned.changes === undefined) {
      setDetail('CloudFormation found nothing to change');
      return { action: 'unchanged' as const, stack: existing, changes: [] };
    }
    const destructive = destructiveChanges(planned.changes);
    if (destructive.length > 0 && !options.yes) {
      const list = destructive
        .map(
          (c) => `${c.logicalId} (${c.resourceType}) ${c.action === 'Remove' ? 'is removed' : 'is replaced'}`,
        )
        .join('; ');
      const approved = options.confirm
        ? await options.confirm(`This update loses resources: ${list}. Apply it?`)
        : false;
      if (!approved) {
        await discardChangeSet(cloudformation, stackName, planned, 'UPDATE');
        if (options.confirm) {
          throw new UserError(`The stack ${stackName} was left as it is.`, {
            exitCode: ExitCode.Failure,
            code: 'UPDATE_DECLINED',
          });
        }
        throw usageError(
          `The update of ${stackName} replaces or removes resources (${list}), and that needs a confirmation.`,
          [`Review it with \`traefikctl cluster up --env ${env} --dry-run\`, then pass --yes to apply it.`],
          'CONFIRMATION_REQUIRED',
        );
      }
    }
    const since = await newestEventId(cloudformation, stackId);
    progress.stack = 'update-sent';
    await executeChangeSet(cloudformation, stackName, planned, `traefikctl cluster status --env ${env}`);
    progress.stack = 'updating';
    const outcome = await watchStack({
      ...stackWatch(run),
      stackId,
      operation: 'update',
      sinceEventId: since,
    });
    return { action: 'updated' as const, stack: outcome.stack, changes: planned.changes };
  });
}
