/**
 * Which CI runs us, and what it tells a step through its environment. Pure and dependency-free: the
 * toolkit and the GitHub client load only once this says they are needed (`--help` and `--version`
 * never get here).
 */
import { readFile } from 'node:fs/promises';

import { usageError } from '../errors.js';

export type CiKind = 'github' | 'gitlab';

/** GitHub Actions sets GITHUB_ACTIONS=true, GitLab CI sets GITLAB_CI=true; nothing to configure. */
export function detectCi(env: NodeJS.ProcessEnv = process.env): CiKind | undefined {
  if (env.GITHUB_ACTIONS === 'true') return 'github';
  if (env.GITLAB_CI === 'true') return 'gitlab';
  return undefined;
}

export interface Repository {
  owner: string;
  repo: string;
}

/** What a GitHub Actions step knows about its run, from the variables the runner sets. */
export interface GitHubRun {
  repository: Repository | undefined;
  /** https://github.com, or a GitHub Enterprise Server. */
  serverUrl: string;
  /** https://api.github.com, or GHES's /api/v3. */
  apiUrl: string;
  runId: string | undefined;
  sha: string | undefined;
  eventName: string | undefined;
  eventPath: string | undefined;
}

export function gitHubRun(env: NodeJS.ProcessEnv = process.env): GitHubRun {
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/');
  return {
    repository: owner && repo && rest.length === 0 ? { owner, repo } : undefined,
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    runId: env.GITHUB_RUN_ID || undefined,
    sha: env.GITHUB_SHA || undefined,
    eventName: env.GITHUB_EVENT_NAME || undefined,
    eventPath: env.GITHUB_EVENT_PATH || undefined,
  };
}

/** The run's page: where a failed deployment's log is. */
export function runUrl(run: GitHubRun): string | undefined {
  if (run.repository === undefined || run.runId === undefined) return undefined;
  return `${run.serverUrl}/${run.repository.owner}/${run.repository.repo}/actions/runs/${run.runId}`;
}

/** The pull request a `pull_request`/`pull_request_target` event is about. */
export interface PullRequestRef {
  number: number;
  /** The PR's head commit (GITHUB_SHA is a merge commit on these events). */
  headSha: string | undefined;
  headRef: string | undefined;
  state: string | undefined;
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);

/** The PR of the event file, or undefined for other events or a file that isn't one. */
export async function pullRequestOf(run: GitHubRun): Promise<PullRequestRef | undefined> {
  if (run.eventName === undefined || !PR_EVENTS.has(run.eventName) || run.eventPath === undefined)
    return undefined;
  let event: unknown;
  try {
    event = JSON.parse(await readFile(run.eventPath, 'utf8'));
  } catch {
    return undefined;
  }
  const pr = (event as { pull_request?: Record<string, unknown> } | null)?.pull_request;
  const number = pr?.number;
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) return undefined;
  const head = pr?.head as { sha?: unknown; ref?: unknown } | undefined;
  return {
    number,
    headSha: typeof head?.sha === 'string' ? head.sha : undefined,
    headRef: typeof head?.ref === 'string' ? head.ref : undefined,
    state: typeof pr?.state === 'string' ? pr.state : undefined,
  };
}

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** GitHub's token prefixes (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_). */
const TOKEN_SHAPE = /^(gh[pousr]_|github_pat_)[A-Za-z0-9_]{10,}/;

/**
 * The GitHub token: from the variable `--github-token-env` names, else GITHUB_TOKEN. Naming a variable
 * that is not set is bad input (exit 2, nothing changed); no token at all only turns the API off.
 * The token is read here and handed to the client, never put in argv, a message or a result.
 */
export function gitHubToken(env: NodeJS.ProcessEnv, variable: string | undefined): string | undefined {
  if (variable !== undefined) {
    // What was passed is never repeated: it may be the token itself, pasted in place of its name.
    if (TOKEN_SHAPE.test(variable))
      throw usageError(
        '--github-token-env takes the name of the variable that holds the token, and this looks like a token itself.',
        [
          "Pass the variable's name, e.g. --github-token-env DEPLOY_TOKEN, and revoke this token: it was on a command line.",
        ],
      );
    if (!VARIABLE.test(variable))
      throw usageError(
        '--github-token-env takes the name of an environment variable (letters, digits and _).',
        ["Pass the variable's name, e.g. --github-token-env DEPLOY_TOKEN (not its value)."],
      );
    const value = env[variable]?.trim();
    if (!value)
      throw usageError(`--github-token-env names ${variable}, but ${variable} is not set.`, [
        `Set ${variable} from a secret in the workflow (env: ${variable}: \${{ secrets.${variable} }}), or leave the flag out to use GITHUB_TOKEN.`,
      ]);
    return value;
  }
  return env.GITHUB_TOKEN?.trim() || undefined;
}
