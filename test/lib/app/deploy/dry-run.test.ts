import { describe, expect, it } from 'vitest';

import { dryRunDeploy } from '../../../../src/lib/app/deploy/dry-run.js';
import { planCluster } from '../../../../src/lib/app/deploy/ecs/plan.js';
import { ExitCode, UserError } from '../../../../src/lib/errors.js';
import { CALLER, DIGEST, fakeAws, forbiddenAws, OUTPUTS, project, REPOSITORY_URI } from './fakes.js';
import { TraefikClient } from '../../../../src/lib/traefik/client.js';
import { rejection } from '../../../support/errors.js';
import { startTraefikServer } from '../../../support/traefik-server.js';

const NO_CREDENTIALS = new UserError("Can't find out who you are in AWS: no AWS credentials were found.", {
  suggestions: [
    'Run `aws configure sso` or `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
  ],
  code: 'AWS_NO_CREDENTIALS',
});

describe('app deploy --dry-run (dryRunDeploy)', () => {
  it('plans the whole deployment offline, with placeholders, and lists what it could not check', async () => {
    // given a project and no AWS credentials at all
    const cwd = await project();
    const aws = fakeAws({ caller: NO_CREDENTIALS });

    // when planning feature/Login_Page
    const plan = await dryRunDeploy({ cwd, global: {}, app: 'whoami', tag: 'feature/Login_Page', aws });

    // then the names, URL and labels are all there
    expect(plan).toMatchObject({
      dryRun: true,
      target: 'ecs',
      host: 'whoami-feature-login-page.dev.example.com',
      url: 'http://whoami-feature-login-page.dev.example.com',
      serviceName: 'whoami-feature-login-page',
      cluster: 'traefikctl-dev',
      action: 'unknown',
      changes: [],
      problems: [],
    });
    expect(plan.labels['traefik.http.routers.whoami-feature-login-page.rule']).toBe(
      'Host(`whoami-feature-login-page.dev.example.com`)',
    );
    // the image can't be pinned without ECR, and says so
    expect(plan.image).toEqual({
      reference: '<account>.dkr.ecr.eu-west-1.amazonaws.com/whoami:feature-login-page',
      pinned: false,
    });
    expect(plan.service.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual([
      '<subnets of stack traefikctl-dev>',
    ]);
    expect(plan.deployedBy).toBe('<your AWS identity>');
    // and every check AWS would have answered is listed with the reason and the fix
    expect(plan.skipped.map((item) => item.check).join(' ')).toBe('identity cluster image service traefik');
    for (const item of plan.skipped) {
      expect(item.reason).toBe(NO_CREDENTIALS.message);
      expect(item.fix).toBe(NO_CREDENTIALS.suggestions[0]);
    }
    // and nothing past the identity was asked
    expect(aws.calls).toEqual(['callerArn']);
  });

  it('stays offline without a region, asking AWS nothing', async () => {
    const cwd = await project();
    const aws = fakeAws({ region: undefined });

    const plan = await dryRunDeploy({ cwd, global: {}, app: 'whoami', tag: 'v2', aws });

    expect(plan.region).toBe('<AWS region>');
    expect(plan.skipped[0]).toEqual({
      check: 'identity',
      what: 'your AWS identity (traefikctl:deployed-by)',
      reason: 'no AWS region is set',
      fix: 'Pass --region, set AWS_REGION, or set `region` in the configuration.',
    });
    expect(aws.calls).toEqual([]);
  });

  it('reads the stack, pins the image by digest and plans a new service when AWS answers', async () => {
    const cwd = await project();
    const aws = fakeAws();

    const plan = await dryRunDeploy({ cwd, global: {}, app: 'whoami', tag: 'v2', aws });

    expect(plan.skipped).toEqual([]);
    expect(plan.action).toBe('create');
    expect(plan.image).toEqual({ reference: `${REPOSITORY_URI}@${DIGEST}`, pinned: true });
    expect(plan.deployedBy).toBe(CALLER);
    expect(plan.taskDefinition.executionRoleArn).toBe(OUTPUTS.executionRoleArn);
    expect(plan.service.networkConfiguration?.awsvpcConfiguration?.securityGroups).toEqual(
      planCluster(OUTPUTS).securityGroups,
    );
    // and nothing that changes AWS was called
    expect(aws.calls.filter((name) => /register|create|update|tag/i.test(name))).toEqual([]);
  });

  it('keeps planning when the cluster does not exist yet, and says how to create it', async () => {
    const cwd = await project();
    const missing = new UserError("No cluster for env dev: stack traefikctl-dev doesn't exist.", {
      suggestions: ['Create it with `traefikctl cluster up --env dev`.'],
      code: 'CLUSTER_MISSING',
    });
    const plan = await dryRunDeploy({
      cwd,
      global: {},
      app: 'whoami',
      tag: 'v2',
      aws: fakeAws({ outputs: missing }),
    });

    expect(plan.skipped).toEqual([
      {
        check: 'cluster',
        what: 'cluster outputs (subnets, security group, execution role, log group)',
        reason: missing.message,
        fix: 'Create it with `traefikctl cluster up --env dev`.',
      },
      { check: 'service', what: 'the deployed service (diff)', reason: 'needs the cluster outputs' },
      {
        check: 'traefik',
        what: "that Traefik's API answers (the route check)",
        reason: 'needs the cluster outputs',
      },
    ]);
    // the image is still pinned: ECR doesn't need the cluster
    expect(plan.image.pinned).toBe(true);
  });

  it("reports a Traefik API that doesn't answer as a problem the deploy would hit, unless it wouldn't ask", async () => {
    // given Traefik's API on a port nothing listens on (a real client, 127.0.0.1)
    const cwd = await project();
    const closed = await startTraefikServer({ data: {} });
    const url = closed.url;
    await closed.stop();
    const routeApi = new TraefikClient({ apiUrl: url, retries: 0, timeoutMs: 1_000 });

    // when planned
    const plan = await dryRunDeploy({ cwd, global: {}, app: 'whoami', tag: 'v2', aws: fakeAws(), routeApi });

    // then the deploy's own preflight refusal is the plan's problem
    expect(plan.problems.map((item) => item.code)).toEqual(['TRAEFIK_UNREACHABLE']);
    expect(plan.problems[0]?.message).toMatch(
      /^Can't reach Traefik's API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): the deploy can't be verified, so nothing was changed\.$/,
    );
    expect(plan.problems[0]?.suggestions.join('\n')).toContain('--skip-route-check');

    // and with --skip-route-check or --no-wait, the deploy wouldn't ask, so neither does the plan
    for (const extra of [{ skipRouteCheck: true }, { wait: false }]) {
      const unasked = await dryRunDeploy({
        cwd,
        global: {},
        app: 'whoami',
        tag: 'v2',
        aws: fakeAws(),
        routeApi,
        ...extra,
      });
      expect(unasked.problems).toEqual([]);
      expect(unasked.skipped).toEqual([]);
    }
  });

  it('reports an image tag that is not in ECR as a problem the deploy would hit', async () => {
    const cwd = await project();
    const plan = await dryRunDeploy({ cwd, global: {}, app: 'whoami', tag: 'v3', aws: fakeAws() });

    expect(plan.problems).toEqual([
      {
        code: 'IMAGE_NOT_FOUND',
        message: 'ECR has no image whoami:v3, so there is nothing to deploy at tag v3.',
        suggestions: [
          'Push it first: `traefikctl image push whoami --tag v3`.',
          'Or build and push as part of the deploy: `traefikctl app deploy whoami --tag v3 --env dev --build`.',
        ],
      },
    ]);
  });

  it('fails on bad input before asking AWS anything', async () => {
    const cwd = await project();
    const aws = forbiddenAws();

    const unknown = await rejection(dryRunDeploy({ cwd, global: {}, app: 'whoaim', tag: 'v2', aws }));
    expect(unknown.exitCode).toBe(ExitCode.Usage);
    expect(unknown.code).toBe('APP_UNKNOWN');

    for (const tag of ['', '///', '---']) {
      const error = await rejection(dryRunDeploy({ cwd, global: {}, app: 'whoami', tag, aws }));
      expect(error.exitCode).toBe(ExitCode.Usage);
      expect(error.code).toBe('TAG_INVALID');
      expect(error.suggestions[0]).toContain('--tag v2');
    }

    const noDomain = await rejection(
      dryRunDeploy({
        cwd: await project('apps:\n  whoami: {}\n'),
        global: {},
        app: 'whoami',
        tag: 'v2',
        aws,
      }),
    );
    expect(noDomain.code).toBe('DOMAIN_MISSING');
    expect(noDomain.exitCode).toBe(ExitCode.Usage);

    expect(aws.calls).toEqual([]);
  });

  it("refuses a secret outside the env's apps prefix before asking AWS anything (exit 2)", async () => {
    // given a secret the cluster's execution role can't read
    const cwd = await project(
      'domain: example.com\napps:\n  whoami:\n    secrets:\n      DB_PASSWORD: /whoami/db-password\n',
    );
    const aws = forbiddenAws();

    // when planning
    const error = await rejection(dryRunDeploy({ cwd, global: {}, app: 'whoami', tag: 'v2', aws }));

    // then it names the key, the value and the prefix, and AWS was never asked
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.code).toBe('SECRET_NOT_READABLE');
    expect(error.message).toContain(
      'apps.whoami.secrets.DB_PASSWORD (/whoami/db-password) is not under /traefikctl/dev/apps/',
    );
    expect(aws.calls).toEqual([]);
  });

  it("refuses a secret ARN from another region once the stack's region and account are known", async () => {
    // given an SSM ARN under the right path, but in us-east-1, while the deployment goes to eu-west-1
    const arn = 'arn:aws:ssm:us-east-1:123456789012:parameter/traefikctl/dev/apps/whoami/db';
    const cwd = await project(`domain: example.com\napps:\n  whoami:\n    secrets:\n      DB: ${arn}\n`);

    // when planning with AWS answering
    const error = await rejection(
      dryRunDeploy({ cwd, global: {}, app: 'whoami', tag: 'v2', aws: fakeAws() }),
    );

    // then the dry run refuses it like the deploy would
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toContain(
      `apps.whoami.secrets.DB (${arn}) is in region us-east-1, not in the deployment's eu-west-1`,
    );
  });
});
