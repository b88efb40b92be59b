import { checkCriteria, selectForPrune, type PruneCriteria, type PrunePlan } from '../app/prune.js';
import { usageError } from '../errors.js';
import { localDestroyTarget } from './destroy.js';
import type { LocalEnvironment } from '../env/local.js';
import { listLocalDeployments } from './list.js';

/** `app prune` of a `docker` env: the same criteria and plan as on ECS, over the env's containers. */
export async function planLocalPrune(
  local: LocalEnvironment,
  options: { app?: string | undefined; criteria: PruneCriteria; now?: Date },
): Promise<PrunePlan> {
  checkCriteria(options.criteria);
  const now = options.now ?? new Date();
  const all = await listLocalDeployments(local);
  const deployments = options.app === undefined ? all : all.filter((d) => d.app === options.app);
  if (options.app !== undefined && deployments.length === 0) {
    throw usageError(
      `${options.app} has no deployment in the local environment ${local.env}.`,
      [`See what is deployed: \`traefikctl app urls --env ${local.env}\`.`],
      'NOT_DEPLOYED',
    );
  }
  const targets = selectForPrune(deployments, options.criteria, now).map((candidate) => ({
    ...localDestroyTarget(candidate.deployment as (typeof deployments)[number]),
    reasons: candidate.reasons,
  }));
  return {
    env: local.env,
    cluster: local.network,
    ...(options.app === undefined ? {} : { app: options.app }),
    criteria: options.criteria,
    now: now.toISOString(),
    targets,
    kept: deployments.length - targets.length,
  };
}
