/**
 * `app deploy` and `app destroy` when AWS takes a change and never answers: the call gives up after
 * its request timeout with exit 4, says the change may have happened and how to look, and running the
 * command again picks up what ECS did. moto always answers, so the deploy talks to moto through a proxy on 127.0.0.1 that forwards
 * everything but swallows the answer to one operation (the request still reaches moto, as a hung
 * response from AWS can follow a change that was made).
 */
import { request as httpRequest } from 'node:http';

import { afterAll, beforeAll, expect, it, vi } from 'vitest';

import { deployApp, type DeployAppOptions, type DeployResult } from '../../../src/lib/app/deploy/index.js';
import { destroyDeployments, planDestroy } from '../../../src/lib/app/destroy.js';
import { sdkDeployAws } from '../../../src/lib/app/deploy/ecs/api.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';
import { startLocalServer } from '../../support/local-server.js';
import { describeWith } from '../../support/stack.js';
import {
  countResources,
  createDeployEnvironment,
  describeDeployed,
  putImage,
  tagMap,
  type DeployEnvironment,
} from './deploy-fixture.js';

interface Proxy {
  url: string;
  /** X-Amz-Target values whose answers are swallowed (the request is still forwarded). */
  swallow: Set<string>;
  close(): Promise<void>;
}

