/**
 * The model every folder of src/lib shares: what a deployment is, what a deploy returns, where
 * deployments run. Types only, so that any folder can import it without importing another's code
 * (src/lib's folders import each other without cycles: scripts/check-folder-cycles.mjs).
 */

/** Where an environment's deployments run: ECS today; a local Docker engine is the next. */
export type Target = 'ecs' | 'docker';
