/**
 * The real test stack (moto, a Docker engine, a registry; all on 127.0.0.1) for tests under
 * test/integration/ and test/e2e/. `scripts/test-stack.sh up` starts it; without it the suites that
 * need it are skipped (one line on stderr says so), and under CI=true the run fails instead.
 *
 * @example
 * ```ts
 * import { expect, it } from 'vitest';
 * import { DescribeClustersCommand, CreateClusterCommand } from '@aws-sdk/client-ecs';
 * import { AwsClients } from '../../../src/lib/aws/clients.js';
 * import { describeWith, uniqueName } from '../../support/stack.js';
 *
 * describeWith(['moto'], 'ECS clusters', (stack) => {
 *   it('shows a cluster it created', async () => {
 *     // given a cluster with a name no other test uses (test files run in parallel)
 *     const clients = new AwsClients(); // AWS_ENDPOINT_URL already points at stack.motoUrl
 *     const ecs = await clients.ecs();
 *     const name = uniqueName('cluster');
 *     await ecs.send(new CreateClusterCommand({ clusterName: name }));
 *     // when ... then ...
 *     const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: [name] }));
 *     expect(clusters?.[0]?.status).toBe('ACTIVE');
 *     await clients.destroy();
 *   });
 * });
 *
 * // A spawned CLI gets the same environment: execa('bin/run.js', args, { env: stack.awsEnv })
 * // Per test instead of per suite: const stack = useStack(['docker']); it.skipIf(!stack.ready)(...)
 * ```
 *
 * Isolation: moto is one server shared by every test file, by parallel workers and by other people's
 * runs on the same machine. Give everything you create a {@link uniqueName} and only ever look at
 * what you created (filter `ListClusters` results by your names, use your own cluster for services,
 * your own `env` for CloudFormation stacks). Never reset moto in a test: see {@link resetMoto}.
 * Things moto shares across names: the default VPC, its subnets and security group (read them, don't
 * change them) and the ECS task transition set by the global setup (tasks stay RUNNING).
 */
import { randomBytes } from 'node:crypto';
import { describe, inject } from 'vitest';
import { MOTO_ACCOUNT_ID, STACK_COMPONENTS } from '../setup/stack-context.js';
import type { StackComponent, TestStackInfo } from '../setup/stack-context.js';

export { MOTO_ACCOUNT_ID };
export type { StackComponent };

export interface Stack extends Omit<TestStackInfo, 'missing'> {
  /** True when every component this test needs answers. */
  ready: boolean;
  /** The needed components that do not answer, e.g. `['docker']`. */
  missing: StackComponent[];
}

function stackInfo(): TestStackInfo {
  const info = inject('testStack') as TestStackInfo | undefined;
  if (!info) {
    throw new Error(
      'The test stack is only probed for the integration project: move this file under test/integration/ or test/e2e/.',
    );
  }
  return info;
}

/** The stack, and whether the components in `needs` answer. Call it at the top of a file or suite. */
export function useStack(needs: readonly StackComponent[]): Stack {
  const { missing: all, ...info } = stackInfo();
  const missing = STACK_COMPONENTS.filter((name) => needs.includes(name) && all[name] !== undefined);
  return { ...info, ready: missing.length === 0, missing };
}

/**
 * A `describe` that runs only when every component in `needs` answers, and is reported as skipped
 * otherwise. The body receives the stack.
 */
export function describeWith(
  needs: readonly StackComponent[],
  name: string,
  body: (stack: Stack) => void,
): void {
  const stack = useStack(needs);
  describe.skipIf(!stack.ready)(stack.ready ? name : `${name} (needs ${stack.missing.join(', ')})`, () =>
    body(stack),
  );
}

/**
 * `prefix-` plus 8 random hex digits: lowercase, starts with the prefix, valid as an ECS cluster,
 * service or task family name, an ECR repository name, a CloudFormation stack name and a DNS label
 * (keep the prefix short, lowercase and starting with a letter).
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * Wipes ALL of moto's state (every account and region). That includes what other test files, which
 * run in parallel, and other people's runs against the same server have created, so no committed
 * test may call it; it is for a scratch file run on its own (`npx vitest run that.test.ts`).
 * Use {@link uniqueName} for isolation instead.
 */
export async function resetMoto(motoUrl = stackInfo().motoUrl): Promise<void> {
  const response = await fetch(`${motoUrl}/moto-api/reset`, {
    method: 'POST',
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`POST ${motoUrl}/moto-api/reset answered ${response.status}`);
}