async function startProxy(upstream: string): Promise<Proxy> {
  const target = new URL(upstream);
  const swallow = new Set<string>();
  const { url, close } = await startLocalServer((incoming, outgoing) => {
    const operation = String(incoming.headers['x-amz-target'] ?? '');
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        if (swallow.has(operation)) {
          answer.resume();
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  return { url, swallow, close };
}

const UPDATE_SERVICE = 'AmazonEC2ContainerServiceV20141113.UpdateService';
const DELETE_SERVICE = 'AmazonEC2ContainerServiceV20141113.DeleteService';
const fixtures = new AwsClients({ maxAttempts: 1 });
let proxy: Proxy;

beforeAll(async () => {
  proxy = await startProxy(process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5055');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await fixtures.destroy();
  await proxy.close();
});

async function deploy(environment: DeployEnvironment, extra: Partial<DeployAppOptions> = {}) {
  // The deploy's own clients go through the proxy, with a short request timeout and one attempt.
  vi.stubEnv('AWS_ENDPOINT_URL', proxy.url);
  const clients = new AwsClients({ region: 'us-east-1', maxAttempts: 1, requestTimeoutMs: 500 });
  try {
    return await deployApp({
      cwd: environment.cwd,
      global: {},
      app: 'whoami',
      tag: 'v1',
      skipProbe: true,
      poller: { intervalMs: 20 },
      aws: sdkDeployAws(clients),
      ...extra,
    });
  } finally {
    await clients.destroy();
    vi.unstubAllEnvs();
  }
}

/** `app destroy whoami v1` through the proxy, as the command runs it: plan, then remove. */
async function destroy(environment: DeployEnvironment) {
  vi.stubEnv('AWS_ENDPOINT_URL', proxy.url);
  const clients = new AwsClients({ region: 'us-east-1', maxAttempts: 1, requestTimeoutMs: 500 });
  try {
    const target = await planDestroy(clients, {
      cluster: environment.cluster,
      env: environment.env,
      app: 'whoami',
      tag: 'v1',
    });
    return await destroyDeployments(clients, [target]);
  } finally {
    await clients.destroy();
    vi.unstubAllEnvs();
  }
}

describeWith(['moto'], 'app deploy when AWS does not answer', () => {
  it('fails a hung UpdateService with exit 4 and the command to check, and a second deploy finishes the job', async () => {
    // given v1 deployed, then a new build of v1 pushed
    const environment = await createDeployEnvironment(fixtures);
    await putImage(fixtures, environment.repository, 'v1', 'first build');
    const first: DeployResult = await deploy(environment);
    const rebuilt = await putImage(fixtures, environment.repository, 'v1', 'second build');

    // when it is deployed and ECS takes the update but its answer never comes back
    proxy.swallow.add(UPDATE_SERVICE);
    const started = Date.now();
    const error = await deploy(environment).then(
      () => undefined,
      (e: unknown) => e,
    );
    proxy.swallow.delete(UPDATE_SERVICE);

    // then the deploy gives up within the request timeout, instead of hanging
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(error).toBeInstanceOf(UserError);
    const timedOut = error as UserError;
    expect(timedOut.exitCode).toBe(ExitCode.TimedOut);
    expect(timedOut.code).toBe('AWS_TIMEOUT');
    expect(timedOut.message).toBe("Can't update the ECS service whoami-v1: AWS did not answer within 500ms.");
    expect(timedOut.suggestions[0]).toBe(
      `The request was sent, so AWS may or may not have carried it out. See what is there now: \`aws ecs describe-services --cluster ${environment.cluster} --services whoami-v1\`.`,
    );
    // and the update did land in ECS, while the tags still describe the first build
    const halfway = await describeDeployed(fixtures, environment.cluster, 'whoami-v1');
    expect(halfway.service.taskDefinition).not.toBe(first.taskDefinitionArn);
    expect(tagMap(halfway.service.tags)['traefikctl:image']).toBe(first.image);

    // when deployed again, with AWS answering
    const again = await deploy(environment);

    // then it finds the service already on the new build, registers nothing more and fixes the record
    expect(again.action).toBe('unchanged');
    expect(again.taskDefinitionArn).toBe(halfway.service.taskDefinition);
    const after = await describeDeployed(fixtures, environment.cluster, 'whoami-v1');
    expect(tagMap(after.service.tags)['traefikctl:image']).toMatch(new RegExp(`@${rebuilt}$`));
    expect(await countResources(fixtures, environment, ['whoami-v1'])).toEqual({
      services: 1,
      taskDefinitions: 2,
    });
  });
});

describeWith(['moto'], 'app destroy when AWS does not answer', () => {
  it('fails a hung scale-down with exit 4 and the command to check, and a second destroy removes the rest', async () => {
    // given v1 deployed
    const environment = await createDeployEnvironment(fixtures);
    await putImage(fixtures, environment.repository, 'v1', 'first build');
    await deploy(environment);

    // when it is destroyed and ECS takes the scale-down but its answer never comes back
    proxy.swallow.add(UPDATE_SERVICE);
    const error = await destroy(environment).then(
      () => undefined,
      (e: unknown) => e,
    );
    proxy.swallow.delete(UPDATE_SERVICE);

    // then the user learns what hung, that it may have happened, and where to look
    expect(error).toBeInstanceOf(UserError);
    const timedOut = error as UserError;
    expect(timedOut.exitCode).toBe(ExitCode.TimedOut);
    expect(timedOut.message).toBe(
      "Can't scale the ECS service whoami-v1 to 0: AWS did not answer within 500ms.",
    );
    expect(timedOut.suggestions[0]).toBe(
      `The request was sent, so AWS may or may not have carried it out. See what is there now: \`aws ecs describe-services --cluster ${environment.cluster} --services whoami-v1\`.`,
    );
    // and the scale-down did land, with the service still there
    const halfway = await describeDeployed(fixtures, environment.cluster, 'whoami-v1');
    expect(halfway.service.desiredCount).toBe(0);
    expect(halfway.service.status).toBe('ACTIVE');

    // when destroyed again, with AWS answering
    const [removed] = await destroy(environment);

    // then the service and its task definition are gone (moto keeps deleted services as INACTIVE)
    expect(removed?.status).toBe('removed');
    expect(removed?.taskDefinitions).toHaveLength(1);
    const after = await describeDeployed(fixtures, environment.cluster, 'whoami-v1');
    expect(after.service.status).toBe('INACTIVE');
    expect(await countResources(fixtures, environment, ['whoami-v1'])).toMatchObject({ taskDefinitions: 0 });
  });

  it('finishes a removal whose DeleteService answer never came: the second destroy deregisters what is left', async () => {
    // given v1 deployed
    const environment = await createDeployEnvironment(fixtures);
    await putImage(fixtures, environment.repository, 'v1', 'first build');
    await deploy(environment);

    // when it is destroyed and ECS deletes the service but its answer never comes back
    proxy.swallow.add(DELETE_SERVICE);
    const error = await destroy(environment).then(
      () => undefined,
      (e: unknown) => e,
    );
    proxy.swallow.delete(DELETE_SERVICE);

    // then the user is told the deletion may have happened, and where to look
    expect((error as UserError).message).toBe(
      "Can't delete the ECS service whoami-v1: AWS did not answer within 500ms.",
    );
    expect((error as UserError).suggestions[0]).toContain(
      `\`aws ecs describe-services --cluster ${environment.cluster} --services whoami-v1\``,
    );
    // and the service is gone while its task definition is still registered
    expect((await describeDeployed(fixtures, environment.cluster, 'whoami-v1')).service.status).toBe(
      'INACTIVE',
    );
    expect(await countResources(fixtures, environment, ['whoami-v1'])).toMatchObject({ taskDefinitions: 1 });

    // when destroyed again
    const [removed] = await destroy(environment);

    // then it deregisters the revision the first run left, without touching the deleted service
    expect(removed?.status).toBe('removed');
    expect(removed?.taskDefinitions).toHaveLength(1);
    expect(await countResources(fixtures, environment, ['whoami-v1'])).toMatchObject({ taskDefinitions: 0 });

    // and once nothing is left, the tag has no deployment, as for any removed tag
    const third = await destroy(environment).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((third as UserError).code).toBe('APP_NOT_DEPLOYED');
    expect((third as UserError).exitCode).toBe(ExitCode.Usage);
  });
});
