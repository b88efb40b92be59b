/**
 * The deploy state machine on a fake AWS, for what moto can't show: a deployment in progress next to
 * ours, a rollout that is still going when Ctrl-C comes, calls that must never be made. The moto
 * integration test (test/integration/app/deploy.test.ts) covers the real API calls.
 */
import { describe, expect, it } from 'vitest';

import { deployApp, type DeployAppOptions } from '../../../../src/lib/app/deploy/index.js';
import type { RouteApi } from '../../../../src/lib/app/deploy/track-route.js';
import { ExitCode, UserError } from '../../../../src/lib/errors.js';
import type { ProgressEvent } from '../../../../src/lib/events.js';
import { DIGEST, fakeAws, forbiddenAws, project, REPOSITORY_URI, type FakeAws } from './fakes.js';
import { TraefikClient } from '../../../../src/lib/traefik/client.js';
import { rejection } from '../../../support/errors.js';
import { startTraefikServer } from '../../../support/traefik-server.js';

async function deploy(aws: FakeAws | ReturnType<typeof forbiddenAws>, extra: Partial<DeployAppOptions> = {}) {
  const events: ProgressEvent[] = [];
  const result = await deployApp({
    cwd: extra.cwd ?? (await project()),
    global: {},
    app: 'whoami',
    tag: 'v2',
    aws,
    skipProbe: true,
    poller: { intervalMs: 5 },
    onEvent: (event) => events.push(event),
    ...extra,
  });
  return { result, events };
}

const mutating = (calls: readonly string[]) =>
  calls.filter((name) => /^(register|create|update|tag|untag)/.test(name));

