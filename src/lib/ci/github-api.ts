/**
 * The GitHub REST client: @octokit/core with its retry and throttling plugins, pointed at
 * GITHUB_API_URL (GitHub Enterprise Server included). Loaded only when a token is present.
 */
import type { Octokit } from '@octokit/core';

export type GitHubClient = Octokit;

export interface GitHubClientOptions {
  token: string;
  baseUrl: string;
  /** Retries of a 5xx or a network error (the retry plugin's own back-off). */
  retries?: number;
  /** How often a rate-limited request is retried after GitHub's Retry-After (0: never). */
  rateLimitRetries?: number;
  /** Seconds the retry plugin waits before its first retry; tests shorten it. */
  retryAfterBaseValue?: number;
  /** Each request's time limit: a GitHub that hangs must not hold a finished deploy (default 15 s). */
  timeoutMs?: number;
}

export const DEFAULT_GITHUB_TIMEOUT_MS = 15_000;

export async function gitHubClient(options: GitHubClientOptions): Promise<GitHubClient> {
  const [{ Octokit: Core }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/core'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const rateLimitRetries = options.rateLimitRetries ?? 1;
  const Client = Core.plugin(retry, throttling);
  return new Client({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: 'traefikctl',
    // A deploy never waits long on GitHub: one retry after a short Retry-After, else it warns and goes on.
    throttle: {
      onRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
        retryCount < rateLimitRetries && retryAfter <= 60,
      onSecondaryRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
        retryCount < rateLimitRetries && retryAfter <= 60,
    },
    retry: {
      retries: options.retries ?? 2,
      ...(options.retryAfterBaseValue === undefined
        ? {}
        : { retryAfterBaseValue: options.retryAfterBaseValue }),
    },
    request: {
      fetch: (url: string | URL, init: RequestInit = {}) => {
        const limit = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_GITHUB_TIMEOUT_MS);
        return fetch(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, limit]) : limit });
      },
    },
    // The client must stay quiet: lib never prints, and warnings go out once, as annotations.
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

/** A GitHub permission a workflow grants in `permissions:`. */
export type Permission =
  'deployments: write' | 'pull-requests: write' | 'pull-requests: read' | 'contents: read';

/** A refusal that a change of the workflow's `permissions:` fixes. */
export class GitHubPermissionError extends Error {
  override readonly name = 'GitHubPermissionError';
  constructor(
    readonly permission: Permission,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status of an Octokit RequestError, or undefined for anything else. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * 403 without a rate limit, and 404 on a repository the token can't see, are missing permissions
 * (GitHub answers 404 rather than 403 when a token may not know that a private resource exists).
 */
export function asPermissionError(error: unknown, permission: Permission): unknown {
  const status = statusOf(error);
  if (status !== 403 && status !== 404) return error;
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response
    ?.headers;
  if (status === 403 && headers?.['x-ratelimit-remaining'] === '0') return error;
  const message = (error as Error).message;
  if (status === 403 && /rate limit/i.test(message)) return error;
  return new GitHubPermissionError(permission, status, message);
}

/** The text of a failed GitHub call for a warning: status and GitHub's message, never the request. */
export function gitHubErrorText(error: unknown): string {
  const status = statusOf(error);
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  return status === undefined
    ? message
    : `${status}: ${message.replace(/ - https:\/\/docs\.github\.com\S*/, '')}`;
}
