/**
 * Two `app deploy` of the same new tag at once, against moto: both find no service, both register a
 * revision, both create the service. moto lets the second CreateService replace the first service
 * (shared/notes/moto.md §1.3; AWS refuses it as not idempotent), so the first deploy then follows a
 * service whose deployment is another run's. That is a race, not a rollback: ECS rolled nothing back.
 *
 * The interleaving is made certain by gates around the real SDK calls (sdkDeployAws): B registers its
 * revision first (so the service ends up on the OLDER one: a revision number can't tell the race
 * from a rollback), A registers and creates the service, B creates it after A, and A looks at the
 * rollout only after B's CreateService.
 */
import { afterAll, expect, it } from 'vitest';

import { sdkDeployAws, type DeployAws } from '../../../src/lib/app/deploy/ecs/api.js';
import type { DeployResult } from '../../../src/lib/app/deploy/index.js';
import { RolloutError } from '../../../src/lib/app/deploy/ecs/track-rollout.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { ExitCode } from '../../../src/lib/errors.js';
import { describeWith } from '../../support/stack.js';
import { createDeployEnvironment, deploy, describeDeployed, putImage } from './deploy-fixture.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

function gate(): { open: () => void; opened: Promise<void> } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describeWith(['moto'], 'two app deploys of the same tag at once', () => {
  it('reports the deploy whose service was taken over as a race (exit 3), not as a rollback', async () => {
    // given an image for a tag that has no service yet
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'c2');
    const bRegistered = gate();
    const aCreated = gate();
    const bCreated = gate();
    const real = sdkDeployAws(clients);
    const awsA: DeployAws = {
      ...real,
      registerTaskDefinition: async (input) => {
        await bRegistered.opened;
        return real.registerTaskDefinition(input);
      },
      createService: async (input) => {
        const service = await real.createService(input);
        aCreated.open();
        return service;
      },
      describeServices: async (input) => {
        await bCreated.opened;
        return real.describeServices(input);
      },
    };
    const awsB: DeployAws = {
      ...real,
      registerTaskDefinition: async (input) => {
        const registered = await real.registerTaskDefinition(input);
        bRegistered.open();
        return registered;
      },
      createService: async (input) => {
        await aCreated.opened;
        const service = await real.createService(input);
        bCreated.open();
        return service;
      },
    };

    // when both deploy c2 at once
    const [a, b] = await Promise.allSettled([
      deploy(environment, 'c2', { aws: awsA }),
      deploy(environment, 'c2', { aws: awsB }),
    ]);

    // then B, whose service runs, is done
    expect(b.status).toBe('fulfilled');
    const done = (b as PromiseFulfilledResult<DeployResult>).value;
    expect(done.status).toBe('rolled-out');
    const running = await describeDeployed(clients, environment.cluster, 'whoami-c2');
    expect(running.service.taskDefinition).toBe(done.taskDefinitionArn);

    // and A, whose revision is the newer one, says another deploy took over, naming both revisions,
    // and that nothing was rolled back
    expect(a.status).toBe('rejected');
    const error = (a as PromiseRejectedResult).reason as RolloutError;
    expect(error).toBeInstanceOf(RolloutError);
    expect(error.outcome).toBe('taken-over');
    expect(error.exitCode).toBe(ExitCode.DeploymentFailed);
    expect(error.code).toBe('ROLLOUT_TAKEN_OVER');
    const theirs = done.taskDefinitionArn.split('/').pop() ?? '';
    expect(error.message).toMatch(
      new RegExp(
        `^Another deploy took over whoami-c2 before this one finished: the service now runs ${theirs} \\(deployment ${done.deploymentId ?? ''}\\), not ours \\(whoami-c2:\\d+, deployment ecs-svc/\\d+\\)\\. ECS rolled nothing back\\.$`,
      ),
    );
    expect(error.message).not.toContain('rolled whoami-c2 back');
    expect(error.suggestions).toContain(
      `See what runs now: \`aws ecs describe-services --cluster ${environment.cluster} --services whoami-c2\`.`,
    );
  });
});
