/**
 * The stand-in must refuse what GitHub's description doesn't allow (else the CI tests could drift
 * into a private dialect), and `closedDeployments` is checked through it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { closedDeployments } from '../../src/lib/ci/closed.js';
import { gitHubClient, type GitHubClient } from '../../src/lib/ci/github-api.js';
import { startGitHubStandin, type GitHubStandin } from './github-standin.js';
import { startLocalServer } from './local-server.js';

let standin: GitHubStandin;
let client: GitHubClient;
const repo = { owner: 'acme', repo: 'shop' };

beforeEach(async () => {
  standin = await startGitHubStandin();
  client = await gitHubClient({ token: 't', baseUrl: standin.apiUrl, retries: 0, rateLimitRetries: 0 });
});
afterEach(() => standin.close());

async function raw(method: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${standin.apiUrl}${path}`, {
    method,
    headers: { authorization: 'token t', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return response.status;
}

describe('the GitHub stand-in', () => {
  it('refuses a body, a parameter, a path or a method that GitHub does not describe', async () => {
    expect(
      await raw('POST', '/repos/acme/shop/deployments', { ref: 'abc', transient_environment: 'yes' }),
    ).toBe(400);
    expect(await raw('POST', '/repos/acme/shop/deployments', { environment: 'dev' })).toBe(400);
    expect(await raw('GET', '/repos/acme/shop/deployments?per_page=lots')).toBe(400);
    expect(await raw('GET', '/repos/acme/shop/deployments?colour=blue')).toBe(400);
    expect(await raw('GET', '/repos/acme/shop/deploymentz')).toBe(400);
    expect(await raw('PUT', '/repos/acme/shop/deployments')).toBe(400);
    expect(await raw('POST', '/repos/acme/shop/deployments/1/statuses', { state: 'done' })).toBe(400);
    expect(standin.violations).toHaveLength(7);
    expect(standin.violations[0]).toMatch(/body: data\/transient_environment must be boolean/);
    expect(standin.violations[1]).toMatch(/must have required property 'ref'/);
    expect(standin.violations[6]).toMatch(/state must be equal to one of the allowed values/);
  });

  it('answers a described request with a body of the described shape', async () => {
    const { data } = await client.request('POST /repos/{owner}/{repo}/deployments', {
      ...repo,
      ref: 'abc',
      environment: 'dev/whoami-v2',
      required_contexts: [],
    });
    expect(data).toMatchObject({ environment: 'dev/whoami-v2', sha: 'abc' });
    expect(standin.violations).toEqual([]);
  });

  it('refuses as told: 404, then normally', async () => {
    standin.refuse({ operationId: 'repos/list-deployments', status: 404, times: 1 });
    await expect(client.request('GET /repos/{owner}/{repo}/deployments', repo)).rejects.toMatchObject({
      status: 404,
    });
    await expect(client.request('GET /repos/{owner}/{repo}/deployments', repo)).resolves.toMatchObject({
      status: 200,
    });
  });
});

describe('closedDeployments', () => {
  it('selects tags of closed or merged PRs and of branches that are gone, never versions or open PRs', async () => {
    standin.pulls.set(7, { state: 'closed', merged: true, head: 'feature-7' });
    standin.pulls.set(8, { state: 'open', merged: false, head: 'feature-8' });
    standin.pulls.set(9, { state: 'closed', merged: false, head: 'feature-9' });
    standin.branches.add('feature/live');
    const candidates = [
      'pr-7',
      'pr-8',
      'pr-9',
      'pr-404',
      'feature/live',
      'feature/gone',
      'v1.2.3',
      'abc1234',
    ].map((tag) => ({ app: 'whoami', tag }));

    const closed = await closedDeployments(client, repo, candidates);

    expect(closed.map((verdict) => [verdict.candidate.tag, verdict.reason])).toEqual([
      ['pr-7', 'pull request #7 is merged'],
      ['pr-9', 'pull request #9 is closed'],
      ['pr-404', 'pull request #404 is not found'],
      ['feature/gone', 'branch feature/gone is gone'],
    ]);
    expect(standin.violations).toEqual([]);
  });

  it('names the permission when the token may not read pull requests', async () => {
    standin.refuse({ operationId: 'pulls/get', status: 403 });
    await expect(closedDeployments(client, repo, [{ app: 'whoami', tag: 'pr-7' }])).rejects.toMatchObject({
      permission: 'pull-requests: read',
    });
  });
});

describe('the GitHub client', () => {
  it('gives up on a GitHub that never answers, within its time limit', async () => {
    const silent = await startLocalServer();
    try {
      const hanging = await gitHubClient({ token: 't', baseUrl: silent.url, retries: 0, timeoutMs: 300 });
      const started = Date.now();
      await expect(hanging.request('GET /repos/{owner}/{repo}/deployments', repo)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  });
});
