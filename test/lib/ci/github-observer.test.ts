/**
 * The GitHub Actions observer through the real toolkit (files read back) and the GitHub API stand-in
 * (every request checked against GitHub's OpenAPI description). The deploy results are the typed
 * objects the commands hand over; the end-to-end run with a real deploy is test/e2e/ci-github.test.ts.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { DeployResult } from '../../../src/lib/model.js';
import { UserError } from '../../../src/lib/errors.js';
import type { ProgressEvent } from '../../../src/lib/events.js';
import { openCi, type CiObserver } from '../../../src/lib/ci/session.js';
import { COMMENT_MARKER } from '../../../src/lib/ci/pr-comment.js';
import {
  actionsStep,
  HEAD_SHA,
  readOutputs,
  workflowCommands,
  type ActionsStep,
} from '../../support/github-actions.js';
import { startGitHubStandin, type GitHubStandin } from '../../support/github-standin.js';

const TOKEN = 'ghs_standinTokenThatMustNeverBePrinted0001';
const DIGEST = `sha256:${'a'.repeat(64)}`;

function deployResult(tag: string, overrides: Partial<DeployResult> = {}): DeployResult {
  return {
    app: 'whoami',
    tag,
    env: 'dev',
    host: `whoami-${tag}.dev.example.com`,
    url: `http://whoami-${tag}.dev.example.com`,
    service: `whoami-${tag}`,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/whoami-${tag}:1`,
    deploymentId: 'ecs-svc/1234567890',
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/whoami@${DIGEST}`,
    status: 'live',
    action: 'created',
    phases: [
      { id: 'preflight', title: 'Check cluster, image and service', status: 'done', elapsedMs: 420 },
      { id: 'rollout', title: 'Roll out 1 task', status: 'done', elapsedMs: 12_300, detail: '1/1 running' },
    ],
    ...overrides,
  };
}

let standin: GitHubStandin;
let step: ActionsStep;
let log: string;
let cwd: string;
const saved = { ...process.env };
let sharedSummary: string;

beforeAll(async () => {
  sharedSummary = path.join(await mkdtemp(path.join(tmpdir(), 'traefikctl-summary-')), 'summary.md');
});

async function observer(flags: { prComment?: boolean; githubTokenEnv?: string } = {}): Promise<CiObserver> {
  return openCi(flags, {
    cwd,
    global: {},
    stream: { write: (text: string) => (log += text) },
    github: { retries: 0, retryAfterBaseValue: 1 },
  });
}

async function deployWith(ci: CiObserver, tag: string, overrides: Partial<DeployResult> = {}): Promise<void> {
  await ci.deployStarting({ app: 'whoami', tag });
  const sink = ci.sink(() => undefined);
  for (const event of [
    { type: 'phase', id: 'preflight', title: 'Check cluster, image and service', status: 'running' },
    {
      type: 'phase',
      id: 'preflight',
      title: 'Check cluster, image and service',
      status: 'done',
      elapsedMs: 420,
    },
  ] satisfies ProgressEvent[])
    sink(event);
  await ci.deployFinished(deployResult(tag, overrides));
}

beforeEach(async () => {
  standin = await startGitHubStandin();
  step = await actionsStep({ apiUrl: standin.apiUrl, pullRequest: 7, token: TOKEN });
  // The toolkit keeps the first GITHUB_STEP_SUMMARY it saw for the process: one file for the whole file.
  await writeFile(sharedSummary, '');
  step = { ...step, summaryFile: sharedSummary, env: { ...step.env, GITHUB_STEP_SUMMARY: sharedSummary } };
  cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-ci-'));
  await writeFile(
    path.join(cwd, 'traefikctl.config.yaml'),
    'domain: example.com\napps:\n  whoami:\n    port: 80\n',
  );
  // The toolkit reads the runner's variables from process.env, as in a real step.
  Object.assign(process.env, step.env);
  log = '';
});

afterEach(async () => {
  for (const name of Object.keys(process.env))
    if (!(name in saved)) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, saved);
  await standin.close();
});

describe('app deploy in GitHub Actions', () => {
  it('sets the outputs, writes the summary, records a deployment and one PR comment, edited on redeploy', async () => {
    // given a pull_request event, a token and the stand-in
    // when a tag is deployed
    await deployWith(await observer(), 'pr-7');

    // then the outputs are in GITHUB_OUTPUT
    expect(await readOutputs(step.outputFile)).toMatchObject({
      url: 'http://whoami-pr-7.dev.example.com',
      host: 'whoami-pr-7.dev.example.com',
      service: 'whoami-pr-7',
      image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/whoami@${DIGEST}`,
      'deployment-id': 'ecs-svc/1234567890',
      status: 'live',
    });
    // and the summary names the URL, the digest and each phase with its time
    const summary = await readFile(step.summaryFile, 'utf8');
    expect(summary).toContain(
      '<a href="http://whoami-pr-7.dev.example.com">http://whoami-pr-7.dev.example.com</a>',
    );
    expect(summary).toContain(DIGEST);
    expect(summary).toMatch(/<td>Roll out 1 task<\/td><td>✅ done<\/td><td>12\.3 s<\/td>/);
    // and one deployment of environment dev/whoami-pr-7 for the PR's head commit: in_progress, then success
    expect(standin.violations).toEqual([]);
    expect(standin.deployments).toHaveLength(1);
    const [deployment] = standin.deployments;
    expect(deployment).toMatchObject({
      environment: 'dev/whoami-pr-7',
      sha: HEAD_SHA,
      transient_environment: true,
      production_environment: false,
    });
    expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(deployment?.statuses[1]?.environment_url).toBe('http://whoami-pr-7.dev.example.com');
    expect(deployment?.statuses[1]?.log_url).toBe('https://github.invalid/acme/shop/actions/runs/4242');
    // and one comment with the marker and the URL
    const comments = standin.comments.get(7) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(COMMENT_MARKER);
    expect(comments[0]?.body).toMatch(
      /\| whoami \| pr-7 \(dev\) \| \[http:\/\/whoami-pr-7\.dev\.example\.com\]\(http:\/\/whoami-pr-7\.dev\.example\.com\) \| ✅ live \|/,
    );
    // and the progress was grouped, and the token never printed
    expect(workflowCommands(log, 'group')).toEqual(['Check cluster, image and service']);
    expect(workflowCommands(log, 'endgroup')).toHaveLength(1);
    expect(log).not.toContain(TOKEN);
    expect(summary + (await readFile(step.outputFile, 'utf8')) + comments[0]?.body).not.toContain(TOKEN);

    // when another tag and then the first again are deployed from the same PR
    await deployWith(await observer(), 'pr-7b');
    await deployWith(await observer(), 'pr-7', { action: 'updated' });

    // then the same comment is edited and lists both
    const after = standin.comments.get(7) ?? [];
    expect(after).toHaveLength(1);
    expect(after[0]?.body).toContain('2 live deployments');
    expect(after[0]?.body).toContain('whoami-pr-7b.dev.example.com');
    expect(standin.requests.filter((r) => r.operationId === 'issues/create-comment')).toHaveLength(1);
    expect(standin.requests.filter((r) => r.operationId === 'issues/update-comment')).toHaveLength(2);
    expect(standin.violations).toEqual([]);
  });

  it('on failure: failure status with the log link, the reason and log lines in the summary, an error annotation', async () => {
    const ci = await observer();
    await ci.deployStarting({ app: 'whoami', tag: 'pr-7' });
    const sink = ci.sink(() => undefined);
    sink({ type: 'phase', id: 'rollout', title: 'Roll out 1 task', status: 'running' });
    sink({
      type: 'phase',
      id: 'rollout',
      title: 'Roll out 1 task',
      status: 'failed',
      elapsedMs: 3000,
      detail: 'stopped',
    });
    const error = new UserError(
      'Task abc of whoami-pr-7 stopped: Essential container exited (exit code 3).',
      {
        exitCode: 3,
        suggestions: [
          'log: config error: DATABASE_URL is not set',
          "See the app's logs: `traefikctl app logs whoami --tag pr-7`.",
        ],
      },
    );
    await ci.deployFailed({ app: 'whoami', tag: 'pr-7' }, error);

    expect(standin.deployments[0]?.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect(standin.deployments[0]?.statuses[1]?.log_url).toBe(
      'https://github.invalid/acme/shop/actions/runs/4242',
    );
    const summary = await readFile(step.summaryFile, 'utf8');
    expect(summary).toContain('Deploy of whoami pr-7 on dev failed (exit 3)');
    expect(summary).toContain('Essential container exited (exit code 3)');
    expect(summary).toContain('<pre><code>config error: DATABASE&#95;URL is not set</code></pre>');
    expect(summary).toMatch(/<td>Roll out 1 task<\/td><td>❌ failed<\/td><td>3\.0 s<\/td><td>stopped<\/td>/);
    expect(workflowCommands(log, 'error')[0]).toContain('Task abc of whoami-pr-7 stopped');
    expect(await readOutputs(step.outputFile)).toEqual({ status: 'failed' });
    expect(standin.comments.get(7)?.[0]?.body).toContain('❌ failed');
    expect(standin.violations).toEqual([]);
  });

  it('app destroy marks the deployment inactive and updates the comment', async () => {
    await deployWith(await observer(), 'pr-7');
    const ci = await observer();
    await ci.destroyed(
      {
        app: 'whoami',
        tag: 'pr-7',
        env: 'dev',
        service: 'whoami-pr-7',
        serviceArn: 'arn:x',
        status: 'removed',
        taskDefinitions: ['whoami-pr-7:1'],
      },
      { app: 'whoami', tag: 'pr-7', env: 'dev' },
    );
    expect(standin.deployments[0]?.statuses.map((s) => s.state)).toEqual([
      'in_progress',
      'success',
      'inactive',
    ]);
    const comments = standin.comments.get(7) ?? [];
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('0 live deployments');
    expect(comments[0]?.body).toContain('~~http://whoami-pr-7.dev.example.com~~ | 🧹 removed');
    expect(await readFile(step.summaryFile, 'utf8')).toContain('whoami pr-7 on dev: removed');
    expect(standin.violations).toEqual([]);
  });

  it('a 403 on deployments warns once, naming deployments: write, and the rest goes on', async () => {
    standin.refuse({ operationId: 'repos/create-deployment', status: 403 });
    standin.refuse({ operationId: 'repos/list-deployments', status: 403 });
    await deployWith(await observer(), 'pr-7');
    const destroy = await observer();
    await destroy.destroyed(
      {
        app: 'whoami',
        tag: 'pr-7',
        env: 'dev',
        service: 'whoami-pr-7',
        serviceArn: 'arn:x',
        status: 'removed',
        taskDefinitions: [],
      },
      { app: 'whoami', tag: 'pr-7', env: 'dev' },
    );
    const warnings = workflowCommands(log, 'warning');
    // one per command run: the deploy's and the destroy's
    expect(warnings.filter((w) => w.includes('deployments: write'))).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /the token lacks the `deployments: write` permission \(GitHub answered 403\)/,
    );
    expect(standin.deployments).toHaveLength(0);
    expect((await readOutputs(step.outputFile)).url).toBe('http://whoami-pr-7.dev.example.com');
    expect(standin.comments.get(7)).toHaveLength(1);
    expect(standin.violations).toEqual([]);
  });

  it('a 403 on the comment names pull-requests: write; --no-pr-comment sends none', async () => {
    standin.refuse({ operationId: 'issues/list-comments', status: 403 });
    await deployWith(await observer(), 'pr-7');
    expect(workflowCommands(log, 'warning').filter((w) => w.includes('pull-requests: write'))).toHaveLength(
      1,
    );
    expect(standin.deployments).toHaveLength(1);

    log = '';
    await deployWith(await observer({ prComment: false }), 'pr-8');
    expect(
      standin.requests.filter((r) => r.operationId?.startsWith('issues/') && r.path.includes('/8/')),
    ).toEqual([]);
    expect(workflowCommands(log, 'warning')).toEqual([]);
  });

  it('waits out a rate limit once, then succeeds; a 422 becomes a warning', async () => {
    standin.refuse({ operationId: 'repos/create-deployment', status: 403, rateLimit: true, times: 1 });
    await deployWith(await observer(), 'pr-7');
    expect(standin.deployments).toHaveLength(1);
    expect(
      standin.requests.filter((r) => r.operationId === 'repos/create-deployment').map((r) => r.status),
    ).toEqual([403, 201]);
    expect(workflowCommands(log, 'warning')).toEqual([]);

    standin.refuse({ operationId: 'repos/create-deployment-status', status: 422 });
    await deployWith(await observer(), 'pr-9');
    expect(workflowCommands(log, 'warning')).toEqual([
      expect.stringContaining(
        'The GitHub deployment is not recorded: the GitHub API failed (422: Validation Failed',
      ),
    ]);
  });

  it('reads the token from --github-token-env, and refuses a name that is not set (exit 2)', async () => {
    Reflect.deleteProperty(process.env, 'GITHUB_TOKEN');
    process.env.DEPLOY_TOKEN = TOKEN;
    await deployWith(await observer({ githubTokenEnv: 'DEPLOY_TOKEN' }), 'pr-7');
    expect(standin.requests[0]?.authorization).toBe(`token ${TOKEN}`);
    await expect(observer({ githubTokenEnv: 'NOT_SET_ANYWHERE' })).rejects.toMatchObject({ exitCode: 2 });
  });

  it('input the deploy refuses before its first phase leaves nothing on GitHub', async () => {
    const ci = await observer();
    await ci.deployStarting({ app: 'whoami', tag: 'pr-7' });
    await ci.deployFailed(
      { app: 'whoami', tag: 'pr-7' },
      new UserError('--ttl is not a duration', { exitCode: 2 }),
    );
    expect(standin.deployments).toEqual([]);
    expect(standin.requests).toEqual([]);
    expect(await readFile(step.summaryFile, 'utf8')).toContain('failed (exit 2)');
  });

  it('without a token: outputs and summary only, no API call', async () => {
    Reflect.deleteProperty(process.env, 'GITHUB_TOKEN');
    await deployWith(await observer(), 'pr-7');
    expect(standin.requests).toEqual([]);
    expect((await readOutputs(step.outputFile)).url).toBe('http://whoami-pr-7.dev.example.com');
  });
});
