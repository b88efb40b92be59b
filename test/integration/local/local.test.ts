/**
 * The local target end to end on the real engine and the real Traefik image of the stack: `cluster up`
 * starts Traefik on traefikctl's network and a free port of 127.0.0.1, `image push` builds into the
 * engine, `app deploy` runs containers with the ECS label map and waits until Traefik routes them and
 * the URL answers. Requests go only to 127.0.0.1 (with the deployment's Host) and to containers on
 * the network this test created.
 */
import { readFile, stat } from 'node:fs/promises';

import { afterAll, beforeAll, expect, it } from 'vitest';

import type { DeployResult } from '../../../src/lib/model.js';
import { runDocker } from '../../../src/lib/docker/exec.js';
import { UserError } from '../../../src/lib/errors.js';
import type { ProgressEvent } from '../../../src/lib/events.js';
import { localClusterStatus, localClusterUp, localTraefikClient } from '../../../src/lib/local/cluster.js';
import { deployLocal } from '../../../src/lib/local/deploy.js';
import { destroyLocalDeployments, planLocalDestroy } from '../../../src/lib/local/destroy.js';
import { inspectContainer } from '../../../src/lib/local/engine.js';
import type { LocalEnvironment } from '../../../src/lib/env/local.js';
import { buildLocalImage } from '../../../src/lib/local/image.js';
import { listLocalDeployments, localUrls } from '../../../src/lib/local/list.js';
import { localLogs } from '../../../src/lib/local/logs.js';
import { ENV_LABEL } from '../../../src/lib/labels.js';
import { describeWith } from '../../support/stack.js';
import { answerFor, getWithHost } from '../traefik/support.js';
import { localProject, type LocalProject } from './support.js';

