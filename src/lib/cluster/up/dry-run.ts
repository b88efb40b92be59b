import type { Parameter } from '@aws-sdk/client-cloudformation';

import { withPhase } from '../../events.js';
import { computeChangeSet, discardChangeSet, type PlannedChange } from '../change-set.js';
import type { UpRun } from './context.js';

/** `cluster up --dry-run`: CloudFormation's change set, computed and discarded; nothing changes. */
export function planChanges(
  run: UpRun,
  request: { templateBody: string; parameters: Parameter[]; tags: { Key: string; Value: string }[] },
): Promise<PlannedChange[]> {
  const { stackName, options } = run;
  const type = run.existing === undefined ? 'CREATE' : 'UPDATE';
  // A dry run must not touch a stack that is there to be replaced: plan a creation elsewhere.
  const planName = run.replace ? `${stackName}-plan` : stackName;
  return withPhase(
    run.emit,
    { id: 'stack', title: `Plan the changes to ${stackName}` },
    async (setDetail) => {
      run.progress.stack = 'planning-dry-run';
      const planned = await computeChangeSet({
        cloudformation: run.cloudformation,
        stackName: planName,
        type,
        ...request,
        ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      });
      await discardChangeSet(run.cloudformation, planName, planned, type);
      setDetail(`${planned.changes?.length ?? 0} resource changes`);
      return planned.changes ?? [];
    },
  );
}
