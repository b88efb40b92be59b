/**
 * Reading the managed deployments of an env from ECS tags, against moto: the input that tells
 * `routes` which app and tag a router belongs to, and which routers are missing or orphaned.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, expect, it } from 'vitest';

import { deploymentTags } from '../../../src/lib/app/plan-tags.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { listManagedDeployments } from '../../../src/lib/routes/deployments.js';
import { describeWith, uniqueName } from '../../support/stack.js';

const clients = new AwsClients();
afterAll(() => clients.destroy());

describeWith(['moto'], 'listManagedDeployments', () => {
  it('returns the deployments of the env, decoded from their tags, across several DescribeServices batches', async () => {
    // given a cluster with 23 managed services in dev, one in staging and one without tags
    const ecs = await clients.ecs();
    const cluster = uniqueName('routes');
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    const family = uniqueName('whoami');
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: 'app', image: 'traefik/whoami', memory: 128 }],
      }),
    );
    const taskDefinition = registered.taskDefinition?.taskDefinitionArn;
    const create = (serviceName: string, tags: { key: string; value: string }[]) =>
      ecs.send(
        new CreateServiceCommand({
          cluster,
          serviceName,
          taskDefinition,
          desiredCount: 0,
          tags,
          propagateTags: 'SERVICE',
        }),
      );
    const tagsFor = (env: string, tag: string) =>
      deploymentTags({
        env,
        app: 'whoami',
        tag,
        host: `whoami-${tag.replaceAll('/', '-').toLowerCase()}.${env}.example.com`,
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/whoami@sha256:abc',
        deployedAt: '2026-08-01T10:00:00.000Z',
        deployedBy: 'arn:aws:sts::123456789012:assumed-role/ci/run#42',
      });
    const devTags = Array.from({ length: 22 }, (_, i) => `v${i}`);
    await Promise.all([
      ...devTags.map((tag) => create(`whoami-${tag}`, tagsFor('dev', tag))),
      create('whoami-feature-login', tagsFor('dev', 'feature/Login')),
      create('whoami-stg', tagsFor('staging', 'v1')),
      create('someone-else', [{ key: 'team', value: 'data' }]),
    ]);

    // when the deployments of dev are listed
    const deployments = await listManagedDeployments({ clients, cluster, env: 'dev' });

    // then exactly the 23 dev services come back, with the original tag and host
    expect(deployments).toHaveLength(23);
    if (deployments === undefined) return;
    expect(deployments.map((d) => d.service).sort()).toEqual(
      [...devTags.map((tag) => `whoami-${tag}`), 'whoami-feature-login'].sort(),
    );
    expect(deployments.find((d) => d.service === 'whoami-feature-login')).toEqual({
      app: 'whoami',
      tag: 'feature/Login',
      env: 'dev',
      host: 'whoami-feature-login.dev.example.com',
      service: 'whoami-feature-login',
      deployedAt: '2026-08-01T10:00:00.000Z',
      status: 'ACTIVE',
    });

    // and a deleted service is still reported, as not ACTIVE, so its router shows as orphaned
    await ecs.send(new DeleteServiceCommand({ cluster, service: 'whoami-v0', force: true }));
    const after = await listManagedDeployments({ clients, cluster, env: 'dev' });
    expect(after?.find((d) => d.service === 'whoami-v0')?.status).not.toBe('ACTIVE');
  });

  it("can't tell the deployments of a cluster that does not exist", async () => {
    const cluster = uniqueName('nocluster');
    expect(await listManagedDeployments({ clients, cluster, env: 'dev' })).toBeUndefined();
  });
});