describeWith(['docker', 'traefik'], 'the local target on the real engine and Traefik', (stack) => {
  let project: LocalProject;
  let local: LocalEnvironment;
  const savedConfigHome = process.env.XDG_CONFIG_HOME;
  const web = () => `http://127.0.0.1:${project.port}`;

  const deploy = (app: string, tag: string, extra: Partial<Parameters<typeof deployLocal>[0]> = {}) =>
    deployLocal({
      cwd: project.dir,
      global: { env: project.env },
      app,
      tag,
      timeoutMs: 90_000,
      ...extra,
    });
  const build = async (app: 'whoami' | 'crasher', tag: string) => {
    const ctx = local.context;
    const appConfig = ctx.apps[app];
    if (appConfig === undefined) throw new Error(`no app ${app}`);
    return buildLocalImage({ app, appConfig, configDir: ctx.configDir, tags: [tag] });
  };

  beforeAll(async () => {
    project = await localProject(stack, 'lt');
    // The API password file goes under this test's own config directory.
    process.env.XDG_CONFIG_HOME = project.configHome;
    local = await project.local();
    await Promise.all([build('whoami', 'v1'), build('whoami', 'v2'), build('crasher', 'v1')]);
  }, 180_000);

  afterAll(async () => {
    if (savedConfigHome === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = savedConfigHome;
    await project?.cleanUp();
  }, 60_000);

  it('brings Traefik up on its own network and port, and a second run changes nothing', async () => {
    // when the cluster is brought up twice
    const first = await localClusterUp({ local });
    const traefikBefore = await inspectContainer(local.traefikContainer);
    const second = await localClusterUp({ local });
    const traefikAfter = await inspectContainer(local.traefikContainer);

    // then the first run created it and the second left the same container running
    expect(first).toMatchObject({
      action: 'created',
      network: project.network,
      entryPointUrl: `http://127.0.0.1:${project.port}`,
      apiUrl: `http://traefik.${project.env}.localhost:${project.port}`,
      passwordCreated: true,
    });
    expect(first.traefikVersion?.replace(/^v/, '')).toBe(stack.traefik.version.replace(/^v/, ''));
    expect(second).toMatchObject({ action: 'unchanged', passwordCreated: false });
    expect(traefikAfter?.Id).toBe(traefikBefore?.Id);
    // and the password file is the user's alone, and the container knows only its bcrypt hash
    expect((await stat(local.passwordFile)).mode & 0o777).toBe(0o600);
    const labels = traefikAfter?.Config.Labels ?? {};
    expect(labels[ENV_LABEL]).toBe(project.env);
    expect(labels['traefik.http.middlewares.traefikctl-api-auth.basicauth.users']).toMatch(
      /^admin:\$2[aby]\$08\$/,
    );
    // and the API refuses a request without the password
    const anonymous = await getWithHost(`${web()}/api/version`, local.apiHost);
    expect(anonymous.status).toBe(401);
    // and /metrics is served only through the API's router, behind the same password (as on ECS)
    expect((await getWithHost(`${web()}/metrics`, local.apiHost)).status).toBe(401);
    const password = (await readFile(local.passwordFile, 'utf8')).trim();
    const basic = `Basic ${Buffer.from(`${local.username}:${password}`).toString('base64')}`;
    const metrics = await getWithHost(`${web()}/metrics`, local.apiHost, { authorization: basic });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('traefik_config_reloads_total');
    // and the status reads it all back
    const status = await localClusterStatus(local);
    expect(status).toMatchObject({
      network: { exists: true },
      traefik: { state: 'running' },
      api: { ok: true },
    });
  }, 120_000);

  it('deploys two tags, each answering on its own host through 127.0.0.1', async () => {
    // given Traefik is up
    await localClusterUp({ local });
    const events: ProgressEvent[] = [];

    // when two tags of whoami are deployed
    const v1 = await deploy('whoami', 'v1', { onEvent: (event) => events.push(event) });
    const v2 = await deploy('whoami', 'v2');

    // then each is live on its URL, with the ECS deploy's result shape
    for (const [result, tag] of [
      [v1, 'v1'],
      [v2, 'v2'],
    ] as const) {
      expect(result).toMatchObject<Partial<DeployResult>>({
        app: 'whoami',
        tag,
        env: project.env,
        host: `whoami-${tag}.${project.env}.localhost`,
        url: `http://whoami-${tag}.${project.env}.localhost:${project.port}`,
        service: `whoami-${tag}`,
        status: 'live',
        action: 'created',
      });
      const answer = await getWithHost(web(), result.host);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: `${tag}\n` });
    }
    // and the phases are the ECS ones in spirit: started -> healthy -> routed -> answered
    expect(v1.phases.map((phase) => [phase.id, phase.status])).toEqual([
      ['preflight', 'done'],
      ['container', 'done'],
      ['healthy', 'done'],
      ['route', 'done'],
      ['probe', 'done'],
    ]);
    expect(events.some((event) => event.type === 'info' && event.message === `Live: ${v1.url}`)).toBe(true);

    // and app urls lists both with their routes, as on ECS
    const urls = await localUrls(local);
    expect(urls.traefik.status).toBe('ok');
    expect(
      urls.deployments.map((row) => [row.tag, row.running, row.route?.status, row.route?.serversUp]),
    ).toEqual([
      ['v2', 1, 'enabled', 1],
      ['v1', 1, 'enabled', 1],
    ]);
  }, 180_000);

  it('redeploys a tag under a request loop without losing a request', async () => {
    // given whoami v1 is live
    await localClusterUp({ local });
    const before = await deploy('whoami', 'v1');
    const [oldContainer] =
      (await listLocalDeployments(local, { app: 'whoami' })).find((d) => d.tag === 'v1')?.containers ?? [];

    // when it is redeployed (a new container) while requests keep coming, bounded in count and time
    let done = false;
    let sent = 0;
    const failures: string[] = [];
    const loop = (async () => {
      const stopAt = Date.now() + 120_000;
      while (!done && sent < 20_000 && Date.now() < stopAt) {
        sent++;
        try {
          const answer = await getWithHost(web(), before.host, {}, 5_000);
          if (answer.status !== 200 || answer.body !== 'v1\n')
            failures.push(`${answer.status} ${answer.body.trim()}`);
        } catch (error) {
          failures.push(String(error));
        }
      }
    })();
    let after: DeployResult;
    try {
      after = await deploy('whoami', 'v1', { force: true });
      // a few more requests once the old container is gone
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      done = true;
      await loop;
    }
    console.log(`redeploy under load: ${sent} requests, ${failures.length} failed`);

    // then a new container serves the tag, the old one is gone, and not one request failed
    expect(after.action).toBe('updated');
    expect(after.deploymentId).not.toBe(before.deploymentId);
    expect(await inspectContainer(oldContainer ?? 'none')).toBeUndefined();
    expect(sent).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  }, 180_000);

  it('removes a deployment and its route with app destroy', async () => {
    // given v2 is live
    await localClusterUp({ local });
    const v2 = await deploy('whoami', 'v2');
    await answerFor(web(), v2.host, 200);

    // when it is destroyed
    const target = await planLocalDestroy(local, { app: 'whoami', tag: 'v2' });
    const [removed] = await destroyLocalDeployments([target]);

    // then its containers are gone, Traefik has no router for it, and its host gets Traefik's 404
    expect(removed).toMatchObject({ app: 'whoami', tag: 'v2', service: 'whoami-v2', status: 'removed' });
    expect((await listLocalDeployments(local)).map((d) => d.tag)).not.toContain('v2');
    const client = await localTraefikClient(local);
    await expect.poll(() => client.httpRouter('whoami-v2@docker'), { timeout: 10_000 }).toBeUndefined();
    const gone = await answerFor(web(), v2.host, 404);
    expect(gone.body).toBe('404 page not found\n');
  }, 120_000);

  it('fails a deploy whose container exits at once with exit 3, its exit code and its last log lines', async () => {
    await localClusterUp({ local });

    // when an app whose process exits with 7 is deployed
    const failure = await deploy('crasher', 'v1').then(
      () => undefined,
      (error: unknown) => error,
    );

    // then it is a deployment failure that explains itself, and nothing of it stays behind
    expect(failure).toBeInstanceOf(UserError);
    const error = failure as UserError;
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/exited with code 7/);
    expect(error.suggestions).toContain('log: boom: no config found');
    expect((await listLocalDeployments(local, { app: 'crasher' })).length).toBe(0);
  }, 120_000);

  it("fails a deploy at its preflight, with nothing started, when Traefik's API hangs", async () => {
    await localClusterUp({ local });
    // given the env's Traefik paused: its container is still "running", its API answers nothing
    await runDocker(['pause', local.traefikContainer]);
    let failure: unknown;
    try {
      // when an app is deployed
      failure = await deploy('crasher', 'v1').then(
        () => undefined,
        (error: unknown) => error,
      );
    } finally {
      await runDocker(['unpause', local.traefikContainer]);
    }

    // then the preflight says so within its one short look, and no container was created
    expect(failure).toBeInstanceOf(UserError);
    const error = failure as UserError;
    expect(error.exitCode).toBe(1);
    expect(error.code).toBe('TRAEFIK_TIMEOUT');
    expect(error.message).toMatch(
      /doesn't answer .* within 5s: the deploy can't be verified, so nothing was changed\.$/,
    );
    expect((await listLocalDeployments(local, { app: 'crasher' })).length).toBe(0);
  }, 120_000);

  it('reads a deployment’s logs from its container', async () => {
    await localClusterUp({ local });
    await deploy('whoami', 'v1');

    const logs = await localLogs(local, { app: 'whoami', tag: 'v1', since: '1h' });

    expect(logs).toMatchObject({ app: 'whoami', tag: 'v1', env: project.env, service: 'whoami-v1' });
    // busybox httpd writes nothing by itself: the result is still a well-formed, empty list
    expect(Array.isArray(logs?.events)).toBe(true);
  }, 120_000);
});
