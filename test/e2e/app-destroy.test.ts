/**
 * `traefikctl app destroy` from a pipe (as in CI): it shows what it will remove, refuses without
 * --yes (exit 2, naming --yes, nothing touched), and with --yes removes exactly that. On a terminal
 * it asks instead, default no.
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { expect, it, vi } from 'vitest';

import type { DestroyedDeployment } from '../../src/lib/app/destroy.js';
import { AwsClients } from '../../src/lib/aws/clients.js';
import { runCli } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { hasScript, runOnTerminal } from '../support/terminal.js';
import { projectDir, seedClusterStack, seedDeployment } from '../integration/app/seed.js';

describeWith(['moto'], 'traefikctl app destroy', () => {
  it('needs --yes outside a terminal, then removes the service and its revisions', async () => {
    // given a deployment with two revisions, and a neighbour
    const env = uniqueName('d');
    // a fresh app name: task definition families are account-wide, and moto is shared by every test
    const app = uniqueName('who');
    const clients = new AwsClients();
    const ecs = await clients.ecs();
    const { cluster } = await seedClusterStack(clients, env);
    const target = await seedDeployment(clients, cluster, { env, app, tag: 'v2', revisions: 2 });
    const neighbour = await seedDeployment(clients, cluster, { env, app, tag: 'v3' });
    const cwd = await projectDir();
    const status = async (service: string) =>
      (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services?.[0]?.status;

    // when it is destroyed without --yes
    const refused = await runCli(['app', 'destroy', app, '--tag', 'v2', '--env', env], { cwd });

    // then the plan is shown, the command fails naming --yes, and nothing is removed
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`− ECS service ${target.service} (1/1 running) in ${cluster}`);
    expect(refused.stderr).toContain(`− task definition ${target.family} revisions 1, 2`);
    expect(refused.stderr).toContain('needs confirmation, and there is no terminal to ask on.');
    expect(refused.stderr).toContain(
      `Pass --yes to remove what is listed above: traefikctl app destroy ${app} --tag "v2" --env ${env} --yes`,
    );
    expect(refused.stdout).toBe('');
    expect(await status(target.service)).toBe('ACTIVE');
    // and every flag it suggests is one that app destroy has
    const help = (await runCli(['app', 'destroy', '--help'], { cwd })).stdout;
    const suggested = [...new Set(refused.stderr.match(/--[a-z][a-z-]*/g) ?? [])];
    expect(suggested).toContain('--yes');
    for (const flag of suggested) expect(help, flag).toMatch(new RegExp(`${flag}(?![a-z-])`));

    // when it is destroyed with --yes --json
    const done = await runCli(['app', 'destroy', app, '--tag', 'v2', '--env', env, '--yes', '--json'], {
      cwd,
    });

    // then exactly that deployment is gone
    expect(done.exitCode).toBe(0);
    const result = JSON.parse(done.stdout) as DestroyedDeployment;
    expect(result).toMatchObject({
      service: target.service,
      status: 'removed',
      taskDefinitions: target.taskDefinitionArns,
    });
    expect(await status(target.service)).toBe('INACTIVE');
    expect(await status(neighbour.service)).toBe('ACTIVE');
    for (const arn of target.taskDefinitionArns) {
      const answer = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
      expect(answer.taskDefinition?.status).toBe('INACTIVE');
    }
    await clients.destroy();
  });

  it('exits 2 for a tag that is not deployed, naming the tags that are', async () => {
    const env = uniqueName('d');
    const app = uniqueName('who');
    const clients = new AwsClients();
    const { cluster } = await seedClusterStack(clients, env);
    await seedDeployment(clients, cluster, { env, app, tag: 'v2' });
    await clients.destroy();

    const { exitCode, stderr } = await runCli(['app', 'destroy', app, '--tag', 'v9', '--env', env, '--yes'], {
      cwd: await projectDir(),
    });

    expect(exitCode).toBe(2);
    expect(stderr).toContain(`The app ${app} has no deployment tagged v9 in env ${env} (tags: v2).`);
  });

  it.skipIf(!hasScript)(
    'asks on a terminal: no keeps the deployment, Ctrl-C exits 130, yes removes it',
    async () => {
      // given a deployment
      const env = uniqueName('d');
      const app = uniqueName('who');
      const clients = new AwsClients();
      const ecs = await clients.ecs();
      const { cluster } = await seedClusterStack(clients, env);
      const target = await seedDeployment(clients, cluster, { env, app, tag: 'v2' });
      const cwd = await projectDir();
      const status = async () =>
        (await ecs.send(new DescribeServicesCommand({ cluster, services: [target.service] }))).services?.[0]
          ?.status;
      const destroy = () => runOnTerminal(['app', 'destroy', app, '--tag', 'v2', '--env', env], { cwd });
      const asked = (run: ReturnType<typeof destroy>) =>
        vi.waitFor(() => expect(run.screen()).toContain('Remove this deployment? [y/N]'), {
          timeout: 20_000,
          interval: 50,
        });

      // when the user answers n (or just Enter)
      const declined = destroy();
      await asked(declined);
      declined.type('n\r');

      // then nothing is removed and the command ends normally
      expect(await declined.exited).toBe(0);
      expect(declined.screen()).toContain('Nothing was removed.');
      expect(await status()).toBe('ACTIVE');

      // when the user presses Ctrl-C at the question
      const interrupted = destroy();
      await asked(interrupted);
      interrupted.type('\x03');

      // then the command ends as interrupted, and nothing is removed
      expect(await interrupted.exited).toBe(130);
      expect(await status()).toBe('ACTIVE');

      // when the user answers y
      const confirmed = destroy();
      await asked(confirmed);
      confirmed.type('y\r');

      // then the deployment is removed
      expect(await confirmed.exited).toBe(0);
      expect(await status()).toBe('INACTIVE');
      await clients.destroy();
    },
    60_000,
  );
});
