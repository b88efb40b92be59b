/**
 * The CI surfaces through the built CLI: `app deploy` / `app destroy` as a GitHub Actions step would
 * run them on a pull_request event, with the runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), an
 * event file and the GitHub API stand-in (test/support/github-standin.ts, every request checked
 * against GitHub's OpenAPI description); and as a GitLab CI job.
 *
 * The deploys are real against moto's ECS (cluster stack, ECR image, task definition, service,
 * rollout; test/integration/app/deploy-fixture.ts), with --skip-probe and no Traefik API configured:
 * the route and the URL answering are what test/e2e/chain.test.ts covers end to end through the task
 * runner and Traefik; here the deploy ends `rolled-out`. Envs are unique per test, so the URL is
 * http://whoami-pr-7.<env>.example.com.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, beforeEach, afterEach, expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { COMMENT_MARKER } from '../../src/lib/ci/pr-comment.js';
import { runCli } from '../support/cli.js';
import {
  actionsStep,
  HEAD_SHA,
  readOutputs,
  workflowCommands,
  type ActionsStep,
} from '../support/github-actions.js';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { projectDir, seedClusterStack, seedDeployment } from '../integration/app/seed.js';
import {
  createDeployEnvironment,
  putImage,
  type DeployEnvironment,
} from '../integration/app/deploy-fixture.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

const TOKEN = 'ghs_e2eTokenThatMustNeverBePrinted000000002';

describeWith(['moto'], 'app deploy and destroy in GitHub Actions and GitLab CI', () => {
  let standin: GitHubStandin;
  let step: ActionsStep;
  let environment: DeployEnvironment;

  beforeEach(async () => {
    standin = await startGitHubStandin();
    step = await actionsStep({ apiUrl: standin.apiUrl, pullRequest: 7, token: TOKEN });
    environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'pr-7');
  });
  afterEach(() => standin.close());

  const cli = (args: string[], env: NodeJS.ProcessEnv = step.env) =>
    runCli(args, { cwd: environment.cwd, env, timeoutMs: 90_000 });

  it('deploy: outputs, summary, a successful deployment, one PR comment; redeploy edits it; destroy marks it inactive', async () => {
    const url = `http://whoami-pr-7.${environment.env}.example.com`;

    // when the PR's tag is deployed
    const first = await cli(['app', 'deploy', 'whoami', '--tag', 'pr-7', '--skip-probe']);

    // then the step succeeds, stdout is still only the URL, and the outputs carry it
    expect(first.stderr).not.toContain(TOKEN);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe(`${url}\n`);
    const outputs = await readOutputs(step.outputFile);
    expect(outputs).toMatchObject({ url, service: 'whoami-pr-7', status: 'rolled-out' });
    expect(outputs.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    expect(outputs['deployment-id']).toMatch(/^ecs-svc\//);
    // and the summary has the URL and the digest; the progress is grouped by phase
    const summary = await readFile(step.summaryFile, 'utf8');
    expect(summary).toContain(`<a href="${url}">${url}</a>`);
    expect(summary).toContain(outputs.image?.split('@')[1]);
    expect(workflowCommands(first.stderr, 'group')).toContain('Check cluster, image and service');
    // and one deployment with a success status carrying the URL, for the PR's head commit
    expect(standin.violations).toEqual([]);
    expect(standin.deployments).toHaveLength(1);
    expect(standin.deployments[0]).toMatchObject({
      environment: `${environment.env}/whoami-pr-7`,
      sha: HEAD_SHA,
    });
    expect(standin.deployments[0]?.statuses.map((s) => [s.state, s.environment_url])).toEqual([
      ['in_progress', ''],
      ['success', url],
    ]);
    // and one PR comment
    expect(standin.comments.get(7)).toHaveLength(1);
    expect(standin.comments.get(7)?.[0]?.body).toContain(COMMENT_MARKER);
    expect(standin.comments.get(7)?.[0]?.body).toContain(`[${url}](${url}) | ✅ rolled out`);
    const firstBody = standin.comments.get(7)?.[0]?.body;

    // when the tag is deployed again (a new push to the PR)
    const second = await cli(['app', 'deploy', 'whoami', '--tag', 'pr-7', '--skip-probe', '--force']);

    // then the same comment is edited, not a second one added
    expect(second.exitCode).toBe(0);
    expect(standin.comments.get(7)).toHaveLength(1);
    expect(standin.comments.get(7)?.[0]?.body).not.toBe(firstBody);
    expect(standin.requests.filter((r) => r.operationId === 'issues/create-comment')).toHaveLength(1);
    expect(standin.requests.filter((r) => r.operationId === 'issues/update-comment')).toHaveLength(1);

    // when the tag is destroyed
    const destroyed = await cli(['app', 'destroy', 'whoami', '--tag', 'pr-7', '--yes']);

    // then every deployment of the environment is inactive and the comment says removed
    expect(destroyed.exitCode).toBe(0);
    expect(standin.deployments).toHaveLength(2);
    for (const deployment of standin.deployments) expect(deployment.statuses.at(-1)?.state).toBe('inactive');
    expect(standin.comments.get(7)).toHaveLength(1);
    expect(standin.comments.get(7)?.[0]?.body).toContain(`~~${url}~~ | 🧹 removed`);
    expect(await readFile(step.summaryFile, 'utf8')).toContain(`whoami pr-7 on ${environment.env}: removed`);
    // and nothing GitHub was sent fell outside its description, nor did the token leak anywhere
    expect(standin.violations).toEqual([]);
    const everything = [first, second, destroyed].map((r) => r.stdout + r.stderr);
    for (const text of [
      ...everything,
      await readFile(step.outputFile, 'utf8'),
      await readFile(step.summaryFile, 'utf8'),
    ])
      expect(text).not.toContain(TOKEN);
  });

  it('a token without deployments: write: the deploy exits 0 with one warning naming the permission', async () => {
    standin.refuse({ operationId: 'repos/create-deployment', status: 403 });

    const { exitCode, stdout, stderr } = await cli([
      'app',
      'deploy',
      'whoami',
      '--tag',
      'pr-7',
      '--skip-probe',
    ]);

    expect(exitCode).toBe(0);
    expect(stdout).toBe(`http://whoami-pr-7.${environment.env}.example.com\n`);
    const warnings = workflowCommands(stderr, 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('`deployments: write`');
    expect(standin.deployments).toHaveLength(0);
    expect((await readOutputs(step.outputFile)).url).toBe(
      `http://whoami-pr-7.${environment.env}.example.com`,
    );
    expect(standin.violations).toEqual([]);
  });

  it('a failed deploy: exit code kept, failure in the outputs and summary, an error annotation', async () => {
    // a tag with no image: the deploy fails in preflight, before the GitHub deployment would matter
    const { exitCode, stderr } = await cli(['app', 'deploy', 'whoami', '--tag', 'pr-8', '--skip-probe']);

    expect(exitCode).not.toBe(0);
    expect(workflowCommands(stderr, 'error')).toHaveLength(1);
    expect((await readOutputs(step.outputFile)).status).toBe('failed');
    expect(await readFile(step.summaryFile, 'utf8')).toContain('Deploy of whoami pr-8');
    expect(standin.deployments[0]?.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect(standin.violations).toEqual([]);
  });

  it('GitLab CI: the dotenv report has the URL', async () => {
    const dotenv = path.join(step.dir, 'deploy.env');
    const { exitCode, stderr } = await cli(['app', 'deploy', 'whoami', '--tag', 'pr-7', '--skip-probe'], {
      GITLAB_CI: 'true',
      CI: 'true',
      TRAEFIKCTL_DOTENV: dotenv,
    });

    expect(exitCode).toBe(0);
    expect(await readFile(dotenv, 'utf8')).toContain(
      `TRAEFIKCTL_URL=http://whoami-pr-7.${environment.env}.example.com\n`,
    );
    const esc = '\u001b';
    expect(stderr).toMatch(
      new RegExp(
        `${esc}\\[0Ksection_start:\\d+:traefikctl_preflight\\[collapsed=true\\]\r${esc}\\[0KCheck cluster`,
      ),
    );
    expect(stderr).toMatch(new RegExp(`${esc}\\[0Ksection_end:\\d+:traefikctl_preflight\r`));
    expect(standin.requests).toEqual([]);
  });

  it('app prune --closed removes the deployments of closed PRs and gone branches, and marks them inactive', async () => {
    // given deployments of a merged PR, an open PR, a deleted branch and a release
    const env = uniqueName('pc');
    const app = uniqueName('who');
    const { cluster } = await seedClusterStack(clients, env);
    for (const tag of ['pr-7', 'pr-8', 'feature/gone', 'v1.0.0'])
      await seedDeployment(clients, cluster, { env, app, tag });
    standin.pulls.set(7, { state: 'closed', merged: true, head: 'feature-7' });
    standin.pulls.set(8, { state: 'open', merged: false, head: 'feature-8' });
    const cwd = await projectDir();
    const prune = (args: string[], env: NodeJS.ProcessEnv) =>
      runCli(['app', 'prune', app, ...args], { cwd, env });

    // when it runs without GitHub
    const refused = await prune(['--closed', '--env', env, '--yes'], { GITHUB_TOKEN: '' });
    // then it is bad input, naming what it needs, and nothing is removed
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('--closed asks GitHub which pull requests are closed');

    // when it runs in GitHub Actions (a scheduled job: no PR event)
    const { exitCode, stdout } = await prune(['--closed', '--env', env, '--yes', '--json'], {
      ...step.env,
      GITHUB_EVENT_NAME: 'schedule',
    });

    // then exactly the merged PR's and the gone branch's deployments are removed
    expect(exitCode).toBe(0);
    const result = JSON.parse(stdout) as {
      deployments: { tag: string; reasons: string[]; status: string }[];
      kept: number;
    };
    expect(result.deployments.map((d) => [d.tag, d.reasons, d.status]).sort()).toEqual([
      ['feature/gone', ['branch feature/gone is gone'], 'removed'],
      ['pr-7', ['pull request #7 is merged'], 'removed'],
    ]);
    expect(result.kept).toBe(2);
    expect(await readFile(step.summaryFile, 'utf8')).toContain(`Prune of ${env}: 2 removed, 2 kept`);
    expect(
      standin.requests
        .filter((r) => r.operationId === 'repos/list-deployments')
        .map((r) => r.query.environment)
        .sort(),
    ).toEqual([`${env}/${app}-feature-gone`, `${env}/${app}-pr-7`]);
    expect(standin.violations).toEqual([]);
  });
});
