/** `traefikctl app prune` from a pipe: --dry-run lists and changes nothing; --yes removes that list. */
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { expect, it } from 'vitest';

import type { PruneResult } from '../../src/lib/app/prune.js';
import { AwsClients } from '../../src/lib/aws/clients.js';
import { runCli } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { projectDir, seedClusterStack, seedDeployment } from '../integration/app/seed.js';

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

describeWith(['moto'], 'traefikctl app prune', () => {
  it('lists with --dry-run, then removes exactly that list with --yes', async () => {
    // given deployments 1, 10 and 20 days old
    const env = uniqueName('p');
    // a fresh app name: task definition families are account-wide, and moto is shared by every test
    const app = uniqueName('who');
    const clients = new AwsClients();
    const ecs = await clients.ecs();
    const { cluster } = await seedClusterStack(clients, env);
    const fresh = await seedDeployment(clients, cluster, {
      env,
      app,
      tag: 'v3',
      deployedAt: daysAgo(1),
    });
    const old = await seedDeployment(clients, cluster, {
      env,
      app,
      tag: 'v2',
      deployedAt: daysAgo(10),
    });
    const older = await seedDeployment(clients, cluster, {
      env,
      app,
      tag: 'v1',
      deployedAt: daysAgo(20),
    });
    const cwd = await projectDir();
    const active = async () =>
      (
        (
          await ecs.send(
            new DescribeServicesCommand({ cluster, services: [fresh.service, old.service, older.service] }),
          )
        ).services ?? []
      )
        .filter((s) => s.status === 'ACTIVE')
        .map((s) => s.serviceName)
        .sort();

    // when a dry run lists what is older than a week
    const dry = await runCli(['app', 'prune', '--older-than', '7d', '--dry-run', '--env', env], { cwd });

    // then both old ones are listed, one tab-separated row each, and nothing is removed
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toBe(
      `${app}\tv2\t${old.service}\t1\twould remove\n${app}\tv1\t${older.service}\t1\twould remove\n`,
    );
    expect(await active()).toEqual([fresh.service, old.service, older.service].sort());

    // when it runs with --yes --json
    const run = await runCli(['app', 'prune', '--older-than', '7d', '--yes', '--json', '--env', env], {
      cwd,
    });

    // then exactly those two are removed
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout) as PruneResult;
    expect(result.deployments.map((d) => [d.service, d.status])).toEqual([
      [old.service, 'removed'],
      [older.service, 'removed'],
    ]);
    expect(result.kept).toBe(1);
    expect(await active()).toEqual([fresh.service]);
    await clients.destroy();
  });

  it('exits 2 when no criterion is given, before reading anything', async () => {
    const { exitCode, stderr } = await runCli(['app', 'prune', '--yes', '--env', uniqueName('p')], {
      cwd: await projectDir(),
    });
    expect(exitCode).toBe(2);
    expect(stderr).toContain('Nothing selects deployments to prune.');
    expect(stderr).toContain('Pass --older-than (e.g. 7d), --keep (e.g. 5) or --expired');
  });
});
