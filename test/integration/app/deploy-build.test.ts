import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { deployApp } from '../../../src/lib/app/deploy/index.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { describeWith } from '../../support/stack.js';
import { registryDigest, writeBuildContext } from '../image/helpers.js';
import { createDeployEnvironment, describeDeployed } from './deploy-fixture.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

describeWith(['moto', 'docker', 'registry'], 'app deploy --build', (stack) => {
  it('builds and pushes the image first, then deploys exactly the digest the registry holds', async () => {
    // given an environment and a project with a Dockerfile, pushing to the test registry
    const environment = await createDeployEnvironment(clients);
    await writeBuildContext(environment.cwd, stack.busybox ?? '/bin/busybox', 'built for v1');
    await writeFile(
      path.join(environment.cwd, 'traefikctl.config.yaml'),
      [
        'domain: example.com',
        `environment: ${environment.env}`,
        `registry: ${stack.registry}`,
        'apps:',
        '  whoami:',
        `    repository: ${environment.repository}`,
        '',
      ].join('\n'),
    );

    // when deploying v1 with --build (moto never sees the push: its ECR has no registry API)
    const result = await deployApp({
      cwd: environment.cwd,
      global: {},
      app: 'whoami',
      tag: 'v1',
      build: true,
      skipProbe: true,
      poller: { intervalMs: 20 },
    });

    // then the task definition runs the pushed image, pinned by the digest the registry reports
    const pushed = await registryDigest(stack, environment.repository, 'v1');
    expect(pushed).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.image).toBe(`${stack.registry}/${environment.repository}@${pushed ?? ''}`);
    const { taskDefinition } = await describeDeployed(clients, environment.cluster, 'whoami-v1');
    expect(taskDefinition.containerDefinitions?.[0]?.image).toBe(result.image);
    // and the build and push were phases of the deploy, between preflight and registration
    expect(result.phases.map((phase) => phase.id)).toEqual([
      'preflight',
      'docker',
      'build',
      'repository',
      'auth',
      'push',
      'task-definition',
      'service',
      'rollout',
      'route',
      'probe',
    ]);
  });
});
