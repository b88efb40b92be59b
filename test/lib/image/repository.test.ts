/**
 * ensureRepository's answers to what moto can't produce on demand: a permission refusal (moto doesn't
 * enforce IAM) and two pushes racing to create the same repository. Everything else is tested against
 * moto in test/integration/image/push.test.ts. The ECR client is replaced by a scripted `send`.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';

import { UserError } from '../../../src/lib/errors.js';
import type { ProgressEvent } from '../../../src/lib/events.js';
import { ensureRepository } from '../../../src/lib/image/repository.js';

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} from AWS`), { name, $metadata: { httpStatusCode: status } });
}

/** An ECR client whose calls answer, in order, with the given results or errors. */
function scriptedEcr(answers: unknown[]): { client: ECRClient; calls: string[] } {
  const calls: string[] = [];
  const client = {
    send: (command: { constructor: { name: string } }) => {
      calls.push(command.constructor.name);
      const answer = answers.shift();
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  } as unknown as ECRClient;
  return { client, calls };
}

describe('ensureRepository', () => {
  it('names the permission when AWS denies creating the repository', async () => {
    const { client } = scriptedEcr([
      awsError('RepositoryNotFoundException', 400),
      awsError('AccessDeniedException', 400),
    ]);

    const error = await ensureRepository(client, 'whoami', 'MUTABLE', () => undefined).catch(
      (thrown: unknown) => thrown,
    );

    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe("Can't create the ECR repository whoami: AWS denied access.");
    expect((error as UserError).suggestions[0]).toContain('ecr:CreateRepository');
  });

  it('names the permission when AWS denies looking the repository up', async () => {
    const { client } = scriptedEcr([awsError('AccessDeniedException', 400)]);
    const error = await ensureRepository(client, 'whoami', 'MUTABLE', () => undefined).catch(
      (thrown: unknown) => thrown,
    );
    expect((error as UserError).suggestions[0]).toContain('ecr:DescribeRepositories');
  });

  it('uses the repository another push created between our look-up and our create', async () => {
    const { client, calls } = scriptedEcr([
      awsError('RepositoryNotFoundException', 400),
      awsError('RepositoryAlreadyExistsException', 400),
      {
        repositories: [
          { repositoryName: 'whoami', repositoryUri: 'x/whoami', imageTagMutability: 'MUTABLE' },
        ],
      },
    ]);

    const result = await ensureRepository(client, 'whoami', 'MUTABLE', () => undefined);

    expect(calls).toEqual([
      'DescribeRepositoriesCommand',
      'CreateRepositoryCommand',
      'DescribeRepositoriesCommand',
    ]);
    expect(result).toEqual({ name: 'whoami', uri: 'x/whoami', created: false, tagMutability: 'MUTABLE' });
  });

  it('warns, and changes nothing, when an existing repository’s tag mutability differs from the config', async () => {
    const events: ProgressEvent[] = [];
    const { client, calls } = scriptedEcr([
      { repositories: [{ repositoryName: 'whoami', imageTagMutability: 'IMMUTABLE' }] },
    ]);

    await ensureRepository(client, 'whoami', 'MUTABLE', (event) => events.push(event));

    expect(calls).toEqual(['DescribeRepositoriesCommand']);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'warning',
        message:
          'The ECR repository whoami has tag mutability IMMUTABLE, but the configuration says MUTABLE; it is left as it is.',
      }),
    ]);
  });
});
