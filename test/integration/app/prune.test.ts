/**
 * `app prune` against moto: the plan lists what the criteria select, and carrying it out removes
 * exactly that list: neither newer deployments, nor other apps' when an app is given, nor other envs'.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, expect, it } from 'vitest';

import { destroyDeployments } from '../../../src/lib/app/destroy.js';
import { planPrune, pruneResult } from '../../../src/lib/app/prune.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { createCluster, seedDeployment, type SeededDeployment } from './seed.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

const NOW = new Date('2026-08-22T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

async function activeServices(cluster: string, seeded: readonly SeededDeployment[]): Promise<string[]> {
  const ecs = await clients.ecs();
  const answer = await ecs.send(
    new DescribeServicesCommand({ cluster, services: seeded.map((s) => s.service) }),
  );
  return (answer.services ?? [])
    .filter((service) => service.status === 'ACTIVE')
    .map((service) => service.serviceName ?? '')
    .sort();
}

describeWith(['moto'], 'app prune', () => {
  it('--older-than removes exactly the deployments it lists', async () => {
    // given deployments of two apps in dev aged 1, 3, 8 and 30 days, and old ones in staging
    const whoami = uniqueName('who');
    const api = uniqueName('api');
    const cluster = uniqueName('prune');
    await createCluster(clients, cluster);
    const seed = (env: string, app: string, tag: string, days: number) =>
      seedDeployment(clients, cluster, { env, app, tag, deployedAt: daysAgo(days) });
    const fresh = await seed('dev', whoami, 'v4', 1);
    const recent = await seed('dev', whoami, 'v3', 3);
    const old = await seed('dev', whoami, 'v2', 8);
    const ancient = await seed('dev', api, 'v1', 30);
    const staging = await seed('staging', whoami, 'stg-v1', 40);

    // when deployments older than 7 days are planned for pruning
    const plan = await planPrune(clients, { cluster, env: 'dev', criteria: { olderThan: '7d' }, now: NOW });

    // then it lists the two old dev ones, with why
    expect(plan.targets.map((t) => t.deployment.service).sort()).toEqual(
      [old.service, ancient.service].sort(),
    );
    expect(plan.targets.find((t) => t.deployment.service === old.service)?.reasons).toEqual([
      `deployed more than 7d ago (${daysAgo(8)})`,
    ]);
    expect(plan.kept).toBe(2);

    // when the plan is carried out
    const removed = await destroyDeployments(clients, plan.targets);
    const report = pruneResult(plan, { dryRun: false, removed });

    // then exactly those are gone, with their revisions, and everything else is still there
    expect(report.deployments.map((d) => [d.service, d.status]).sort()).toEqual(
      [
        [old.service, 'removed'],
        [ancient.service, 'removed'],
      ].sort(),
    );
    expect(await activeServices(cluster, [fresh, recent, old, ancient, staging])).toEqual(
      [fresh.service, recent.service, staging.service].sort(),
    );
    const ecs = await clients.ecs();
    for (const [seeded, status] of [
      [old, 'INACTIVE'],
      [ancient, 'INACTIVE'],
      [fresh, 'ACTIVE'],
      [staging, 'ACTIVE'],
    ] as const) {
      const answer = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: seeded.taskDefinitionArns[0] }),
      );
      expect(answer.taskDefinition?.status).toBe(status);
    }
  });

  it("--keep with an app keeps that app's newest and never looks at other apps", async () => {
    // given four deployments of one app and one of another, all in dev
    const whoami = uniqueName('who');
    const api = uniqueName('api');
    const cluster = uniqueName('prunekeep');
    await createCluster(clients, cluster);
    const seeded = [];
    for (const [tag, days] of [
      ['v1', 10],
      ['v2', 5],
      ['v3', 2],
      ['v4', 1],
    ] as const) {
      seeded.push(
        await seedDeployment(clients, cluster, { env: 'dev', app: whoami, tag, deployedAt: daysAgo(days) }),
      );
    }
    const other = await seedDeployment(clients, cluster, {
      env: 'dev',
      app: api,
      tag: 'v1',
      deployedAt: daysAgo(99),
    });

    // when pruning keeps the newest 2 of whoami
    const plan = await planPrune(clients, {
      cluster,
      env: 'dev',
      app: whoami,
      criteria: { keep: 2 },
      now: NOW,
    });
    await destroyDeployments(clients, plan.targets);

    // then v1 and v2 are gone, v3 and v4 stay, and api is untouched however old
    expect(plan.targets.map((t) => t.deployment.tag)).toEqual(['v2', 'v1']);
    expect(await activeServices(cluster, [...seeded, other])).toEqual(
      [seeded[2]?.service, seeded[3]?.service, other.service].sort(),
    );
  });

  it('--expired selects only deployments whose expiry has passed', async () => {
    const app = uniqueName('who');
    const cluster = uniqueName('pruneexp');
    await createCluster(clients, cluster);
    await seedDeployment(clients, cluster, { env: 'dev', app, tag: 'gone', expiresAt: daysAgo(1) });
    await seedDeployment(clients, cluster, { env: 'dev', app, tag: 'later', expiresAt: daysAgo(-1) });
    await seedDeployment(clients, cluster, { env: 'dev', app, tag: 'forever' });

    const plan = await planPrune(clients, { cluster, env: 'dev', criteria: { expired: true }, now: NOW });

    expect(plan.targets.map((t) => [t.deployment.tag, t.reasons])).toEqual([
      ['gone', [`expired at ${daysAgo(1)}`]],
    ]);
  });
});
