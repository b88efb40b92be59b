// What a CI observer is and takes (session.ts opens the one for the CI we run in): apart from the
// opener, so that the GitHub and GitLab observers, which it loads, don't import it back.
import type { DeployResult } from '../model.js';
import type { DestroyedDeployment } from '../app/destroy.js';
import type { PruneResult } from '../app/prune.js';
import type { AppUrlsResult } from '../app/urls.js';
import type { GlobalOptions, ResolvedContext } from '../config/resolve.js';
import type { EventSink } from '../events.js';
import type { CommandStream } from './github.js';

export interface CiContext {
  cwd: string;
  global: GlobalOptions;
  /** The env's configuration when the command has opened it already; read from `cwd` and `global` otherwise. */
  configuration?: ResolvedContext | undefined;
  /** Where workflow commands and log sections go: stderr (stdout carries results only). */
  stream?: CommandStream | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /**
   * `docker`: a local deploy (src/lib/local). Outputs, summaries and log groups as on ECS, but no GitHub
   * deployment or PR comment: its URL is on the runner's loopback, which nobody else can open.
   */
  target?: 'ecs' | 'docker' | undefined;
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

/** Outside CI, and what an observer does for the results it doesn't show. */
export const noCiObserver: CiObserver = {
  sink: (inner) => inner,
  deployStarting: () => Promise.resolve(),
  deployFinished: () => Promise.resolve(),
  deployFailed: () => Promise.resolve(),
  destroyed: () => Promise.resolve(),
  pruned: () => Promise.resolve(),
  listed: () => Promise.resolve(),
};
