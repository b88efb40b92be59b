/**
 * Deployments seeded straight into moto with the SDK, tagged exactly as `app deploy` tags them
 * (`deploymentTags` from src/lib/ecs/tag-codec.ts): a few calls per deployment instead of a whole deploy, so a
 * test can create 200 of them. Used by the app urls/destroy/prune/logs integration and e2e tests.
 * The seeding itself is test/support/moto-seed.ts, bound here to src/'s naming, outputs and tags.
 */
import type { AwsClients } from '../../../src/lib/aws/clients.js';
import { deploymentTags } from '../../../src/lib/ecs/tag-codec.js';
import { OUTPUT_KEYS, stackNameFor } from '../../../src/lib/cluster/outputs.js';
import { hostname, serviceName } from '../../../src/lib/naming.js';
import { motoSeed } from '../../support/moto-seed.js';

export { DEPLOYED_BY, IMAGE, type SeedDeployment, type SeededDeployment } from '../../support/moto-seed.js';

export const moto = motoSeed({ OUTPUT_KEYS, stackNameFor, deploymentTags, hostname, serviceName });

export const { createCluster, createLogGroup, putLogLines, registerRevision, seedDeployment, tagValues } =
  moto;

/**
 * The `traefikctl-<env>` stack that `cluster up` would leave, reduced to its outputs, plus its ECS
 * cluster and log group.
 */
export async function seedClusterStack(
  clients: AwsClients,
  env: string,
  extraOutputs: Record<string, string> = {},
): Promise<{ cluster: string; logGroup: string }> {
  const { cluster, logGroup } = await moto.seedEnvironment(clients, { env, extraOutputs });
  return { cluster, logGroup };
}

/** A project directory with a traefikctl.config.yaml, as the CLI finds it in its working directory. */
export async function projectDir(config = 'domain: example.com\n'): Promise<string> {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-app-'));
  await writeFile(path.join(dir, 'traefikctl.config.yaml'), config);
  return dir;
}
