/**
 * Ctrl-C while an AWS call hangs, as a user sees it: bin/run.js with pipes, talking to moto through a
 * proxy that swallows the answer to one operation (test/support/aws-proxy.ts; the request still
 * reaches moto, so the change happens, as it can on AWS when an answer is lost). The CLI runs with
 * the default timeouts: without aborting the call in flight it would stay silent for every retry
 * (5 attempts of 30 s) before saying anything.
 */
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { runCli } from '../support/cli.js';
import { interruptCli } from '../support/interrupt.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { createDeployEnvironment, putImage } from '../integration/app/deploy-fixture.js';

const clients = new AwsClients({ maxAttempts: 1 });
let proxy: AwsProxy;

beforeAll(async () => {
  proxy = await startAwsProxy(process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5055');
});
afterAll(async () => {
  await clients.destroy();
  await proxy.close();
});

/** Well under the 2.5 minutes that the retries of one hung call take, with room for a slow machine. */
const PROMPTLY_MS = 2_000;

describeWith(['moto'], 'Ctrl-C while AWS does not answer', () => {
  it('app deploy: aborts a hung CreateService, exits 130 at once, and says the service may exist and how to check', async () => {
    // given an image to deploy, and ECS taking CreateService but never answering it
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'ctrl-c');
    proxy.swallow.add('CreateService');

    // when Ctrl-C is pressed while the service is being created
    const run = await interruptCli(['app', 'deploy', 'whoami', '--tag', 'ctrl-c'], '▸ Create service', {
      cwd: environment.cwd,
      env: { AWS_ENDPOINT_URL: proxy.url },
    });
    proxy.swallow.delete('CreateService');

    // then it exits 130 at once, without claiming the service was not changed
    expect(run.signal).toBeNull();
    expect(run.exitCode).toBe(130);
    expect(run.exitAfterMs).toBeLessThan(PROMPTLY_MS);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toContain('was not changed');
    expect(run.stderr).toContain(
      'Error: Stopped while ECS was creating the service whoami-ctrl-c: the request was sent, so the service may exist now.',
    );
    expect(run.stderr).toContain(
      `→ See what is there: \`aws ecs describe-services --cluster ${environment.cluster} --services whoami-ctrl-c\`.`,
    );
    expect(run.stderr).toContain(
      `→ Deploy again to finish (it picks up what is there): \`traefikctl app deploy whoami --tag ctrl-c --env ${environment.env}\`.`,
    );
    expect(run.stderr).toContain(
      `→ Or remove it: \`traefikctl app destroy whoami --tag ctrl-c --env ${environment.env}\`.`,
    );
    // and "may exist" was the truth: ECS did create it
    await proxy.idle();
    const ecs = await clients.ecs();
    const { services = [] } = await ecs.send(
      new DescribeServicesCommand({ cluster: environment.cluster, services: ['whoami-ctrl-c'] }),
    );
    expect(services[0]?.status).toBe('ACTIVE');
  });

  it('app deploy: a second Ctrl-C exits 130 at once, whatever the first one is doing', async () => {
    // given ECS taking CreateService but never answering it
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'ctrl-c');
    proxy.swallow.add('CreateService');

    // when Ctrl-C is pressed twice in a row
    const run = await interruptCli(['app', 'deploy', 'whoami', '--tag', 'ctrl-c'], '▸ Create service', {
      cwd: environment.cwd,
      env: { AWS_ENDPOINT_URL: proxy.url },
      againAfterMs: 20,
    });
    proxy.swallow.delete('CreateService');

    // then the process exits with 130 (not killed by the signal), at once
    expect(run.signal).toBeNull();
    expect(run.exitCode).toBe(130);
    expect(run.exitAfterMs).toBeLessThan(PROMPTLY_MS);
  });

  it('cluster up: exits 130 at once and says what may be left (stack, SSM parameter) and how to resume or remove it', async () => {
    // given a new environment, and CloudFormation taking CreateStack but never answering it
    const env = uniqueName('i').replace('-', '');
    const cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-interrupt-'));
    await writeFile(
      path.join(cwd, 'traefikctl.config.yaml'),
      `domain: example.com\nenvironment: ${env}\ntraefik:\n  apiUrl: http://127.0.0.1:9\n`,
    );
    proxy.swallow.add('CreateStack');

    // when Ctrl-C is pressed while the stack is being created
    const run = await interruptCli(['cluster', 'up'], `▸ Create traefikctl-${env}`, {
      cwd,
      env: { AWS_ENDPOINT_URL: proxy.url },
    });
    proxy.swallow.delete('CreateStack');

    // then it exits 130 at once and says what this run may have left
    expect(run.signal).toBeNull();
    expect(run.exitCode).toBe(130);
    expect(run.exitAfterMs).toBeLessThan(PROMPTLY_MS);
    expect(run.stderr).toContain(
      `Error: Stopped while CloudFormation was asked to create the stack traefikctl-${env}: the request was sent, so the stack may exist, and CloudFormation goes on creating it. This run stored the Traefik API password in SSM /traefikctl/${env}/traefik-api-password.`,
    );
    expect(run.stderr).toContain(`→ See where it is: \`traefikctl cluster status --env ${env}\`.`);
    expect(run.stderr).toContain(
      `→ Resume: run \`traefikctl cluster up --env ${env}\` again once CloudFormation is done (it keeps the stored password).`,
    );
    expect(run.stderr).toContain(
      `→ Or remove what was made (the stack and the password): \`traefikctl cluster down --env ${env} --yes\`.`,
    );
    // and the stack it says may exist does, once CloudFormation has taken the request
    await proxy.idle();
    const cloudformation = await clients.cloudformation();
    const { Stacks = [] } = await cloudformation.send(
      new DescribeStacksCommand({ StackName: `traefikctl-${env}` }),
    );
    expect(Stacks).toHaveLength(1);

    // when resumed as it says, then the cluster is up
    const resumed = await runCli(['cluster', 'up'], { cwd });
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stdout).toMatch(/^action\t(unchanged|updated)$/m);
  });
});
