import { withPhase } from '../../events.js';
import { changedParameters, type ClusterParameters } from '../template.js';
import { PHASES, type UpRun } from './context.js';
import { currentTemplate } from './stack.js';

/** The step that compares what the stack should be with what it is: changed parameters, template. */
export function compareWithStack(
  run: UpRun,
  desired: ClusterParameters,
  templateBody: string,
): Promise<{ changed: string[]; templateChanged: boolean }> {
  const { existing, stackName, found } = run;
  return withPhase(run.emit, PHASES.plan, async (setDetail) => {
    if (existing === undefined) {
      setDetail(
        run.replace
          ? `${stackName} is ${found?.StackStatus}: it will be replaced`
          : `${stackName} doesn't exist yet`,
      );
      return { changed: [] as string[], templateChanged: true };
    }
    const current = await currentTemplate(run.cloudformation, stackName);
    const changed = changedParameters(desired, existing.Parameters ?? []);
    const templateChanged = current !== templateBody;
    setDetail(describeDifference(changed, templateChanged));
    return { changed, templateChanged };
  });
}

function describeDifference(changed: readonly string[], templateChanged: boolean): string {
  const parts = [
    ...(templateChanged ? ['the template'] : []),
    ...changed.map((key) => (key === 'ApiPasswordHash' ? 'the API password' : key)),
  ];
  return parts.length === 0 ? 'no changes' : `changes: ${parts.join(', ')}`;
}
