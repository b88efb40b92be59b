/**
 * The preview circuit breaker as `app deploy` sends it to ECS (moto). moto 5.2.1 accepts the whole
 * `deploymentCircuitBreaker` but keeps only `enable` and `rollback`, and only from UpdateService
 * (CreateService drops `deploymentConfiguration`; shared/notes/moto.md §1.3, and tried here): so the
 * inputs are recorded on their way to moto, and what moto answers is checked for what it keeps.
 */
import type { CreateServiceCommandInput, UpdateServiceCommandInput } from '@aws-sdk/client-ecs';
import { afterAll, expect, it } from 'vitest';

import { sdkDeployAws } from '../../../src/lib/app/deploy/ecs/api.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { describeWith } from '../../support/stack.js';
import { createDeployEnvironment, deploy, describeDeployed, putImage } from './deploy-fixture.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

describeWith(['moto'], 'the circuit breaker app deploy sets', () => {
  it('sends failureThreshold as a COUNT threshold on create and on update, and moto takes both', async () => {
    // given an app with a threshold of 3, and two builds of its tag
    const environment = await createDeployEnvironment(clients, { appConfig: '    failureThreshold: 3' });
    await putImage(clients, environment.repository, 'v1');
    const real = sdkDeployAws(clients);
    const sent: (CreateServiceCommandInput | UpdateServiceCommandInput)[] = [];
    const aws = {
      ...real,
      createService: (input: CreateServiceCommandInput) => {
        sent.push(input);
        return real.createService(input);
      },
      updateService: (input: UpdateServiceCommandInput) => {
        sent.push(input);
        return real.updateService(input);
      },
    };

    // when the tag is deployed, then deployed again with a new image
    const created = await deploy(environment, 'v1', { aws, skipRouteCheck: true });
    await putImage(clients, environment.repository, 'v1', 'v1-fixed');
    const updated = await deploy(environment, 'v1', { aws, skipRouteCheck: true });

    // then both calls carried the threshold, and moto accepted them
    expect([created.action, updated.action]).toEqual(['created', 'updated']);
    const breaker = {
      enable: true,
      rollback: true,
      resetOnHealthyTask: true,
      thresholdConfiguration: { type: 'COUNT', value: 3 },
    };
    expect(sent.map((input) => input.deploymentConfiguration?.deploymentCircuitBreaker)).toEqual([
      breaker,
      breaker,
    ]);
    // and what moto keeps of it after the update: the breaker on, with its rollback
    const { service } = await describeDeployed(clients, environment.cluster, 'whoami-v1');
    expect(service.deploymentConfiguration?.deploymentCircuitBreaker).toMatchObject({
      enable: true,
      rollback: true,
    });
  });
});
