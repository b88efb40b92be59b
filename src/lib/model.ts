/**
 * The model every folder of src/lib shares: what a deployment is, what a deploy returns, where
 * deployments run. Types only, so that any folder can import it without importing another's code
 * (src/lib's folders import each other without cycles: scripts/check-folder-cycles.mjs).
 */
import type { PhaseStatus } from './events.js';

/** Where an environment's deployments run: ECS today; a local Docker engine is the next. */
export type Target = 'ecs' | 'docker';

/**
 * One deployment of an app at a tag, as its target records it (on ECS: the service's tags, DESIGN.md
 * "State lives in AWS"). Not the SDK's ECS `Deployment` (one rollout of a service, imported as
 * `EcsServiceDeployment` where used), nor lib/ecs/services.ts's `EcsDeploymentRecord` (this, plus the
 * service's counts and rollout).
 */
export interface DeploymentRecord {
  app: string;
  /** The original tag, as CI passed it. */
  tag: string;
  env: string;
  host: string;
  /** The ECS service name, which is also the Traefik router and service name (`<service>@ecs`). */
  service: string;
  /** ISO 8601, from `traefikctl:deployed-at`. */
  deployedAt?: string | undefined;
  expiresAt?: string | undefined;
  /** ECS service status: ACTIVE, or DRAINING/INACTIVE once it is being deleted. */
  status?: string | undefined;
  /**
   * The tasks it is meant to run, where the target says (ECS's desiredCount). 0: scaled to zero, by a
   * failed first deploy (`--on-failure scale-to-zero`, the default) or by hand; Traefik then has no
   * router for it, and that is expected.
   */
  desiredCount?: number | undefined;
}

/** `live`: the URL answered; `rolled-out`: ECS finished, the URL was not probed; `applied`: --no-wait. */
export type DeployStatus = 'live' | 'rolled-out' | 'applied';

export interface PhaseRecord {
  id: string;
  title: string;
  status: PhaseStatus;
  elapsedMs?: number;
  detail?: string;
}

/** What `app deploy --json` prints. */
export interface DeployResult {
  app: string;
  tag: string;
  env: string;
  host: string;
  url: string;
  service: string;
  taskDefinitionArn: string;
  deploymentId: string | undefined;
  /** The digest-pinned image reference the tasks run. */
  image: string;
  status: DeployStatus;
  /**
   * What happened to the service: created, updated, or left running as it was (already this plan;
   * only its `deployed-at`/`expires-at` tags were renewed).
   */
  action: 'created' | 'updated' | 'unchanged';
  /** When `app prune --expired` may remove the deployment (ISO 8601); absent without a ttl. */
  expiresAt?: string;
  phases: PhaseRecord[];
}
