/**
 * `cluster up` stopped by Ctrl-C while AWS holds a change it has not answered: it says what this run
 * may have left and how to go on. The calls go to moto through a proxy that swallows one operation's
 * answer (test/support/aws-proxy.ts); Ctrl-C comes once that request has reached moto.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

import { AwsClients } from '../../../src/lib/aws/clients.js';
import { clusterUp } from '../../../src/lib/cluster/up/index.js';
import { ExitCode } from '../../../src/lib/errors.js';
import { startAwsProxy, type AwsProxy } from '../../support/aws-proxy.js';
import { rejection } from '../../support/errors.js';
import { describeWith } from '../../support/stack.js';
import { contextFor, uniqueEnv } from './support.js';

const fixtures = new AwsClients({ maxAttempts: 1 });
let proxy: AwsProxy;

beforeAll(async () => {
  proxy = await startAwsProxy(process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5055');
});
afterAll(async () => {
  await fixtures.destroy();
  await proxy.close();
});

/** `cluster up` through the proxy, interrupted once `operation` has reached moto. */
async function interruptedUp(context: ReturnType<typeof contextFor>, operation: string) {
  vi.stubEnv('AWS_ENDPOINT_URL', proxy.url);
  const interrupt = new AbortController();
  const clients = new AwsClients({ region: 'us-east-1', maxAttempts: 1, signal: interrupt.signal });
  proxy.swallow.add(operation);
  void proxy.forwarded(operation).then(() => interrupt.abort(new Error('SIGINT')));
  try {
    return await rejection(clusterUp({ clients, context, pollIntervalMs: 20, signal: interrupt.signal }));
  } finally {
    proxy.swallow.delete(operation);
    await clients.destroy();
    vi.unstubAllEnvs();
    await proxy.idle();
  }
}

describeWith(['moto'], 'cluster up interrupted', () => {
  it('while storing the API password of a new env: names the parameter, and how to resume or remove it', async () => {
    const env = uniqueEnv();

    const error = await interruptedUp(contextFor(env), 'PutParameter');

    expect(error.exitCode).toBe(ExitCode.Interrupted);
    expect(error.message).toBe(
      `Stopped while the Traefik API password was being stored in SSM /traefikctl/${env}/traefik-api-password (it may be stored now); the stack traefikctl-${env} was not changed.`,
    );
    expect(error.suggestions).toEqual([
      `Resume: run \`traefikctl cluster up --env ${env}\` again (it uses the stored password).`,
      `Or remove the password: \`traefikctl cluster down --env ${env} --yes\`.`,
    ]);
  });

  it('while updating an existing stack: says the update may go on, and how to cancel it, not to remove the cluster', async () => {
    // given a cluster, and a new Traefik image to roll out to it
    const env = uniqueEnv();
    await clusterUp({ clients: fixtures, context: contextFor(env), pollIntervalMs: 20 });
    const newer = contextFor(env, { traefik: { image: 'traefik:v3.9.9' } });

    // when Ctrl-C comes once ExecuteChangeSet was sent
    const error = await interruptedUp(newer, 'ExecuteChangeSet');

    // then
    expect(error.exitCode).toBe(ExitCode.Interrupted);
    expect(error.message).toBe(
      `Stopped while CloudFormation was asked to update the stack traefikctl-${env}: the request was sent, so the update may have started, and goes on if it did.`,
    );
    expect(error.suggestions).toEqual([
      `See where it is: \`traefikctl cluster status --env ${env}\`.`,
      `Resume: run \`traefikctl cluster up --env ${env}\` again once CloudFormation is done (it keeps the stored password).`,
      `Or cancel the update: \`aws cloudformation cancel-update-stack --stack-name traefikctl-${env}\`.`,
    ]);
    // and the stack is still there
    const cloudformation = await fixtures.cloudformation();
    const { Stacks = [] } = await cloudformation.send(
      new DescribeStacksCommand({ StackName: `traefikctl-${env}` }),
    );
    expect(Stacks).toHaveLength(1);
  });
});
