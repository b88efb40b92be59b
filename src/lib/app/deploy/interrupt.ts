import { ExitCode, UserError } from '../../errors.js';
import type { Progress } from './context.js';
import { commandFor, type DeploySpec } from './request.js';

/**
 * The report of a deploy that stopped before its end (Ctrl-C, exit 130; or its --timeout while a
 * step other than a wait ran, exit 4): what was changed, what may or may not have been, and how to
 * go on or roll back.
 */

/** How a deploy stopped before its end: Ctrl-C, or its --timeout while a step other than a wait ran. */
export type Stop = { interrupted: true } | { interrupted: false; timeoutText: string };

/** A change that may or may not have happened, and how to find out. */
function changeInFlight(
  target: DeploySpec,
  progress: Progress,
): { what: string; outcome: string; suggestions: string[] } | undefined {
  const name = target.names.serviceName;
  const check = `See what is there: \`aws ecs describe-services --cluster ${progress.cluster ?? target.context.cluster} --services ${name}\`.`;
  const again = `Deploy again to finish (it picks up what is there): \`${commandFor('app deploy', target)}\`.`;
  switch (progress.sending) {
    case undefined:
      return undefined;
    case 'register':
      return {
        what: `registering a task definition for ${name}`,
        outcome: 'a new revision may exist now; the service was not changed.',
        suggestions: [`Deploy again with \`${commandFor('app deploy', target)}\`.`],
      };
    case 'create':
      return {
        what: `ECS was creating the service ${name}`,
        outcome: 'the request was sent, so the service may exist now.',
        suggestions: [check, again, `Or remove it: \`${commandFor('app destroy', target)}\`.`],
      };
    case 'update':
      return {
        what: `ECS was updating the service ${name}${progress.taskDefinitionArn ? ` to ${progress.taskDefinitionArn.split('/').pop() ?? ''}` : ''}`,
        outcome: 'the request was sent, so the update may have happened.',
        suggestions: [
          check,
          again,
          ...(progress.previousTaskDefinition === undefined || progress.cluster === undefined
            ? []
            : [
                `Or roll back: \`aws ecs update-service --cluster ${progress.cluster} --service ${name} --task-definition ${progress.previousTaskDefinition}\`.`,
              ]),
        ],
      };
  }
}

export function stoppedError(target: DeploySpec, progress: Progress, stop: Stop): UserError {
  const name = target.names.serviceName;
  const stopped = stop.interrupted ? 'Stopped' : `Gave up after the --timeout of ${stop.timeoutText}`;
  const suggestions: string[] = [];
  let message: string;
  const inFlight = changeInFlight(target, progress);
  if (inFlight !== undefined) {
    message = `${stopped} while ${inFlight.what}: ${inFlight.outcome}`;
    suggestions.push(...inFlight.suggestions);
  } else if (progress.applied === undefined) {
    message = progress.renewing
      ? `${stopped} while renewing the tags of ${name} (deployed-at, expires-at): some may be renewed, nothing else was changed.`
      : progress.taskDefinitionArn
        ? `${stopped} after registering ${progress.taskDefinitionArn.split('/').pop() ?? 'the task definition'}; the service ${name} was not changed.`
        : `${stopped} before changing anything.`;
    suggestions.push(`Deploy again with \`${commandFor('app deploy', target)}\`.`);
  } else {
    const watching = stop.interrupted
      ? `Stopped watching ${name}`
      : `Gave up watching ${name} after the --timeout of ${stop.timeoutText}`;
    message = `${watching}: ${progress.deploymentId ? `the deployment ${progress.deploymentId}` : 'the deployment'} goes on in ECS.`;
    suggestions.push(
      `Watch it again (it picks up the same deployment): \`${commandFor('app deploy', target)}\`.`,
    );
    if (progress.applied === 'created') {
      suggestions.push(`Or remove it: \`${commandFor('app destroy', target)}\`.`);
    } else if (progress.previousTaskDefinition !== undefined && progress.cluster !== undefined) {
      suggestions.push(
        `Or roll back: \`aws ecs update-service --cluster ${progress.cluster} --service ${name} --task-definition ${progress.previousTaskDefinition}\`.`,
      );
    }
  }
  if (!stop.interrupted) suggestions.push('Or give it longer next time: --timeout 20m.');
  return stop.interrupted
    ? new UserError(message, { suggestions, exitCode: ExitCode.Interrupted, code: 'INTERRUPTED' })
    : new UserError(message, { suggestions, exitCode: ExitCode.TimedOut, code: 'DEPLOY_TIMED_OUT' });
}
