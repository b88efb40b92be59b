/**
 * For `app prune --closed`: which deployments belong to a pull request that is closed, or to a branch
 * that is gone. A tag `pr-<n>` (or a recorded PR number) is looked up as PR n; any other tag is taken
 * as a branch name. Tags that are neither (a SHA, a version) are never selected.
 */
import type { Repository } from './detect.js';
import { asPermissionError, statusOf, type GitHubClient } from './github-api.js';

export interface ClosedCandidate {
  app: string;
  tag: string;
  /** A PR number recorded for the deployment, when known. */
  pullRequest?: number | undefined;
}

export interface ClosedVerdict<T extends ClosedCandidate> {
  candidate: T;
  reason: string;
}

/** `pr-7`, `PR-7`, `pr/7`, `pull-7` -> 7. */
export function pullRequestOfTag(tag: string): number | undefined {
  const match = /^(?:pr|pull)[-/_]?(\d{1,9})$/i.exec(tag);
  return match === null ? undefined : Number(match[1]);
}

const VERSION_OR_SHA = /^(v?\d+(\.\d+)*([-+.][0-9A-Za-z.-]+)?|[0-9a-f]{7,40})$/;

export async function closedDeployments<T extends ClosedCandidate>(
  client: GitHubClient,
  repo: Repository,
  candidates: readonly T[],
): Promise<ClosedVerdict<T>[]> {
  const verdicts: ClosedVerdict<T>[] = [];
  const prs = new Map<number, Promise<string | undefined>>();
  const branches = new Map<string, Promise<boolean>>();
  const prState = (number: number) => {
    let known = prs.get(number);
    if (known === undefined) {
      known = client
        .request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...repo, pull_number: number })
        .then(({ data }) => (data.state === 'closed' ? (data.merged_at ? 'merged' : 'closed') : undefined))
        .catch((error: unknown) => {
          if (statusOf(error) === 404) return 'not found';
          throw asPermissionError(error, 'pull-requests: read');
        });
      prs.set(number, known);
    }
    return known;
  };
  const branchGone = (branch: string) => {
    let known = branches.get(branch);
    if (known === undefined) {
      known = client
        .request('GET /repos/{owner}/{repo}/branches/{branch}', { ...repo, branch })
        .then(() => false)
        .catch((error: unknown) => {
          if (statusOf(error) === 404) return true;
          throw asPermissionError(error, 'contents: read');
        });
      branches.set(branch, known);
    }
    return known;
  };
  for (const candidate of candidates) {
    const number = candidate.pullRequest ?? pullRequestOfTag(candidate.tag);
    if (number !== undefined) {
      const state = await prState(number);
      if (state !== undefined) verdicts.push({ candidate, reason: `pull request #${number} is ${state}` });
    } else if (!VERSION_OR_SHA.test(candidate.tag) && (await branchGone(candidate.tag))) {
      verdicts.push({ candidate, reason: `branch ${candidate.tag} is gone` });
    }
  }
  return verdicts;
}
