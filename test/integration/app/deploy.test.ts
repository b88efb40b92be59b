import type { IncomingHttpHeaders } from 'node:http';

import { afterAll, expect, it } from 'vitest';

import { dryRunDeploy } from '../../../src/lib/app/deploy/dry-run.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import type { ProgressEvent } from '../../../src/lib/events.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';
import { startLocalServer } from '../../support/local-server.js';
import { describeWith } from '../../support/stack.js';
import {
  countResources,
  createDeployEnvironment,
  deploy,
  describeDeployed,
  EXECUTION_ROLE,
  putImage,
  tagMap,
} from './deploy-fixture.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

async function failure(work: Promise<unknown>): Promise<UserError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describeWith(['moto'], 'app deploy against moto', () => {
  it('creates one service per tag, with the DESIGN.md tags, the exact labels and the image pinned by digest', async () => {
    // given an environment with a cluster stack and images for two tags
    const environment = await createDeployEnvironment(clients);
    const { env, cluster, repository } = environment;
    const v1 = await putImage(clients, repository, 'v1');
    // Docker tags can't hold `/`: the image for feature/Login_Page is pushed as its slug.
    const feature = await putImage(clients, repository, 'feature-login-page');

    // when both tags are deployed
    const first = await deploy(environment, 'v1');
    const second = await deploy(environment, 'feature/Login_Page');

    // then there are two services, each with its own URL and pinned image
    expect(await countResources(clients, environment, ['whoami-v1', 'whoami-feature-login-page'])).toEqual({
      services: 2,
      taskDefinitions: 2,
    });
    expect(first).toMatchObject({
      app: 'whoami',
      tag: 'v1',
      env,
      host: `whoami-v1.${env}.example.com`,
      url: `http://whoami-v1.${env}.example.com`,
      service: 'whoami-v1',
      status: 'rolled-out',
      action: 'created',
    });
    expect(first.deploymentId).toMatch(/^ecs-svc\//);
    expect(first.taskDefinitionArn).toMatch(
      /^arn:aws:ecs:us-east-1:123456789012:task-definition\/whoami-v1:\d+$/,
    );
    const repositoryUri = `${'123456789012'}.dkr.ecr.us-east-1.amazonaws.com/${repository}`;
    expect(first.image).toBe(`${repositoryUri}@${v1}`);
    expect(second.host).toBe(`whoami-feature-login-page.${env}.example.com`);
    expect(second.image).toBe(`${repositoryUri}@${feature}`);

    const { service, taskDefinition } = await describeDeployed(clients, cluster, 'whoami-feature-login-page');
    expect(service.taskDefinition).toBe(second.taskDefinitionArn);
    expect(service.launchType).toBe('FARGATE');
    expect(service.propagateTags).toBe('SERVICE');
    expect(service.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual(environment.subnets);
    expect(service.networkConfiguration?.awsvpcConfiguration?.securityGroups).toEqual([
      environment.securityGroup,
    ]);
    const tags = tagMap(service.tags);
    expect(tags).toMatchObject({
      'traefikctl:managed': 'true',
      'traefikctl:env': env,
      'traefikctl:app': 'whoami',
      'traefikctl:tag': 'feature/Login_Page',
      'traefikctl:host': `whoami-feature-login-page.${env}.example.com`,
      'traefikctl:image': `${repositoryUri}@${feature}`,
      'traefikctl:deployed-by': 'arn:aws:sts::123456789012:user/moto',
    });
    expect(new Date(tags['traefikctl:deployed-at'] ?? '').getTime()).toBeGreaterThan(Date.now() - 60_000);

    const container = taskDefinition.containerDefinitions?.[0];
    expect(container?.image).toBe(`${repositoryUri}@${feature}`);
    expect(container?.dockerLabels).toEqual({
      'traefik.enable': 'true',
      'traefik.http.routers.whoami-feature-login-page.rule': `Host(\`whoami-feature-login-page.${env}.example.com\`)`,
      'traefik.http.routers.whoami-feature-login-page.entrypoints': 'web',
      'traefik.http.routers.whoami-feature-login-page.service': 'whoami-feature-login-page',
      'traefik.http.services.whoami-feature-login-page.loadbalancer.server.port': '80',
      'traefikctl.env': env,
    });
    expect(container?.portMappings).toEqual([{ containerPort: 80, hostPort: 80, protocol: 'tcp' }]);
    expect(container?.logConfiguration?.options?.['awslogs-group']).toBe(environment.logGroup);
    expect(taskDefinition.executionRoleArn).toBe(EXECUTION_ROLE);
    expect(taskDefinition.networkMode).toBe('awsvpc');

    // and the phases say what was done, and that the route check had nothing to ask
    expect(first.phases.map((phase) => [phase.id, phase.status])).toEqual([
      ['preflight', 'done'],
      ['task-definition', 'done'],
      ['service', 'done'],
      ['rollout', 'done'],
      ['route', 'skipped'],
      ['probe', 'skipped'],
    ]);
    expect(first.phases.find((phase) => phase.id === 'route')?.detail).toBe(
      'no Traefik API configured (traefik.apiUrl)',
    );
  });

  it('updates the same service when the tag is deployed again with a new image, and changes nothing when it is the same', async () => {
    // given v1 deployed
    const environment = await createDeployEnvironment(clients);
    const { cluster, repository } = environment;
    await putImage(clients, repository, 'v1', 'first build');
    const first = await deploy(environment, 'v1');

    // when the same tag is pushed again (a new digest) and deployed
    const rebuilt = await putImage(clients, repository, 'v1', 'second build');
    const second = await deploy(environment, 'v1');

    // then the one service now runs a new revision with the new digest, tags rewritten
    expect(second.action).toBe('updated');
    const revision = (arn: string) => Number(arn.split(':').pop());
    expect(revision(second.taskDefinitionArn)).toBeGreaterThan(revision(first.taskDefinitionArn));
    expect(await countResources(clients, environment, ['whoami-v1'])).toEqual({
      services: 1,
      taskDefinitions: 2,
    });
    const { service, taskDefinition } = await describeDeployed(clients, cluster, 'whoami-v1');
    expect(service.taskDefinition).toBe(second.taskDefinitionArn);
    expect(taskDefinition.containerDefinitions?.[0]?.image).toMatch(new RegExp(`@${rebuilt}$`));
    expect(tagMap(service.tags)['traefikctl:image']).toMatch(new RegExp(`@${rebuilt}$`));
    expect(first.taskDefinitionArn).not.toBe(second.taskDefinitionArn);

    // when it is deployed a third time with nothing new
    const third = await deploy(environment, 'v1');

    // then nothing is registered or updated: the deploy only follows and checks
    expect(third.action).toBe('unchanged');
    expect(third.taskDefinitionArn).toBe(second.taskDefinitionArn);
    expect(await countResources(clients, environment, ['whoami-v1'])).toEqual({
      services: 1,
      taskDefinitions: 2,
    });
    expect(third.phases.find((phase) => phase.id === 'task-definition')?.status).toBe('skipped');
  });

  it('refuses a tag whose name is taken by another tag, and creates nothing', async () => {
    // given feature/x deployed (service whoami-feature-x)
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'feature-x');
    await deploy(environment, 'feature/x');
    const before = await countResources(clients, environment, ['whoami-feature-x']);

    // when feature-x, which slugs to the same name, is deployed
    const error = await failure(deploy(environment, 'feature-x'));

    // then it is refused with the reason and the way out, and nothing changed
    expect(error.code).toBe('SERVICE_NAME_TAKEN');
    expect(error.message).toContain('already holds whoami at tag "feature/x"');
    expect(error.suggestions.join('\n')).toContain(
      `traefikctl app destroy whoami --tag feature/x --env ${environment.env}`,
    );
    expect(await countResources(clients, environment, ['whoami-feature-x'])).toEqual(before);
  });

  it('fails before creating anything when the image tag is not in ECR, the stack is missing or the input is bad', async () => {
    const environment = await createDeployEnvironment(clients);
    const families = ['whoami-v9', 'whoami-v1'];
    const before = await countResources(clients, environment, families);

    // image tag never pushed: exit 1 with the push command
    const noImage = await failure(deploy(environment, 'v9'));
    expect(noImage.code).toBe('IMAGE_NOT_FOUND');
    expect(noImage.exitCode).toBe(ExitCode.Failure);
    expect(noImage.suggestions[0]).toBe('Push it first: `traefikctl image push whoami --tag v9`.');

    // unknown app and a tag without letters or digits: exit 2
    await putImage(clients, environment.repository, 'v1');
    const unknownApp = await failure(deploy(environment, 'v1', { app: 'whoaim' }));
    expect(unknownApp.exitCode).toBe(ExitCode.Usage);
    expect(unknownApp.suggestions).toContain('Did you mean whoami?');
    const symbols = await failure(deploy(environment, '///'));
    expect(symbols.exitCode).toBe(ExitCode.Usage);
    expect(symbols.code).toBe('TAG_INVALID');

    expect(await countResources(clients, environment, families)).toEqual(before);

    // a cluster whose stack was never created: the readClusterOutputs error, nothing registered
    const noStack = await createDeployEnvironment(clients, { stack: false });
    await putImage(clients, noStack.repository, 'v1');
    const missing = await failure(deploy(noStack, 'v1'));
    expect(missing.code).toBe('CLUSTER_MISSING');
    expect(missing.suggestions).toEqual([`Create it with \`traefikctl cluster up --env ${noStack.env}\`.`]);
    expect(await countResources(clients, noStack, ['whoami-v1'])).toEqual({
      services: 0,
      taskDefinitions: 0,
    });
  });

  it('probes the URL at --probe-address with the deployment host name, and ends live', async () => {
    // given a local stand-in for the load balancer that answers for the deployment's host only
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'v1');
    const seen: IncomingHttpHeaders[] = [];
    const { port, close } = await startLocalServer((request, response) => {
      seen.push(request.headers);
      const ok = request.headers.host === `whoami-v1.${environment.env}.example.com`;
      response.writeHead(ok ? 200 : 404).end(ok ? 'hello' : '404 page not found\n');
    });
    const events: ProgressEvent[] = [];

    try {
      // when deploying with the probe sent there
      const result = await deploy(environment, 'v1', {
        skipProbe: false,
        probeAddress: `127.0.0.1:${port}`,
        onEvent: (event) => events.push(event),
      });

      // then the URL answered and the deployment is live
      expect(result.status).toBe('live');
      expect(seen[0]?.host).toBe(`whoami-v1.${environment.env}.example.com`);
      expect(result.phases.find((phase) => phase.id === 'probe')).toMatchObject({
        status: 'done',
        detail: expect.stringMatching(/^HTTP 200 in \d+ms$/) as unknown,
      });
      expect(events).toContainEqual({ type: 'info', message: `Live: ${result.url}` });
    } finally {
      await close();
    }
  });

  it('plans against what runs: the dry run reads the digest and diffs, and changes nothing', async () => {
    // given v1 deployed, then a new image pushed for v1
    const environment = await createDeployEnvironment(clients);
    const old = await putImage(clients, environment.repository, 'v1', 'old');
    await deploy(environment, 'v1');
    const rebuilt = await putImage(clients, environment.repository, 'v1', 'new');
    const before = await countResources(clients, environment, ['whoami-v1']);

    // when planning the redeploy
    const plan = await dryRunDeploy({ cwd: environment.cwd, global: {}, app: 'whoami', tag: 'v1' });

    // then the plan is an update that swaps the image, and nothing was skipped or created
    expect(plan.action).toBe('update');
    expect(plan.skipped).toEqual([]);
    expect(plan.problems).toEqual([]);
    expect(plan.image).toMatchObject({ pinned: true });
    expect(plan.changes).toContainEqual({
      field: 'container whoami image',
      kind: 'changed',
      before: expect.stringContaining(old) as unknown,
      after: expect.stringContaining(rebuilt) as unknown,
    });
    expect(plan.service.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual(environment.subnets);
    expect(await countResources(clients, environment, ['whoami-v1'])).toEqual(before);
  });
});
