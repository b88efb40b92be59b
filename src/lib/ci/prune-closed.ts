/**
 * `app prune --closed`: of the deployments the other criteria select (all of them when --closed is
 * the only one), those whose pull request is closed or whose branch is gone, asked of GitHub. Unlike
 * the rest of the CI surfaces this is the command's own question, so GitHub's refusals fail it
 * (nothing is removed) instead of warning.
 */
import type { PruneCriteria, PrunePlan, PruneTarget } from '../app/prune.js';
import { UserError, usageError } from '../errors.js';
import { closedDeployments } from './closed.js';
import { gitHubRun, gitHubToken, type Repository } from './detect.js';
import { gitHubClient, gitHubErrorText, GitHubPermissionError } from './github-api.js';

export interface ClosedAccess {
  token: string;
  apiUrl: string;
  repository: Repository;
}

/** Checked before anything is read: --closed needs a token and the repository (exit 2 otherwise). */
export function checkClosedAccess(env: NodeJS.ProcessEnv, tokenEnv: string | undefined): ClosedAccess {
  const token = gitHubToken(env, tokenEnv);
  const run = gitHubRun(env);
  if (token === undefined || run.repository === undefined)
    throw usageError(
      '--closed asks GitHub which pull requests are closed, and needs a token and the repository.',
      [
        'Run it in GitHub Actions with GITHUB_TOKEN set (env: GITHUB_TOKEN: ${{ github.token }}), or set GITHUB_TOKEN and GITHUB_REPOSITORY=owner/name.',
      ],
      'PRUNE_CLOSED_NO_GITHUB',
    );
  return { token, apiUrl: run.apiUrl, repository: run.repository };
}

/** --closed alone selects among every deployment: "not among the 0 newest" is all of them. */
export function criteriaForClosed(criteria: PruneCriteria): PruneCriteria {
  const none = criteria.olderThan === undefined && criteria.keep === undefined && !criteria.expired;
  return none ? { ...criteria, keep: 0 } : criteria;
}

/** The plan narrowed to closed PRs and gone branches, each with GitHub's reason. */
export async function narrowToClosed(
  plan: PrunePlan,
  asked: PruneCriteria,
  access: ClosedAccess,
): Promise<PrunePlan & { criteria: PruneCriteria & { closed: true } }> {
  const client = await gitHubClient({ token: access.token, baseUrl: access.apiUrl });
  const onlyClosed = criteriaForClosed(asked) !== asked;
  let verdicts;
  try {
    verdicts = await closedDeployments(
      client,
      access.repository,
      plan.targets.map((target) => ({ app: target.deployment.app, tag: target.deployment.tag, target })),
    );
  } catch (error) {
    if (error instanceof GitHubPermissionError)
      throw new UserError(
        `Can't tell which pull requests are closed: the token lacks the \`${error.permission}\` permission (GitHub answered ${error.status}). Nothing was removed.`,
        {
          suggestions: [`Grant it to the job: \`permissions: { ${error.permission} }\`.`],
          code: 'GITHUB_PERMISSION',
        },
      );
    throw new UserError(
      `Can't tell which pull requests are closed: ${gitHubErrorText(error)}. Nothing was removed.`,
      {
        code: 'GITHUB_API',
      },
    );
  }
  const targets: PruneTarget[] = verdicts.map(({ candidate, reason }) => ({
    ...candidate.target,
    reasons: onlyClosed ? [reason] : [...candidate.target.reasons, reason],
  }));
  return {
    ...plan,
    criteria: { ...asked, closed: true },
    targets,
    kept: plan.kept + plan.targets.length - targets.length,
  };
}