describe('deployApp', () => {
  it('creates the service, follows its deployment and returns the result CI reads', async () => {
    const aws = fakeAws();

    const { result, events } = await deploy(aws);

    expect(result).toEqual({
      app: 'whoami',
      tag: 'v2',
      env: 'dev',
      host: 'whoami-v2.dev.example.com',
      url: 'http://whoami-v2.dev.example.com',
      service: 'whoami-v2',
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/whoami-v2:1',
      deploymentId: 'ecs-svc/1111',
      image: `${REPOSITORY_URI}@${DIGEST}`,
      status: 'rolled-out',
      action: 'created',
      phases: [
        {
          id: 'preflight',
          title: 'Check cluster, image and service',
          status: 'done',
          elapsedMs: expect.any(Number) as unknown,
          detail: `cluster traefikctl-dev, image ${DIGEST.slice(0, 19)}…, service is new`,
        },
        {
          id: 'task-definition',
          title: 'Register task definition',
          status: 'done',
          elapsedMs: expect.any(Number) as unknown,
          detail: 'whoami-v2:1',
        },
        {
          id: 'service',
          title: 'Create service whoami-v2',
          status: 'done',
          elapsedMs: expect.any(Number) as unknown,
          detail: 'ecs-svc/1111',
        },
        {
          id: 'rollout',
          title: 'Roll out 1 task',
          status: 'done',
          elapsedMs: expect.any(Number) as unknown,
          detail: '1/1 running',
        },
        {
          id: 'route',
          title: 'Route in Traefik',
          status: 'skipped',
          detail: 'no Traefik API configured (traefik.apiUrl)',
        },
        { id: 'probe', title: 'Probe URL', status: 'skipped', detail: '--skip-probe' },
      ],
    });
    expect(mutating(aws.calls)).toEqual(['registerTaskDefinition', 'createService']);
    expect(events.at(-1)).toEqual({
      type: 'info',
      message: 'Rolled out: http://whoami-v2.dev.example.com (not probed)',
    });
  });

  it('checks the input, the timeout and the probe address before any AWS call (exit 2)', async () => {
    const aws = forbiddenAws();
    const cwd = await project();

    for (const [extra, code] of [
      [{ app: 'nope' }, 'APP_UNKNOWN'],
      [{ tag: '%%%' }, 'TAG_INVALID'],
      [{ timeout: 'soon' }, 'DURATION_INVALID'],
      [{ probeAddress: 'http://x' }, 'PROBE_ADDRESS_INVALID'],
      [{ env: { TRAEFIKCTL_CONNECT_TO: 'http://x' } }, 'CONNECT_TO_INVALID'],
      [{ ttl: '3 days' }, 'DURATION_INVALID'],
    ] as const) {
      const error = await rejection(deploy(aws, { cwd, ...extra }));
      expect(error.exitCode).toBe(ExitCode.Usage);
      expect(error.code).toBe(code);
    }
    expect(aws.calls).toEqual([]);
  });

  it("refuses a secret the execution role can't read before any AWS call (exit 2)", async () => {
    const aws = forbiddenAws();
    const cwd = await project(
      'domain: example.com\napps:\n  whoami:\n    secrets:\n      TOKEN: arn:aws:secretsmanager:eu-west-1:123456789012:secret:whoami/token-AbCdEf\n',
    );

    const error = await rejection(deploy(aws, { cwd }));

    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.code).toBe('SECRET_NOT_READABLE');
    expect(error.message).toContain('is not a Secrets Manager secret under traefikctl/dev/apps/');
    expect(aws.calls).toEqual([]);
  });

  it('updates the existing service, rewrites its tags and drops an expiry the new plan no longer has', async () => {
    // given v2 deployed with a ttl
    const aws = fakeAws();
    await deploy(aws, { ttl: '7d' });
    aws.calls.length = 0;
    // and a new image pushed for v2
    aws.state.digests.v2 = `sha256:${'e2'.repeat(32)}`;

    // when deployed again without a ttl
    const { result } = await deploy(aws);

    // then the same service was updated, not created again
    expect(result.action).toBe('updated');
    expect(result.deploymentId).toBe('ecs-svc/2222');
    expect(mutating(aws.calls)).toEqual([
      'registerTaskDefinition',
      'updateService',
      'tagResource',
      'untagResource',
    ]);
    expect(result.taskDefinitionArn).toMatch(/whoami-v2:2$/);
  });

  it('only renews the record, follows and checks when the tag is deployed again with nothing new', async () => {
    // given v2 deployed on March 1st with a 7-day ttl
    const aws = fakeAws();
    const ttl = await project('domain: example.com\napps:\n  whoami:\n    port: 80\n    ttl: 7d\n');
    const first = await deploy(aws, { cwd: ttl, now: () => new Date('2026-03-01T12:00:00.000Z') });
    const taskDefinition = first.result.taskDefinitionArn;
    aws.calls.length = 0;

    // when the same build is deployed again five days later
    const { result, events } = await deploy(aws, {
      cwd: ttl,
      now: () => new Date('2026-03-06T09:30:00.000Z'),
    });

    // then nothing is registered or updated: only the tags of the service and its revision move forward
    expect(result.action).toBe('unchanged');
    expect(result.taskDefinitionArn).toBe(taskDefinition);
    expect(result.deploymentId).toBe('ecs-svc/1111');
    expect(result.expiresAt).toBe('2026-03-13T09:30:00.000Z');
    expect(mutating(aws.calls)).toEqual(['tagResource', 'tagResource']);
    const record = (
      tags: readonly { key?: string | undefined; value?: string | undefined }[] | undefined,
    ): Record<string, unknown> =>
      Object.fromEntries((tags ?? []).map(({ key, value }): [string, unknown] => [key ?? '', value]));
    for (const tags of [aws.state.service?.tags, aws.state.taskDefinitions[taskDefinition]?.tags]) {
      expect(record(tags)).toMatchObject({
        'traefikctl:deployed-at': '2026-03-06T09:30:00.000Z',
        'traefikctl:expires-at': '2026-03-13T09:30:00.000Z',
        'traefikctl:image': `${REPOSITORY_URI}@${DIGEST}`,
      });
    }
    expect(result.phases.find((p) => p.id === 'task-definition')).toMatchObject({
      status: 'skipped',
      detail: 'already whoami-v2:1',
    });
    // and the progress says so
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'phase',
        id: 'service',
        status: 'done',
        detail: 'unchanged, expiry extended to 2026-03-13T09:30:00.000Z; following ecs-svc/1111',
      }),
    );
  });

  it('drops the expiry of an unchanged deployment deployed again without a ttl', async () => {
    // given v2 deployed with --ttl 1d
    const aws = fakeAws();
    const first = await deploy(aws, { ttl: '1d' });
    aws.calls.length = 0;

    // when deployed again, same build, no ttl
    const { result } = await deploy(aws, { now: () => new Date('2026-03-02T00:00:00.000Z') });

    // then its tags say it no longer expires (on the service and on its revision)
    expect(result.action).toBe('unchanged');
    expect(result).not.toHaveProperty('expiresAt');
    expect(mutating(aws.calls)).toEqual(['tagResource', 'untagResource', 'tagResource', 'untagResource']);
    const keys = (tags: readonly { key?: string | undefined }[] | undefined) =>
      (tags ?? []).map((tag) => tag.key);
    expect(keys(aws.state.service?.tags)).not.toContain('traefikctl:expires-at');
    expect(keys(aws.state.taskDefinitions[first.result.taskDefinitionArn]?.tags)).not.toContain(
      'traefikctl:expires-at',
    );
    expect(result.phases.find((p) => p.id === 'service')?.detail).toBe(
      'unchanged, deployed-at renewed (2026-03-02T00:00:00.000Z; no ttl); following ecs-svc/1111',
    );
  });

  it('refuses while another revision is still rolling out, unless --force', async () => {
    // given v2 deployed, and a different build of v2 rolling out right now (another CI job)
    const aws = fakeAws();
    await deploy(aws);
    aws.state.settle = false;
    aws.state.digests.v2 = `sha256:${'f3'.repeat(32)}`;
    await deploy(aws, { wait: false });
    aws.state.digests.v2 = `sha256:${'a4'.repeat(32)}`;
    aws.calls.length = 0;

    // when this job deploys its own build
    const error = await rejection(deploy(aws, { now: () => new Date() }));

    // then it is refused with the reason and both ways out, and nothing was changed
    expect(error.code).toBe('DEPLOYMENT_IN_PROGRESS');
    expect(error.exitCode).toBe(ExitCode.Failure);
    expect(error.message).toMatch(
      /^Another deployment of whoami-v2 is in progress \(ecs-svc\/2222: whoami-v2:2, 0\/1 running/,
    );
    expect(error.suggestions).toEqual([
      'Wait for it to finish, then run this command again.',
      'Or replace it now: `traefikctl app deploy whoami --tag v2 --env dev --force`.',
    ]);
    expect(mutating(aws.calls)).toEqual([]);

    // when forced
    aws.state.settle = true;
    const forced = await deploy(aws, { force: true });
    expect(forced.result.action).toBe('updated');
  });

  it('returns right after the change with --no-wait, and never polls', async () => {
    const aws = fakeAws({ settle: false });

    const { result } = await deploy(aws, { wait: false });

    expect(result.status).toBe('applied');
    expect(aws.calls).not.toContain('describeServices');
    expect(result.phases.slice(-3).map((p) => [p.id, p.status, p.detail])).toEqual([
      ['rollout', 'skipped', '--no-wait'],
      ['route', 'skipped', '--no-wait'],
      ['probe', 'skipped', '--no-wait'],
    ]);
  });

  it('stops watching on Ctrl-C with exit 130, and says how to watch again or roll back', async () => {
    // given v2 running, and a new build whose rollout never ends
    const aws = fakeAws();
    await deploy(aws);
    aws.state.settle = false;
    aws.state.digests.v2 = `sha256:${'b5'.repeat(32)}`;
    const interrupt = new AbortController();

    // when Ctrl-C comes while the rollout is followed
    const error = await rejection(
      deploy(aws, {
        signal: interrupt.signal,
        onEvent: (event) => {
          if (event.type === 'phase' && event.id === 'rollout' && event.status === 'running')
            interrupt.abort();
        },
      }),
    );

    // then
    expect(error.exitCode).toBe(ExitCode.Interrupted);
    expect(error.message).toBe('Stopped watching whoami-v2: the deployment ecs-svc/2222 goes on in ECS.');
    expect(error.suggestions).toEqual([
      'Watch it again (it picks up the same deployment): `traefikctl app deploy whoami --tag v2 --env dev`.',
      'Or roll back: `aws ecs update-service --cluster traefikctl-dev --service whoami-v2 --task-definition arn:aws:ecs:eu-west-1:123456789012:task-definition/whoami-v2:1`.',
    ]);
  });

  it('says nothing was changed when Ctrl-C comes before the service is touched', async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const error = await rejection(deploy(fakeAws(), { signal: interrupt.signal }));
    expect(error.exitCode).toBe(ExitCode.Interrupted);
    expect(error.message).toBe('Stopped before changing anything.');
  });

  it('says the tags may be partly renewed when Ctrl-C comes while an unchanged deployment is retagged', async () => {
    // given v2 deployed, and the same build deployed again
    const aws = fakeAws();
    await deploy(aws);
    const interrupt = new AbortController();
    const tagResource = aws.tagResource.bind(aws);
    aws.tagResource = async (arn, tags) => {
      await tagResource(arn, tags);
      // Ctrl-C lands while the SDK call is in flight: the tag is written, the call ends aborted.
      interrupt.abort();
      throw Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    };

    // when the redeploy is interrupted during the first TagResource
    const error = await rejection(deploy(aws, { signal: interrupt.signal }));

    // then it doesn't claim nothing changed
    expect(error.exitCode).toBe(ExitCode.Interrupted);
    expect(error.message).toBe(
      'Stopped while renewing the tags of whoami-v2 (deployed-at, expires-at): some may be renewed, nothing else was changed.',
    );
    expect(error.suggestions).toEqual([
      'Deploy again with `traefikctl app deploy whoami --tag v2 --env dev`.',
    ]);
  });

  it('says the update may have happened when Ctrl-C aborts an UpdateService in flight', async () => {
    // given v2 running on revision 1, and a new build of v2
    const aws = fakeAws();
    await deploy(aws);
    aws.state.digests.v2 = `sha256:${'c6'.repeat(32)}`;
    const interrupt = new AbortController();
    const updateService = aws.updateService.bind(aws);
    aws.updateService = async (input) => {
      // ECS takes the update; its answer is still out when Ctrl-C aborts the call (as the SDK does)
      await updateService(input);
      interrupt.abort();
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    };

    // when
    const error = await rejection(deploy(aws, { signal: interrupt.signal }));

    // then it doesn't claim the service was not changed, and says how to look, go on or roll back
    expect(error.exitCode).toBe(ExitCode.Interrupted);
    expect(error.message).toBe(
      'Stopped while ECS was updating the service whoami-v2 to whoami-v2:2: the request was sent, so the update may have happened.',
    );
    expect(error.suggestions).toEqual([
      'See what is there: `aws ecs describe-services --cluster traefikctl-dev --services whoami-v2`.',
      'Deploy again to finish (it picks up what is there): `traefikctl app deploy whoami --tag v2 --env dev`.',
      'Or roll back: `aws ecs update-service --cluster traefikctl-dev --service whoami-v2 --task-definition arn:aws:ecs:eu-west-1:123456789012:task-definition/whoami-v2:1`.',
    ]);
  });

  it('ends at once on Ctrl-C even when the call in flight ignores it', async () => {
    // given a CreateService that never settles, whatever happens
    const aws = fakeAws();
    const interrupt = new AbortController();
    aws.createService = () => {
      setImmediate(() => interrupt.abort());
      return new Promise(() => {});
    };

    // when Ctrl-C comes while it hangs
    const error = await rejection(deploy(aws, { signal: interrupt.signal }));

    // then the deploy ends with exit 130, saying the service may exist
    expect(error.exitCode).toBe(ExitCode.Interrupted);
    expect(error.message).toBe(
      'Stopped while ECS was creating the service whoami-v2: the request was sent, so the service may exist now.',
    );
  });

  it('stops waiting for its route when the service is deleted meanwhile (app destroy), exit 3', async () => {
    // given a route Traefik never shows, and the service deleted after the second look
    const aws = fakeAws();
    let looks = 0;
    const routeApi: RouteApi = {
      displayUrl: 'https://traefik.dev.example.com',
      httpRouter: () => {
        if (++looks === 2 && aws.state.service !== undefined)
          aws.state.service = { ...aws.state.service, status: 'INACTIVE' };
        return Promise.resolve(undefined);
      },
      httpService: () => Promise.resolve(undefined),
    };

    // when deployed
    const error = await rejection(deploy(aws, { routeApi }));

    // then it stops at the next look, saying so, instead of waiting out the route timeout
    expect(error.exitCode).toBe(ExitCode.DeploymentFailed);
    expect(error.code).toBe('ROLLOUT_SERVICE_GONE');
    expect(error.message).toBe('The ECS service whoami-v2 is inactive: it was deleted while deploying.');
    expect(looks).toBe(2);
  });

  it('stops waiting for its URL when another deploy of the tag takes the service over, exit 3', async () => {
    // given a URL that never answers, and another deploy's revision 9 on the service after the route
    // wait's first look (the preflight's look at Traefik is look 1)
    const aws = fakeAws();
    const theirs = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/whoami-v2:9';
    let looks = 0;
    const routeApi: RouteApi = {
      displayUrl: 'https://traefik.dev.example.com',
      httpRouter: () => {
        if (++looks === 2 && aws.state.service !== undefined)
          aws.state.service = {
            ...aws.state.service,
            taskDefinition: theirs,
            deployments: [{ id: 'ecs-svc/9999', status: 'PRIMARY', taskDefinition: theirs, desiredCount: 1 }],
          };
        return Promise.resolve(undefined);
      },
      httpService: () => Promise.resolve(undefined),
    };

    // when deployed
    const error = await rejection(deploy(aws, { routeApi }));

    // then it says the service is another deploy's now, and not that this one succeeded
    expect(error.exitCode).toBe(ExitCode.DeploymentFailed);
    expect(error.code).toBe('ROLLOUT_TAKEN_OVER');
    expect(error.message).toBe(
      'Another deploy took over whoami-v2 while this one waited for its route and URL: the service now runs whoami-v2:9 (deployment ecs-svc/9999), registered after ours (whoami-v2:1, deployment ecs-svc/1111). ECS rolled nothing back.',
    );
    expect(looks).toBe(2);
  });

  it('waits for the route when a Traefik API is there, then is done', async () => {
    let looks = 0;
    const routeApi: RouteApi = {
      displayUrl: 'https://traefik.dev.example.com',
      httpRouter: (name) =>
        Promise.resolve(
          ++looks < 2 ? undefined : { name, status: 'enabled', rule: 'Host(`whoami-v2.dev.example.com`)' },
        ),
      httpService: (name) => Promise.resolve({ name, serverStatus: { 'http://10.0.1.5:80': 'UP' } }),
    };

    const { result } = await deploy(fakeAws(), { routeApi });

    expect(result.phases.find((p) => p.id === 'route')).toMatchObject({
      title: 'Route whoami-v2@ecs in Traefik',
      status: 'done',
      detail: '1/1 server UP',
    });
    expect(looks).toBe(2);
  });

  it("counts the route only once Traefik routes this deploy's task and no other", async () => {
    // given Traefik still routes the tag to the task it ran before (a redeploy of a live tag: the old
    // task serves until Traefik's next refresh), then both, then only this deploy's task at 10.0.1.9
    const answers = [
      { 'http://10.0.1.5:80': 'UP' },
      { 'http://10.0.1.5:80': 'UP', 'http://10.0.1.9:80': 'UP' },
      { 'http://10.0.1.5:80': 'DOWN', 'http://10.0.1.9:80': 'UP' },
    ];
    let looks = 0;
    const routeApi: RouteApi = {
      displayUrl: 'https://traefik.dev.example.com',
      httpRouter: (name) =>
        Promise.resolve({ name, status: 'enabled', rule: 'Host(`whoami-v2.dev.example.com`)' }),
      httpService: (name) =>
        Promise.resolve({ name, serverStatus: answers[Math.min(looks++, answers.length - 1)] }),
    };

    // when deployed
    const { result, events } = await deploy(fakeAws({ taskAddresses: ['10.0.1.9'] }), { routeApi });

    // then the route counts at the third look, and said what it waited for at the first two
    expect(looks).toBe(3);
    expect(result.phases.find((p) => p.id === 'route')).toMatchObject({
      status: 'done',
      detail: '1/1 server UP',
    });
    const said = JSON.stringify(events);
    expect(said).toContain('router whoami-v2@ecs has 1 server, none yet of this deploy (http://10.0.1.9:80)');
    expect(said).toContain(
      "router whoami-v2@ecs routes this deploy's task and still 1 other server UP (http://10.0.1.5:80)",
    );
  });

  it("keeps waiting for the route when ECS can't say which tasks are this deploy's for a look", async () => {
    // given ECS resets the connection of the first ListTasks of running tasks
    const routeApi: RouteApi = {
      displayUrl: 'https://traefik.dev.example.com',
      httpRouter: (name) =>
        Promise.resolve({ name, status: 'enabled', rule: 'Host(`whoami-v2.dev.example.com`)' }),
      httpService: (name) => Promise.resolve({ name, serverStatus: { 'http://10.0.1.5:80': 'UP' } }),
    };

    // when deployed
    const { result, events } = await deploy(fakeAws({ runningListFailures: 1 }), { routeApi });

    // then the route counts at the next look, after saying why it waited
    expect(result.phases.find((p) => p.id === 'route')).toMatchObject({ status: 'done' });
    expect(JSON.stringify(events)).toContain(
      "router whoami-v2@ecs has 1 server; which are this deploy's can't be told yet",
    );
  });

  it("fails before creating anything when Traefik's API doesn't answer, saying how to go on", async () => {
    // given a Traefik API that nothing answers on (a real client, to a closed port on 127.0.0.1)
    const closed = await startTraefikServer({ data: {} });
    const url = closed.url;
    await closed.stop();
    const aws = fakeAws();
    const routeApi = new TraefikClient({ apiUrl: url, retries: 0, timeoutMs: 1_000 });

    // when deployed
    const error = await rejection(deploy(aws, { routeApi }));

    // then the preflight says so, nothing was registered or created, and the ways on are named
    expect(error.exitCode).toBe(ExitCode.Failure);
    expect(error.code).toBe('TRAEFIK_UNREACHABLE');
    expect(error.message).toMatch(
      /^Can't reach Traefik's API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): the deploy can't be verified, so nothing was changed\.$/,
    );
    expect(error.suggestions.join('\n')).toContain('traefikctl status --env dev');
    expect(error.suggestions.join('\n')).toContain('--skip-route-check');
    expect(mutating(aws.calls)).toEqual([]);
  });

  it('does not ask Traefik before the change with --no-wait or --skip-route-check', async () => {
    for (const extra of [{ wait: false }, { skipRouteCheck: true }]) {
      let looks = 0;
      const routeApi: RouteApi = {
        displayUrl: 'https://traefik.dev.example.com',
        httpRouter: () => Promise.reject(new Error(`looked ${++looks}`)),
        httpService: () => Promise.reject(new Error('looked')),
      };
      const { result } = await deploy(fakeAws(), { routeApi, ...extra });
      expect(result.phases[0]?.detail).not.toContain('Traefik');
      expect(looks).toBe(0);
    }
  });

  it("says in the preflight's line that Traefik's API answered", async () => {
    const routeApi: RouteApi = {
      displayUrl: 'https://traefik.dev.example.com',
      httpRouter: (name) =>
        Promise.resolve({ name, status: 'enabled', rule: 'Host(`whoami-v2.dev.example.com`)' }),
      httpService: (name) => Promise.resolve({ name, serverStatus: { 'http://10.0.1.5:80': 'UP' } }),
    };
    const { result } = await deploy(fakeAws(), { routeApi });
    expect(result.phases[0]?.detail).toBe(
      `cluster traefikctl-dev, image ${DIGEST.slice(0, 19)}…, service is new, Traefik's API answers`,
    );
  });

  it('asks Traefik beside the reads of ECR and ECS, not after them', async () => {
    // given an ECS whose answer about the service comes only once Traefik has been asked
    const aws = fakeAws();
    let asked!: () => void;
    const traefikAsked = new Promise<void>((resolve) => (asked = resolve));
    const describeService = aws.describeService.bind(aws);
    aws.describeService = async (...args) => {
      const late = setTimeout(() => asked(), 2_000); // a look after the reads: 2 s late, and said below
      await traefikAsked;
      clearTimeout(late);
      return describeService(...args);
    };
    let lookedAt = 0;
    const routeApi: RouteApi = {
      displayUrl: 'https://traefik.dev.example.com',
      httpRouter: () => {
        lookedAt = performance.now();
        asked();
        return Promise.resolve(undefined);
      },
      httpService: () => Promise.resolve(undefined),
    };
    const started = performance.now();

    // when deployed
    await deploy(aws, { routeApi, skipRouteCheck: false, wait: true, routeTimeoutMs: 50 }).catch(
      () => undefined,
    );

    // then the preflight's look went out while ECS was still answering
    expect(lookedAt - started).toBeLessThan(1_000);
  });

  it('says a missing image first, whatever Traefik answers meanwhile', async () => {
    const routeApi: RouteApi = {
      displayUrl: 'https://traefik.dev.example.com',
      httpRouter: () =>
        Promise.reject(new UserError("Can't reach Traefik's API", { code: 'TRAEFIK_UNREACHABLE' })),
      httpService: () => Promise.resolve(undefined),
    };
    const aws = fakeAws({ digests: {} });
    const error = await rejection(deploy(aws, { routeApi }));
    expect(error.code).toBe('IMAGE_NOT_FOUND');
    expect(mutating(aws.calls)).toEqual([]);
  });

  it('fails before creating anything when the image tag is not in ECR', async () => {
    const aws = fakeAws({ digests: {} });
    const error = await rejection(deploy(aws));
    expect(error.code).toBe('IMAGE_NOT_FOUND');
    expect(mutating(aws.calls)).toEqual([]);
  });
});
