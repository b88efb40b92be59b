/**
 * The CI observer that commands call after (and around) their library call: it consumes the command's
 * events and its result, and turns them into what the CI shows (outputs, summaries, annotations,
 * GitHub deployments, the PR comment, GitLab's dotenv report). Outside CI it does nothing and loads
 * nothing. It never fails the command: whatever CI can't show becomes one warning.
 */
import { detectCi, gitHubToken } from './detect.js';
import { noCiObserver, type CiContext, type CiObserver } from './observer.js';

export type { CiContext, CiObserver, DeployRequestInfo } from './observer.js';

export interface CiFlags {
  /** `--github-token-env`: the variable holding the token, instead of GITHUB_TOKEN. */
  githubTokenEnv?: string | undefined;
  /** `--no-pr-comment` makes this false. */
  prComment?: boolean | undefined;
  /** `--dotenv` / TRAEFIKCTL_DOTENV: GitLab's dotenv report. */
  dotenv?: string | undefined;
}

/**
 * The observer for the CI we run in. `--github-token-env` naming an unset variable is bad input
 * (exit 2) before anything changes; everything else about CI only ever warns.
 */
export async function openCi(flags: CiFlags, context: CiContext): Promise<CiObserver> {
  const env = context.env ?? process.env;
  const stream = context.stream ?? process.stderr;
  switch (detectCi(env)) {
    case 'github': {
      // A local deploy's URL is on the runner's loopback: no token, so no GitHub deployment or PR comment.
      const token = context.target === 'docker' ? undefined : gitHubToken(env, flags.githubTokenEnv);
      const { gitHubObserver } = await import('./github-observer.js');
      return gitHubObserver({ ...context, env, stream, token, prComment: flags.prComment !== false });
    }
    case 'gitlab': {
      const { gitLabObserver } = await import('./gitlab-observer.js');
      return gitLabObserver({ ...context, env, stream, dotenv: flags.dotenv });
    }
    case undefined:
      return noCiObserver;
  }
}
