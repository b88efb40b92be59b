import { ExitCode, UserError } from '../../errors.js';
import type { UpProgress } from './context.js';

/**
 * The report of a `cluster up` stopped by Ctrl-C (exit 130): what this run may have left (a stack
 * being created or updated, a stored password), and how to resume or remove it.
 */
export function interruptedError(progress: UpProgress, env: string, stackName: string): UserError {
  const status = `\`traefikctl cluster status --env ${env}\``;
  const up = `\`traefikctl cluster up --env ${env}\``;
  const parameter = progress.passwordParameter ?? '';
  const passwordNote =
    progress.password === 'stored'
      ? ` This run stored the Traefik API password in SSM ${parameter}.`
      : progress.password === 'storing'
        ? ` The Traefik API password may have been stored in SSM ${parameter}.`
        : '';
  const removal = progress.existed
    ? []
    : [
        `Or remove what was made (the stack and the password): \`traefikctl cluster down --env ${env} --yes\`.`,
      ];
  const stackMessages: Record<NonNullable<UpProgress['stack']>, string> = {
    'planning-dry-run': `Stopped while planning the changes to ${stackName}: nothing was changed (a change set that was never executed may be left; the next run replaces it).`,
    'deleting-failed': `Stopped while CloudFormation deletes the failed stack ${stackName}: it goes on deleting it; no new stack was created yet.`,
    'create-sent': `Stopped while CloudFormation was asked to create the stack ${stackName}: the request was sent, so the stack may exist, and CloudFormation goes on creating it.`,
    creating: `Stopped watching the creation of the stack ${stackName}: CloudFormation goes on creating it.`,
    'planning-update': `Stopped while planning the update of ${stackName}: the stack was not changed (a change set that was never executed may be left on it).`,
    'update-sent': `Stopped while CloudFormation was asked to update the stack ${stackName}: the request was sent, so the update may have started, and goes on if it did.`,
    updating: `Stopped watching the update of the stack ${stackName}: CloudFormation goes on with it (and rolls it back if it fails).`,
  };
  const suggestions: string[] = [];
  let message: string;
  if (progress.stack !== undefined) {
    message = `${stackMessages[progress.stack]}${passwordNote}`;
    suggestions.push(`See where it is: ${status}.`);
    if (progress.stack === 'planning-dry-run') {
      suggestions.push(`Run \`traefikctl cluster up --env ${env} --dry-run\` again.`);
    } else if (progress.stack === 'planning-update') {
      suggestions.push(`Run ${up} again to update it.`);
    } else {
      suggestions.push(`Resume: run ${up} again once CloudFormation is done (it keeps the stored password).`);
      if (progress.stack === 'update-sent' || progress.stack === 'updating')
        suggestions.push(
          `Or cancel the update: \`aws cloudformation cancel-update-stack --stack-name ${stackName}\`.`,
        );
      else suggestions.push(...removal);
    }
  } else if (progress.password !== undefined) {
    message =
      progress.password === 'stored'
        ? `Stopped after storing the Traefik API password in SSM ${parameter}; the stack ${stackName} was not changed.`
        : `Stopped while the Traefik API password was being stored in SSM ${parameter} (it may be stored now); the stack ${stackName} was not changed.`;
    suggestions.push(`Resume: run ${up} again (it uses the stored password).`);
    if (!progress.existed)
      suggestions.push(`Or remove the password: \`traefikctl cluster down --env ${env} --yes\`.`);
  } else {
    message = 'Stopped before changing anything.';
    suggestions.push(`Run ${up} again.`);
  }
  return new UserError(message, { suggestions, exitCode: ExitCode.Interrupted, code: 'INTERRUPTED' });
}
