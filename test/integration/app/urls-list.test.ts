/**
 * listDeployments as `routes` uses it, against moto: the input that tells `routes` which app and tag
 * a router belongs to, and which routers are missing or orphaned (deleted services included). Moved
 * here with the function from src/lib/routes/deployments.ts: there is one listing of deployments.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, expect, it } from 'vitest';

import { deploymentTags } from '../../../src/lib/ecs/tag-codec.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { isMissingCluster, listDeployments } from '../../../src/lib/ecs/services.js';
import { describeWith, uniqueName } from '../../support/stack.js';

const clients = new AwsClients();
afterAll(() => clients.destroy());

describeWith(['moto'], 'listDeployments for routes', () => {
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
    const deployments = await listDeployments(clients, { cluster, env: 'dev', includeInactive: true });

    // then exactly the 23 dev services come back, with the original tag and host
    expect(deployments).toHaveLength(23);
    expect(deployments.map((d) => d.service).sort()).toEqual(
      [...devTags.map((tag) => `whoami-${tag}`), 'whoami-feature-login'].sort(),
    );
    expect(deployments.find((d) => d.service === 'whoami-feature-login')).toMatchObject({
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
    const after = await listDeployments(clients, { cluster, env: 'dev', includeInactive: true });
    expect(after.find((d) => d.service === 'whoami-v0')?.status).not.toBe('ACTIVE');
    // and only then: everything that acts on deployments sees only the live ones
    const live = await listDeployments(clients, { cluster, env: 'dev' });
    expect(live.map((d) => d.service)).not.toContain('whoami-v0');
    expect(live).toHaveLength(22);
  });

  it("can't tell the deployments of a cluster that does not exist", async () => {
    const cluster = uniqueName('nocluster');
    const error = await listDeployments(clients, { cluster, env: 'dev' }).catch((e: unknown) => e);
    expect(isMissingCluster(error)).toBe(true);
    expect((error as Error).message).toBe(`The ECS cluster ${cluster} of env dev doesn't exist.`);
  });
});
