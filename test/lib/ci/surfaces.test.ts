/** The pure parts of the CI surfaces: detection, the token, the PR comment's rows, summaries, GitLab's files. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DeployResult } from '../../../src/lib/model.js';
import { detectCi, gitHubRun, gitHubToken, pullRequestOf, runUrl } from '../../../src/lib/ci/detect.js';
import { environmentName } from '../../../src/lib/ci/deployments.js';
import { dotenvOf, gitLabSections, sectionStart, writeDotenv } from '../../../src/lib/ci/gitlab.js';
import {
  COMMENT_MARKER,
  renderComment,
  rowsOf,
  withRow,
  type CommentRow,
} from '../../../src/lib/ci/pr-comment.js';
import { pullRequestOfTag } from '../../../src/lib/ci/closed.js';
import { deploySummary, escapeText, imageDigest } from '../../../src/lib/ci/summary.js';
import type { ProgressEvent } from '../../../src/lib/events.js';

const result: DeployResult = {
  app: 'whoami',
  tag: 'feature/Login',
  env: 'dev',
  host: 'whoami-feature-login.dev.example.com',
  url: 'http://whoami-feature-login.dev.example.com',
  service: 'whoami-feature-login',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/whoami-feature-login:3',
  deploymentId: 'ecs-svc/1',
  image: `r/whoami@sha256:${'b'.repeat(64)}`,
  status: 'rolled-out',
  action: 'updated',
  phases: [],
};

describe('detection', () => {
  it('knows GitHub Actions and GitLab CI by their own variables, nothing else', () => {
    expect(detectCi({ GITHUB_ACTIONS: 'true' })).toBe('github');
    expect(detectCi({ GITLAB_CI: 'true' })).toBe('gitlab');
    expect(detectCi({ CI: 'true' })).toBeUndefined();
    expect(detectCi({ GITHUB_ACTIONS: 'false' })).toBeUndefined();
  });

  it('reads the run, with GitHub Enterprise addresses', () => {
    const run = gitHubRun({
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SERVER_URL: 'https://ghe.example.com/',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
      GITHUB_RUN_ID: '9',
    });
    expect(run.apiUrl).toBe('https://ghe.example.com/api/v3');
    expect(runUrl(run)).toBe('https://ghe.example.com/acme/shop/actions/runs/9');
    expect(gitHubRun({}).apiUrl).toBe('https://api.github.com');
    expect(gitHubRun({ GITHUB_REPOSITORY: 'nonsense' }).repository).toBeUndefined();
  });

  it('takes the PR and its head commit from a pull_request event file only', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-event-'));
    const file = path.join(dir, 'event.json');
    await writeFile(
      file,
      JSON.stringify({ pull_request: { number: 12, state: 'open', head: { sha: 'abc', ref: 'x' } } }),
    );
    expect(
      await pullRequestOf(gitHubRun({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file })),
    ).toEqual({
      number: 12,
      headSha: 'abc',
      headRef: 'x',
      state: 'open',
    });
    expect(
      await pullRequestOf(gitHubRun({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: file })),
    ).toBeUndefined();
    await writeFile(file, '{not json');
    expect(
      await pullRequestOf(gitHubRun({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file })),
    ).toBeUndefined();
  });

  it('takes the token from GITHUB_TOKEN or the variable named, and refuses a name that is unset or a value', () => {
    expect(gitHubToken({ GITHUB_TOKEN: 't1' }, undefined)).toBe('t1');
    expect(gitHubToken({ GITHUB_TOKEN: 't1', MINE: 't2' }, 'MINE')).toBe('t2');
    expect(gitHubToken({}, undefined)).toBeUndefined();
    expect(() => gitHubToken({}, 'MINE')).toThrow(/--github-token-env names MINE, but MINE is not set/);
    // a token pasted as the name, or any other non-name, is refused without being repeated
    for (const pasted of ['ghp_abcdefghijklmnop0123456789', 'not a name']) {
      let message = '';
      try {
        gitHubToken({}, pasted);
      } catch (error) {
        message = `${(error as Error).message} ${(error as { suggestions: string[] }).suggestions.join(' ')}`;
      }
      expect(message).toMatch(/--github-token-env takes the name/);
      expect(message).not.toContain(pasted);
    }
  });
});

describe('the PR comment', () => {
  const row = (
    tag: string,
    status: CommentRow['status'],
    url = `http://whoami-${tag}.dev.example.com`,
  ): CommentRow => ({
    env: 'dev',
    app: 'whoami',
    tag,
    url,
    status,
    updatedAt: '2026-12-05T12:00:00.000Z',
  });

  it('carries its rows hidden, so the next run finds and updates them', () => {
    const body = renderComment([row('pr-7', 'live'), row('pr-7b', 'failed')]);
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain('1 live deployment of this pull request');
    expect(rowsOf(body)).toEqual([row('pr-7', 'live'), row('pr-7b', 'failed')].map((r) => r));
    const updated = withRow(rowsOf(body), row('pr-7', 'removed', ''));
    expect(updated[0]).toMatchObject({ status: 'removed', url: 'http://whoami-pr-7.dev.example.com' });
    expect(updated).toHaveLength(2);
  });

  it('survives a comment edited by hand, and escapes what it shows', () => {
    expect(rowsOf(`${COMMENT_MARKER}\n<!-- traefikctl:rows !!!notbase64 -->`)).toEqual([]);
    expect(rowsOf('no marker')).toEqual([]);
    const body = renderComment([{ ...row('a|b', 'live'), app: '<script>' }]);
    expect(body).not.toContain('<script>');
    expect(body).toContain('a&#124;b');
  });
});

describe('summaries', () => {
  it('shows the URL, the digest and the phases', () => {
    const blocks = deploySummary({
      ...result,
      phases: [{ id: 'rollout', title: 'Roll out', status: 'done', elapsedMs: 1500 }],
    });
    expect(blocks[0]).toEqual({
      kind: 'heading',
      level: 2,
      text: '🚀 whoami feature/Login is rolled out on dev',
    });
    expect(JSON.stringify(blocks)).toContain(`sha256:${'b'.repeat(64)}`);
    expect(blocks[2]).toEqual({
      kind: 'table',
      rows: [
        ['Phase', 'Status', 'Time', 'Detail'],
        ['Roll out', '✅ done', '1.5 s', ''],
      ],
    });
    expect(imageDigest('r/x:latest')).toBeUndefined();
    expect(escapeText('<b>&')).toBe('&#60;b&#62;&#38;');
  });

  it('names the GitHub environment after the env and the service', () => {
    expect(environmentName('dev', 'whoami', 'v2')).toBe('dev/whoami-v2');
    expect(environmentName('dev', 'whoami', 'feature/Login_Page')).toBe('dev/whoami-feature-login-page');
    expect(pullRequestOfTag('pr-7')).toBe(7);
    expect(pullRequestOfTag('PR_12')).toBe(12);
    expect(pullRequestOfTag('v7')).toBeUndefined();
  });
});

describe('GitLab CI', () => {
  it('writes the dotenv report, one variable a line', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'traefikctl-dotenv-')), 'sub', 'deploy.env');
    await writeDotenv(file, result);
    const text = await readFile(file, 'utf8');
    expect(text).toBe(dotenvOf(result));
    expect(text.split('\n')).toContain('TRAEFIKCTL_URL=http://whoami-feature-login.dev.example.com');
    expect(text.split('\n')).toContain('TRAEFIKCTL_TAG=feature/Login');
  });

  it('puts each phase in a collapsed section that closes before its result line', () => {
    const out: string[] = [];
    const seen: string[] = [];
    const sink = gitLabSections(
      (event) => seen.push(`${out.length}:${event.type}`),
      (text) => out.push(text),
      () => 1_700_000_000_000,
    );
    const events: ProgressEvent[] = [
      { type: 'phase', id: 'preflight', title: 'Check', status: 'running' },
      { type: 'step', phase: 'preflight', message: 'x' },
      { type: 'phase', id: 'preflight', title: 'Check', status: 'done', elapsedMs: 3 },
      { type: 'phase', id: 'probe', title: 'Probe', status: 'skipped', detail: '--skip-probe' },
    ];
    for (const event of events) sink(event);
    expect(out).toEqual([
      sectionStart('preflight', 'Check', 1_700_000_000_000),
      '\u001b[0Ksection_end:1700000000:traefikctl_preflight\r\u001b[0K\n',
    ]);
    expect(out[0]).toBe(
      '\u001b[0Ksection_start:1700000000:traefikctl_preflight[collapsed=true]\r\u001b[0KCheck\n',
    );
    // the done line is rendered after the section ended
    expect(seen).toEqual(['1:phase', '1:step', '2:phase', '2:phase']);
  });
});
