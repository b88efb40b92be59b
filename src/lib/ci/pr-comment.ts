/**
 * One comment per pull request listing its deployments (app, tag, URL, status, updated), created
 * once and then edited in place: the comment carries a hidden marker to be found by, and its rows as
 * hidden data, so each run updates its own row and keeps the others'.
 */
import type { Repository } from './detect.js';
import { asPermissionError, type GitHubClient } from './github-api.js';
import { escapeText } from './summary.js';

export const COMMENT_MARKER = '<!-- traefikctl:pr-comment -->';
const STATE_PREFIX = '<!-- traefikctl:rows ';

export type RowStatus = 'deploying' | 'live' | 'rolled out' | 'applied' | 'failed' | 'removed';

export interface CommentRow {
  env: string;
  app: string;
  tag: string;
  url: string;
  status: RowStatus;
  /** ISO 8601. */
  updatedAt: string;
}

const LIVE = new Set<RowStatus>(['live', 'rolled out', 'applied']);
const STATUSES = new Set<RowStatus>(['deploying', 'live', 'rolled out', 'applied', 'failed', 'removed']);

function isRow(value: unknown): value is CommentRow {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Record<string, unknown>;
  return (
    ['env', 'app', 'tag', 'url', 'updatedAt'].every((key) => typeof row[key] === 'string') &&
    STATUSES.has(row.status as RowStatus)
  );
}

/** The rows a comment carries; none when it carries none or someone edited them into nonsense. */
export function rowsOf(body: string): CommentRow[] {
  const start = body.indexOf(STATE_PREFIX);
  if (start < 0) return [];
  const end = body.indexOf(' -->', start + STATE_PREFIX.length);
  if (end < 0) return [];
  try {
    const decoded: unknown = JSON.parse(
      Buffer.from(body.slice(start + STATE_PREFIX.length, end), 'base64url').toString('utf8'),
    );
    return Array.isArray(decoded) ? decoded.filter(isRow) : [];
  } catch {
    return [];
  }
}

/** The rows with `row` replacing the one of the same env, app and tag (or added). */
export function withRow(rows: readonly CommentRow[], row: CommentRow): CommentRow[] {
  const same = (other: CommentRow) => other.env === row.env && other.app === row.app && other.tag === row.tag;
  // A row without a URL (a failure before the URL was known, a removal) keeps the one listed.
  return rows.some(same)
    ? rows.map((other) => (same(other) ? { ...row, url: row.url || other.url } : other))
    : [...rows, row];
}

const MARK: Record<RowStatus, string> = {
  deploying: '⏳ deploying',
  live: '✅ live',
  'rolled out': '✅ rolled out',
  applied: '🟡 applied',
  failed: '❌ failed',
  removed: '🧹 removed',
};

/** The comment's whole body: heading, table (live first), hidden marker and rows. */
export function renderComment(rows: readonly CommentRow[]): string {
  const ordered = [...rows].sort(
    (a, b) =>
      Number(a.status === 'removed') - Number(b.status === 'removed') ||
      a.app.localeCompare(b.app) ||
      a.tag.localeCompare(b.tag),
  );
  const live = rows.filter((row) => LIVE.has(row.status)).length;
  const lines = [
    COMMENT_MARKER,
    `### traefikctl: ${live} live deployment${live === 1 ? '' : 's'} of this pull request`,
    '',
    '| App | Tag | URL | Status | Updated |',
    '| --- | --- | --- | --- | --- |',
    ...ordered.map((row) => {
      const url =
        row.url === ''
          ? '—'
          : row.status === 'removed'
            ? `~~${escapeText(row.url)}~~`
            : `[${escapeText(row.url)}](${encodeURI(row.url)})`;
      return `| ${escapeText(row.app)} | ${escapeText(row.tag)} (${escapeText(row.env)}) | ${url} | ${MARK[row.status]} | ${row.updatedAt.replace(/\.\d+Z$/, 'Z')} |`;
    }),
    '',
    `${STATE_PREFIX}${Buffer.from(JSON.stringify(rows), 'utf8').toString('base64url')} -->`,
  ];
  return `${lines.join('\n')}\n`;
}

/** How many pages of a PR's comments are searched for ours (100 a page). */
const MAX_PAGES = 10;

/** Our comment on the PR: found by its marker among the first 1,000 comments. */
export async function findComment(
  client: GitHubClient,
  repo: Repository,
  pullRequest: number,
): Promise<{ id: number; body: string } | undefined> {
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const { data } = await client.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...repo,
      issue_number: pullRequest,
      per_page: 100,
      page,
    });
    const ours = data.find((comment) => comment.body?.includes(COMMENT_MARKER));
    if (ours !== undefined) return { id: Number(ours.id), body: ours.body ?? '' };
    if (data.length < 100) return undefined;
  }
  return undefined;
}

/**
 * Updates this PR's row for one deployment: edits our comment in place, or creates it the first
 * time. A row for a tag that was never listed is not added when it is removed (nothing to show).
 */
export async function upsertPrComment(
  client: GitHubClient,
  repo: Repository,
  pullRequest: number,
  row: CommentRow,
): Promise<{ action: 'created' | 'edited' | 'unchanged'; id: number | undefined }> {
  try {
    const existing = await findComment(client, repo, pullRequest);
    const rows = rowsOf(existing?.body ?? '');
    if (
      row.status === 'removed' &&
      !rows.some((other) => other.env === row.env && other.app === row.app && other.tag === row.tag)
    )
      return { action: 'unchanged', id: existing?.id };
    const body = renderComment(withRow(rows, row));
    if (existing === undefined) {
      const { data } = await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...repo,
        issue_number: pullRequest,
        body,
      });
      return { action: 'created', id: Number(data.id) };
    }
    await client.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      ...repo,
      comment_id: existing.id,
      body,
    });
    return { action: 'edited', id: existing.id };
  } catch (error) {
    throw asPermissionError(error, 'pull-requests: write');
  }
}
