/**
 * `app deploy` of a tag that is already deployed with nothing new (its record is renewed, nothing else
 * changes) and of secrets the cluster's execution role can't read (refused before anything changes),
 * against moto.
 */
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { afterAll, expect, it } from 'vitest';

import { planPrune } from '../../../src/lib/app/prune.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';
import { runCli } from '../../support/cli.js';
import { describeWith } from '../../support/stack.js';
import {
  countResources,
  createDeployEnvironment,
  deploy,
  describeDeployed,
  putImage,
  tagMap,
  type DeployEnvironment,
  writeProject,
} from './deploy-fixture.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

const DAY = 86_400_000;

/** Everything a redeploy could change, except the two tags it renews. */
async function snapshot(environment: DeployEnvironment, service: string) {
  const deployed = await describeDeployed(clients, environment.cluster, service);
  const ecs = await clients.ecs();
  const arn = deployed.service.taskDefinition ?? '';
  const { tags: taskDefinitionTags } = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }),
  );
  const { taskDefinitionArns = [] } = await ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: service }),
  );
  return {
    serviceTags: tagMap(deployed.service.tags),
    taskDefinitionTags: tagMap(taskDefinitionTags),
    rest: {
      taskDefinition: arn,
      revisions: taskDefinitionArns,
      deployments: deployed.service.deployments?.map((deployment) => deployment.id),
      desiredCount: deployed.service.desiredCount,
      network: deployed.service.networkConfiguration,
      containers: deployed.taskDefinition.containerDefinitions,
    },
  };
}

const renewed = ['traefikctl:deployed-at', 'traefikctl:expires-at'];
const withoutRenewed = (tags: Record<string, string>) =>
  Object.fromEntries(Object.entries(tags).filter(([key]) => !renewed.includes(key)));

describeWith(
  ['moto'],
  'app deploy of an unchanged tag, and secrets the tasks cannot read, against moto',
  () => {
    it('renews deployed-at and expires-at on the service and its revision, so prune keeps it, and changes nothing else', async () => {
      // given v1 deployed three days ago with a 2-day ttl: expired by now
      const environment = await createDeployEnvironment(clients, { appConfig: '    ttl: 2d' });
      await putImage(clients, environment.repository, 'v1');
      const then = new Date(Date.now() - 3 * DAY);
      const first = await deploy(environment, 'v1', { now: () => then });
      expect(first.action).toBe('created');
      const before = await snapshot(environment, 'whoami-v1');
      expect(before.serviceTags['traefikctl:expires-at']).toBe(
        new Date(then.getTime() + 2 * DAY).toISOString(),
      );
      const expired = await planPrune(clients, {
        cluster: environment.cluster,
        env: environment.env,
        criteria: { expired: true },
      });
      expect(expired.targets.map((target) => target.deployment.service)).toEqual(['whoami-v1']);

      // when the same build is deployed again now
      const now = new Date();
      const second = await deploy(environment, 'v1', { now: () => now });

      // then the result says it was unchanged and until when it lives
      const expiresAt = new Date(now.getTime() + 2 * DAY).toISOString();
      expect(second).toMatchObject({
        action: 'unchanged',
        taskDefinitionArn: first.taskDefinitionArn,
        deploymentId: first.deploymentId,
        expiresAt,
      });
      expect(second.phases.find((phase) => phase.id === 'service')?.detail).toBe(
        `unchanged, expiry extended to ${expiresAt}; following ${first.deploymentId ?? ''}`,
      );

      // and the tags moved forward on the service and on its task definition
      const after = await snapshot(environment, 'whoami-v1');
      for (const tags of [after.serviceTags, after.taskDefinitionTags]) {
        expect(tags['traefikctl:deployed-at']).toBe(now.toISOString());
        expect(tags['traefikctl:expires-at']).toBe(expiresAt);
      }

      // and nothing else changed: same revision, no new one, same deployment, same tags otherwise
      expect(after.rest).toEqual(before.rest);
      expect(withoutRenewed(after.serviceTags)).toEqual(withoutRenewed(before.serviceTags));
      expect(withoutRenewed(after.taskDefinitionTags)).toEqual(withoutRenewed(before.taskDefinitionTags));
      expect(await countResources(clients, environment, ['whoami-v1'])).toEqual({
        services: 1,
        taskDefinitions: 1,
      });

      // and app prune --expired no longer selects it
      const pruned = await planPrune(clients, {
        cluster: environment.cluster,
        env: environment.env,
        criteria: { expired: true },
      });
      expect(pruned.targets).toEqual([]);
    });

    it('refuses a secret outside the env prefix or region, with exit 2, and creates nothing', async () => {
      // given a secret under the env's own path, but in another region than the deployment's (us-east-1)
      const environment = await createDeployEnvironment(clients);
      const arn = `arn:aws:ssm:eu-west-1:123456789012:parameter/traefikctl/${environment.env}/apps/whoami/db`;
      const cwd = await writeProject(
        environment.env,
        environment.repository,
        `    secrets:\n      DB: ${arn}`,
      );
      await putImage(clients, environment.repository, 'v1');

      // when deploying
      const error = await deploy({ ...environment, cwd }, 'v1').then(
        () => undefined,
        (e: unknown) => e,
      );

      // then it is a usage error naming the key and the region, and nothing was registered or created
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(ExitCode.Usage);
      expect((error as UserError).message).toContain(
        "is in region eu-west-1, not in the deployment's us-east-1",
      );
      expect(await countResources(clients, environment, ['whoami-v1'])).toEqual({
        services: 0,
        taskDefinitions: 0,
      });
    });

    it('refuses in the dry run too: the CLI exits 2 naming the key and the allowed prefixes', async () => {
      // given a project whose secret is an SSM name outside /traefikctl/<env>/apps/
      const environment = await createDeployEnvironment(clients, {
        appConfig: '    secrets:\n      DB_PASSWORD: /whoami/db-password',
      });
      await putImage(clients, environment.repository, 'v1');

      // when planning with the CLI
      const { stdout, stderr, exitCode } = await runCli(
        ['app', 'deploy', 'whoami', '--tag', 'v1', '--dry-run'],
        { cwd: environment.cwd },
      );

      // then nothing is planned, and the error says what to change
      expect(exitCode).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(
        `apps.whoami.secrets.DB_PASSWORD (/whoami/db-password) is not under /traefikctl/${environment.env}/apps/.`,
      );
      expect(stderr).toContain(
        `reads only SSM parameters under /traefikctl/${environment.env}/apps/ and Secrets Manager secrets under traefikctl/${environment.env}/apps/`,
      );
      expect(stderr).toContain(
        `Store the value under /traefikctl/${environment.env}/apps/, e.g. /traefikctl/${environment.env}/apps/whoami/DB_PASSWORD, and set apps.whoami.secrets.DB_PASSWORD to /traefikctl/{env}/apps/whoami/DB_PASSWORD`,
      );
    });
  },
);
