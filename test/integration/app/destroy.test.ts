/**
 * `app destroy` against moto: it removes exactly what it lists (the service, the revisions of its
 * family registered for this env) and touches nothing next to it: the same app and tag in another
 * env (same family name: families are account-wide), a tag whose name extends this one (`v1` and
 * `v10`: ECS's familyPrefix is a prefix on AWS), another app.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, expect, it } from 'vitest';

import { destroyDeployments, planDestroy } from '../../../src/lib/app/destroy.js';
import { deploymentTags } from '../../../src/lib/ecs/tag-codec.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { UserError } from '../../../src/lib/errors.js';
import type { ProgressEvent } from '../../../src/lib/events.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { createCluster, registerRevision, seedDeployment, tagValues } from './seed.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

async function serviceStatus(cluster: string, service: string): Promise<string | undefined> {
  const ecs = await clients.ecs();
  const answer = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  return answer.services?.[0]?.status;
}

async function revisionStatus(arn: string): Promise<string | undefined> {
  const ecs = await clients.ecs();
  const answer = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
  return answer.taskDefinition?.status;
}

describeWith(['moto'], 'app destroy', () => {
  it('removes exactly the service and revisions it lists, and nothing next to them', async () => {
    // given whoami v1 in dev with 3 revisions, the same family also registered for staging, and
    // neighbours: whoami v10 and api v1 in dev, whoami v1 in staging (another cluster)
    const app = uniqueName('app');
    const cluster = uniqueName('destroy');
    const stagingCluster = uniqueName('destroystg');
    await createCluster(clients, cluster);
    await createCluster(clients, stagingCluster);
    const target = await seedDeployment(clients, cluster, { env: 'dev', app, tag: 'v1', revisions: 3 });
    const staging = await seedDeployment(clients, stagingCluster, { env: 'staging', app, tag: 'v1' });
    const untagged = await registerRevision(clients, target.family, []);
    const v10 = await seedDeployment(clients, cluster, { env: 'dev', app, tag: 'v10' });
    const other = await seedDeployment(clients, cluster, { env: 'dev', app: uniqueName('api'), tag: 'v1' });

    // when its removal is planned
    const plan = await planDestroy(clients, { cluster, env: 'dev', app, tag: 'v1' });

    // then the plan lists the service and the dev revisions, and keeps the others with a reason
    expect(plan.deployment.service).toBe(target.service);
    expect(plan.family).toBe(target.family);
    expect(plan.taskDefinitions).toEqual(target.taskDefinitionArns);
    expect(plan.keptTaskDefinitions).toEqual([
      { arn: staging.taskDefinitionArns[0], reason: 'registered for env staging' },
      { arn: untagged, reason: 'not tagged by traefikctl' },
    ]);

    // when it is carried out
    const events: ProgressEvent[] = [];
    const [result] = await destroyDeployments(clients, [plan], { onEvent: (event) => events.push(event) });

    // then exactly that is gone
    expect(result).toEqual({
      app,
      tag: 'v1',
      env: 'dev',
      service: target.service,
      serviceArn: plan.deployment.serviceArn,
      status: 'removed',
      taskDefinitions: target.taskDefinitionArns,
    });
    expect(await serviceStatus(cluster, target.service)).toBe('INACTIVE');
    for (const arn of target.taskDefinitionArns) expect(await revisionStatus(arn)).toBe('INACTIVE');
    // and nothing else changed
    expect(await serviceStatus(cluster, v10.service)).toBe('ACTIVE');
    expect(await serviceStatus(cluster, other.service)).toBe('ACTIVE');
    expect(await serviceStatus(stagingCluster, staging.service)).toBe('ACTIVE');
    for (const arn of [
      ...staging.taskDefinitionArns,
      untagged,
      ...v10.taskDefinitionArns,
      ...other.taskDefinitionArns,
    ])
      expect(await revisionStatus(arn)).toBe('ACTIVE');
    // and each step was reported
    expect(
      events
        .filter((e) => e.type === 'phase' && e.status === 'done')
        .map((e) => (e.type === 'phase' ? e.title : '')),
    ).toEqual([
      `Scale ${target.service} to 0`,
      `Delete service ${target.service}`,
      `Deregister 3 task definition revisions of ${target.family}`,
    ]);
  });

  it('leaves a deployment alone that was redeployed after it was listed', async () => {
    // given a plan for whoami v1
    const app = uniqueName('app');
    const cluster = uniqueName('destroyrace');
    await createCluster(clients, cluster);
    const seeded = await seedDeployment(clients, cluster, { env: 'dev', app, tag: 'v1' });
    const plan = await planDestroy(clients, { cluster, env: 'dev', app, tag: 'v1' });

    // when someone redeploys it before the plan is carried out (app deploy retags the service)
    const redeployedAt = new Date().toISOString();
    const ecs = await clients.ecs();
    await ecs.send(
      new TagResourceCommand({
        resourceArn: plan.deployment.serviceArn,
        tags: deploymentTags({ ...tagValues({ env: 'dev', app, tag: 'v1' }), deployedAt: redeployedAt }),
      }),
    );
    const [result] = await destroyDeployments(clients, [plan]);

    // then it is skipped, with the reason, and still runs
    expect(result?.status).toBe('skipped');
    expect(result?.reason).toBe(`it was redeployed at ${redeployedAt}, after it was listed`);
    expect(await serviceStatus(cluster, seeded.service)).toBe('ACTIVE');
    expect(await revisionStatus(seeded.taskDefinitionArns[0] ?? '')).toBe('ACTIVE');
  });

  it('names the deployed tags when the tag is unknown, and the apps when the app is', async () => {
    const app = uniqueName('app');
    const cluster = uniqueName('destroyunknown');
    await createCluster(clients, cluster);
    await seedDeployment(clients, cluster, {
      env: 'dev',
      app,
      tag: 'v1',
      deployedAt: '2026-01-01T00:00:00Z',
    });
    await seedDeployment(clients, cluster, {
      env: 'dev',
      app,
      tag: 'feature/Login',
      deployedAt: '2026-02-01T00:00:00Z',
    });

    const unknownTag = await planDestroy(clients, { cluster, env: 'dev', app, tag: 'v2' }).catch(
      (e: unknown) => e,
    );
    expect(unknownTag).toBeInstanceOf(UserError);
    expect((unknownTag as UserError).message).toBe(
      `The app ${app} has no deployment tagged v2 in env dev (tags: feature/Login, v1).`,
    );
    expect((unknownTag as UserError).suggestions).toEqual([
      'Did you mean --tag v1?',
      `See every tag with \`traefikctl app urls ${app} --env dev\`.`,
    ]);
    expect((unknownTag as UserError).exitCode).toBe(2);

    // the tag can be given as deployed or as its slug
    const bySlug = await planDestroy(clients, { cluster, env: 'dev', app, tag: 'feature-login' });
    expect(bySlug.deployment.tag).toBe('feature/Login');

    const unknownApp = await planDestroy(clients, { cluster, env: 'dev', app: 'nope', tag: 'v1' }).catch(
      (e: unknown) => e,
    );
    expect((unknownApp as UserError).message).toBe(
      `The app nope has no deployment in env dev (deployed apps: ${app}).`,
    );
  });
});
