/**
 * The CI observer that commands call after (and around) their library call: it consumes the command's
 * events and its result, and turns them into what the CI shows (outputs, summaries, annotations,
 * GitHub deployments, the PR comment, GitLab's dotenv report). Outside CI it does nothing and loads
 * nothing. It never fails the command: whatever CI can't show becomes one warning.
 */
import type { DeployResult } from '../model.js';
import type { DestroyedDeployment } from '../app/destroy.js';
import type { PruneResult } from '../app/prune.js';
import type { AppUrlsResult } from '../app/urls.js';
import type { GlobalOptions } from '../config/resolve.js';
import type { EventSink } from '../events.js';
import { detectCi, gitHubToken } from './detect.js';
import type { CommandStream } from './github.js';

export interface CiFlags {
  /** `--github-token-env`: the variable holding the token, instead of GITHUB_TOKEN. */
  githubTokenEnv?: string | undefined;
  /** `--no-pr-comment` makes this false. */
  prComment?: boolean | undefined;
  /** `--dotenv` / TRAEFIKCTL_DOTENV: GitLab's dotenv report. */
  dotenv?: string | undefined;
}

export interface CiContext {
  cwd: string;
  global: GlobalOptions;
  /** Where workflow commands and log sections go: stderr (stdout carries results only). */
  stream?: CommandStream | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** For tests: GitHub client options (shorter retries). */
  github?:
    | { retries?: number; rateLimitRetries?: number; retryAfterBaseValue?: number; timeoutMs?: number }
    | undefined;
}

export interface DeployRequestInfo {
  app: string | undefined;
  tag: string;
}

export interface CiObserver {
  /** Wraps a command's progress sink: groups or sections per phase, annotations for warnings. */
  sink(inner: EventSink): EventSink;
  deployStarting(request: DeployRequestInfo): Promise<void>;
  deployFinished(result: DeployResult): Promise<void>;
  deployFailed(request: DeployRequestInfo, error: unknown): Promise<void>;
  destroyed(
    result: DestroyedDeployment | undefined,
    asked: { app: string; tag: string; env: string },
  ): Promise<void>;
  pruned(result: PruneResult): Promise<void>;
  listed(result: AppUrlsResult): Promise<void>;
}

const NOTHING: CiObserver = {
  sink: (inner) => inner,
  deployStarting: () => Promise.resolve(),
  deployFinished: () => Promise.resolve(),
  deployFailed: () => Promise.resolve(),
  destroyed: () => Promise.resolve(),
  pruned: () => Promise.resolve(),
  listed: () => Promise.resolve(),
};

/**
 * The observer for the CI we run in. `--github-token-env` naming an unset variable is bad input
 * (exit 2) before anything changes; everything else about CI only ever warns.
 */
export async function openCi(flags: CiFlags, context: CiContext): Promise<CiObserver> {
  const env = context.env ?? process.env;
  const stream = context.stream ?? process.stderr;
  switch (detectCi(env)) {
    case 'github': {
      const token = gitHubToken(env, flags.githubTokenEnv);
      const { gitHubObserver } = await import('./github-observer.js');
      return gitHubObserver({ ...context, env, stream, token, prComment: flags.prComment !== false });
    }
    case 'gitlab': {
      const { gitLabObserver } = await import('./gitlab-observer.js');
      return gitLabObserver({ ...context, env, stream, dotenv: flags.dotenv });
    }
    case undefined:
      return NOTHING;
  }
}

export { NOTHING as noCiObserver };
