/**
 * The acceptance through the built CLI (bin/run.js, dist/), as a user runs it: `cluster up`,
 * `image push` and `app deploy` on a `docker` env print what they print on ECS, the URL answers
 * through 127.0.0.1 with its Host, `app urls --json` has the ECS shape, `routes` joins Traefik's
 * routers with the deployments, `app destroy` removes container and route, `cluster down` the rest.
 * In GitHub Actions and GitLab CI a local deploy reports as an ECS one does, without GitHub deployments.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { runCli, type CliResult } from '../../support/cli.js';
import { actionsStep, readOutputs, workflowCommands } from '../../support/github-actions.js';
import { startGitHubStandin } from '../../support/github-standin.js';
import { describeWith } from '../../support/stack.js';
import { answerFor, getWithHost } from '../traefik/support.js';
import { localProject, type LocalProject } from './support.js';

describeWith(['docker', 'traefik'], 'the local target through the CLI', (stack) => {
  let project: LocalProject;
  const cli = (
    args: readonly string[],
    timeoutMs = 120_000,
    env: NodeJS.ProcessEnv = {},
  ): Promise<CliResult> =>
    runCli([...args, '--env', project.env], {
      cwd: project.dir,
      env: { XDG_CONFIG_HOME: project.configHome, DOCKER_HOST: stack.dockerHost, ...env },
      timeoutMs,
    });
  const web = () => `http://127.0.0.1:${project.port}`;

  beforeAll(async () => {
    project = await localProject(stack, 'lc');
  });

  afterAll(async () => {
    await project?.cleanUp();
  }, 60_000);

  it('runs the quick start: cluster up, image push, app deploy, and the URL answers', async () => {
    // when the three commands of the quick start run
    const up = await cli(['cluster', 'up']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toContain(`on http://127.0.0.1:${project.port}`);
    const again = await cli(['cluster', 'up', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ action: 'unchanged', target: 'docker' });

    const push = await cli(['image', 'push', 'whoami', '--tag', 'v2']);
    expect(push.exitCode, push.stderr).toBe(0);
    expect(push.stdout.trim()).toBe(`${project.repositories.whoami}:v2`);

    const deploy = await cli(['app', 'deploy', 'whoami', '--tag', 'v2']);

    // then deploy prints only the URL, and the URL answers from the container through 127.0.0.1
    expect(deploy.exitCode, deploy.stderr).toBe(0);
    const host = `whoami-v2.${project.env}.localhost`;
    expect(deploy.stdout).toBe(`http://${host}:${project.port}\n`);
    expect(deploy.stderr).toContain(`Route whoami-v2@docker in Traefik`);
    const answer = await getWithHost(web(), host);
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: 'v2\n' });
  }, 300_000);

  it('in GitHub Actions, app deploy writes the step outputs, the summary and log groups, and no GitHub deployment', async () => {
    // given a step of a pull request's workflow, with a token and a stand-in for GitHub's API
    const standin = await startGitHubStandin();
    const step = await actionsStep({ apiUrl: standin.apiUrl, pullRequest: 7, token: 'ghs_local' });
    try {
      // when the live tag is deployed again there
      const deploy = await cli(['app', 'deploy', 'whoami', '--tag', 'v2', '--force'], 120_000, step.env);

      // then the step has the URL and the status as outputs, as after an ECS deploy
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      const host = `whoami-v2.${project.env}.localhost`;
      const url = `http://${host}:${project.port}`;
      expect(await readOutputs(step.outputFile)).toMatchObject({
        url,
        host,
        status: 'live',
        service: 'whoami-v2',
      });
      expect(await readFile(step.summaryFile, 'utf8')).toContain(url);
      expect(workflowCommands(deploy.stderr, 'group').length).toBeGreaterThan(0);
      // and GitHub was not asked for anything: a loopback URL is no deployment for reviewers to open
      expect(standin.requests).toEqual([]);
      expect((await getWithHost(web(), host)).body).toBe('v2\n');
    } finally {
      await standin.close();
      await rm(step.dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('in GitLab CI, app deploy writes the URL to the dotenv report and a log section per phase', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-gitlab-'));
    try {
      const dotenv = path.join(dir, 'deploy.env');
      const deploy = await cli(['app', 'deploy', 'whoami', '--tag', 'v2', '--force'], 120_000, {
        GITLAB_CI: 'true',
        CI: 'true',
        TRAEFIKCTL_DOTENV: dotenv,
      });

      expect(deploy.exitCode, deploy.stderr).toBe(0);
      const url = `http://whoami-v2.${project.env}.localhost:${project.port}`;
      expect(await readFile(dotenv, 'utf8')).toContain(`TRAEFIKCTL_URL=${url}\n`);
      const esc = '\u001b';
      expect(deploy.stderr).toMatch(
        new RegExp(`${esc}\\[0Ksection_start:\\d+:traefikctl_preflight\\[collapsed=true\\]`),
      );
      expect(deploy.stdout).toBe(`${url}\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('lists, routes, reports and removes the deployment in the ECS shapes', async () => {
    const host = `whoami-v2.${project.env}.localhost`;
    await answerFor(web(), host, 200);

    // app urls --json: {env, target, cluster, traefik, deployments[]} with the ECS row keys
    const urls = await cli(['app', 'urls', '--json']);
    expect(urls.exitCode, urls.stderr).toBe(0);
    const listed = JSON.parse(urls.stdout) as { target: string; deployments: Record<string, unknown>[] };
    expect(Object.keys(listed).sort()).toEqual(['cluster', 'deployments', 'env', 'target', 'traefik']);
    expect(listed.target).toBe('docker');
    expect(listed.deployments).toHaveLength(1);
    expect(listed.deployments[0]).toMatchObject({
      app: 'whoami',
      tag: 'v2',
      host,
      url: `http://${host}:${project.port}`,
      service: 'whoami-v2',
      running: 1,
      desired: 1,
      route: { status: 'enabled', serversUp: 1, serversTotal: 1 },
    });
    expect(Object.keys(listed.deployments[0] ?? {})).toEqual(
      expect.arrayContaining(['deployedAt', 'deployedBy', 'image', 'pending', 'rollout']),
    );

    // routes: Traefik's router of the deployment, joined with it (app/tag known)
    const routes = await cli(['routes', '--json']);
    expect(routes.exitCode, routes.stderr).toBe(0);
    const route = (
      JSON.parse(routes.stdout) as { name: string; deployment?: { app: string; tag: string } }[]
    ).find((candidate) => candidate.name === 'whoami-v2@docker');
    expect(route?.deployment).toMatchObject({ app: 'whoami', tag: 'v2' });

    // status, cluster status and doctor see a healthy env, without asking AWS
    const status = await cli(['status', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ env: project.env, target: 'docker', problems: 0 });
    const clusterStatus = await cli(['cluster', 'status', '--json']);
    expect(JSON.parse(clusterStatus.stdout)).toMatchObject({
      traefik: { state: 'running' },
      api: { ok: true },
    });
    const doctor = await cli(['doctor']);
    expect(doctor.exitCode, doctor.stdout).toBe(0);

    // a deploy of a tag that was never built is refused, saying how to build it, and starts nothing
    const missing = await cli(['app', 'deploy', 'crasher', '--tag', 'v9']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`The local engine has no image ${project.repositories.crasher}:v9`);
    expect(missing.stderr).toContain(`traefikctl image push crasher --tag v9 --env ${project.env}`);
    // ... and the check that found it out says so: it is not a passed step followed by an error.
    expect(missing.stderr).toContain(
      `✗ Check Docker, Traefik and image: The local engine has no image ${project.repositories.crasher}:v9`,
    );
    expect(missing.stderr).not.toContain('✓ Check Docker, Traefik and image');

    // app prune selects by the same criteria, and --dry-run only lists
    const prune = await cli(['app', 'prune', '--keep', '0', '--dry-run', '--json']);
    expect(prune.exitCode, prune.stderr).toBe(0);
    expect(JSON.parse(prune.stdout)).toMatchObject({
      dryRun: true,
      deployments: [{ app: 'whoami', tag: 'v2' }],
    });

    // app destroy removes the container and the route
    const destroy = await cli(['app', 'destroy', 'whoami', '--tag', 'v2', '--yes']);
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect(destroy.stderr).toMatch(/− container whoami-v2-[0-9a-f]{6} \(1\/1 running\) on network /);
    const gone = await answerFor(web(), host, 404);
    expect(gone.body).toBe('404 page not found\n');
    const after = await cli(['app', 'urls', '--json']);
    expect((JSON.parse(after.stdout) as { deployments: unknown[] }).deployments).toEqual([]);

    // cluster down removes Traefik and the network
    const down = await cli(['cluster', 'down', '--yes']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stdout).toContain(`network ${project.network}`);
  }, 300_000);
});
