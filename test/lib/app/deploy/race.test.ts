/**
 * Two deploys of the same new tag at once on AWS: the later CreateService is refused as not
 * idempotent (the other deploy created the service with its own revision). moto silently replaces the
 * service instead (shared/notes/moto.md §1.3; test/integration/app/deploy-race.test.ts covers that),
 * so ECS's refusal comes from a local server that answers CreateService as ECS does, through the SDK.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { sdkDeployAws } from '../../../../src/lib/app/deploy/ecs/api.js';
import { AwsClients } from '../../../../src/lib/aws/clients.js';
import { ExitCode } from '../../../../src/lib/errors.js';
import { rejection } from '../../../support/errors.js';
import { startLocalServer, type LocalServer } from '../../../support/local-server.js';

describe('CreateService refused because another deploy created the service', () => {
  let server: LocalServer;
  let clients: AwsClients;

  beforeEach(async () => {
    server = await startLocalServer((request, response) => {
      request.resume();
      response
        .writeHead(400, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': 'InvalidParameterException',
        })
        .end(
          JSON.stringify({
            __type: 'InvalidParameterException',
            message: 'Creation of service was not idempotent.',
          }),
        );
    });
    vi.stubEnv('AWS_ENDPOINT_URL', server.url);
    clients = new AwsClients({ region: 'eu-west-1', maxAttempts: 1 });
  });
  afterEach(async () => {
    await clients.destroy();
    vi.unstubAllEnvs();
    await server.close();
  });

  it('is reported as the race it is (exit 3), with how to see what runs', async () => {
    // when our CreateService is refused
    const error = await rejection(
      sdkDeployAws(clients).createService({
        cluster: 'traefikctl-dev',
        serviceName: 'whoami-c2',
        taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/whoami-c2:4',
      }),
    );

    // then
    expect(error.exitCode).toBe(ExitCode.DeploymentFailed);
    expect(error.code).toBe('SERVICE_TAKEN_OVER');
    expect(error.message).toBe(
      'Another deploy created whoami-c2 at the same time, with another revision: this one (whoami-c2:4) was not deployed.',
    );
    expect(error.suggestions).toContain(
      'See what runs now: `aws ecs describe-services --cluster traefikctl-dev --services whoami-c2`.',
    );
  });
});
