import { decodeDeploymentState, deploymentStateEntries, type DeploymentTagValues } from '../ecs/tag-codec.js';

/**
 * A local deployment's state lives in its container's labels (DESIGN.md "Targets"): the keys of the
 * ECS tags (src/lib/ecs/tag-codec.ts) with `.` for `:`, `traefikctl:tag` -> `traefikctl.tag`. Labels
 * take any text, so values are stored as they are, never encoded.
 */

/** `traefikctl:env` -> `traefikctl.env` (the same label Traefik's constraint reads). */
export function localLabel(tagKey: string): string {
  return tagKey.replace(/^traefikctl:/, 'traefikctl.');
}

export function deploymentLabels(values: DeploymentTagValues): Record<string, string> {
  return Object.fromEntries(deploymentStateEntries(values).map(([key, value]) => [localLabel(key), value]));
}

/** The deployment a container's labels describe, or undefined when it isn't one of traefikctl's. */
export function readDeploymentLabels(
  labels: Readonly<Record<string, string>> | undefined,
): DeploymentTagValues | undefined {
  return decodeDeploymentState((key) => labels?.[localLabel(key)]);
}
