import { afterAll, expect, it } from 'vitest';

import { AwsClients } from '../../../src/lib/aws/clients.js';
import { readClusterOutputs } from '../../../src/lib/cluster/outputs.js';
import { UserError } from '../../../src/lib/errors.js';
import { describeWith, uniqueName } from '../../support/stack.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

describeWith(['moto'], 'readClusterOutputs against moto', () => {
  it('says there is no cluster, and how to create one, when the stack does not exist', async () => {
    // given an environment nobody created a cluster for
    const env = uniqueName('t');

    // when
    const error = await readClusterOutputs(clients, env).then(
      () => undefined,
      (e: unknown) => e,
    );

    // then
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      `No cluster for env ${env}: stack traefikctl-${env} doesn't exist.`,
    );
    expect((error as UserError).suggestions).toEqual([
      `Create it with \`traefikctl cluster up --env ${env}\`.`,
    ]);
    expect((error as UserError).exitCode).toBe(1);
  });
});
