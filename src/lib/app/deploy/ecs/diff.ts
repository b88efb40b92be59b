import type {
  AwsVpcConfiguration,
  ContainerDefinition,
  CreateServiceCommandInput,
  RegisterTaskDefinitionCommandInput,
  Service,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';

import { decodeTagValue, type ResourceTag } from '../../../ecs/tag-codec.js';

/**
 * What a deployment would change, field by field: the planned task definition and service against
 * what ECS runs now. Only fields traefikctl writes are compared, so what ECS adds by itself (revision,
 * status, `requiresAttributes`, moto's `mountPoints: []`) never shows up as a change. Pure.
 */

export interface Change {
  /** Where, e.g. `container whoami image` or `tag traefikctl:deployed-at`. */
  field: string;
  kind: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

/** Compared fields: `field` -> value as text. */
export type Flat = Map<string, string>;

function put(flat: Flat, field: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value) && value.length === 0) return;
  flat.set(field, typeof value === 'string' ? value : JSON.stringify(value));
}

function flattenContainer(flat: Flat, container: ContainerDefinition): void {
  const at = `container ${container.name ?? '?'}`;
  put(flat, `${at} image`, container.image);
  put(flat, `${at} essential`, container.essential);
  put(flat, `${at} memory`, container.memory);
  put(
    flat,
    `${at} stop timeout`,
    container.stopTimeout === undefined ? undefined : `${container.stopTimeout}s`,
  );
  put(
    flat,
    `${at} ports`,
    (container.portMappings ?? [])
      .map((p) => `${p.containerPort ?? '?'}:${p.hostPort ?? '?'}/${p.protocol ?? 'tcp'}`)
      .sort()
      .join(', ') || undefined,
  );
  for (const { name, value } of container.environment ?? [])
    put(flat, `${at} env ${name ?? '?'}`, value ?? '');
  for (const { name, valueFrom } of container.secrets ?? []) put(flat, `${at} secret ${name}`, valueFrom);
  for (const [key, value] of Object.entries(container.dockerLabels ?? {}))
    put(flat, `${at} label ${key}`, value);
  const log = container.logConfiguration;
  put(flat, `${at} log driver`, log?.logDriver);
  for (const [key, value] of Object.entries(log?.options ?? {})) put(flat, `${at} log ${key}`, value);
}

/** The compared fields of a task definition, registered (ECS's answer) or planned (our input). */
export function flattenTaskDefinition(td: RegisterTaskDefinitionCommandInput | TaskDefinition): Flat {
  const flat: Flat = new Map();
  put(flat, 'family', td.family);
  put(flat, 'cpu', td.cpu);
  put(flat, 'memory', td.memory);
  put(flat, 'network mode', td.networkMode);
  put(flat, 'compatibilities', [...(td.requiresCompatibilities ?? [])].sort().join(', ') || undefined);
  put(flat, 'cpu architecture', td.runtimePlatform?.cpuArchitecture);
  put(flat, 'operating system', td.runtimePlatform?.operatingSystemFamily);
  put(flat, 'execution role', td.executionRoleArn);
  put(flat, 'task role', td.taskRoleArn);
  for (const container of td.containerDefinitions ?? []) flattenContainer(flat, container);
  return flat;
}

/** The added, changed and removed fields from `before` to `after`. */
export function diffFlat(before: Flat, after: Flat): Change[] {
  const changes: Change[] = [];
  for (const [field, value] of after) {
    const old = before.get(field);
    if (old === undefined) changes.push({ field, kind: 'added', after: value });
    else if (old !== value) changes.push({ field, kind: 'changed', before: old, after: value });
  }
  for (const [field, value] of before) {
    if (!after.has(field)) changes.push({ field, kind: 'removed', before: value });
  }
  return changes;
}

export function diffTaskDefinition(
  deployed: TaskDefinition,
  planned: RegisterTaskDefinitionCommandInput,
): Change[] {
  return diffFlat(flattenTaskDefinition(deployed), flattenTaskDefinition(planned));
}

/** The service settings an update changes: task count, network placement, failure threshold. */
export function diffService(deployed: Service, planned: CreateServiceCommandInput): Change[] {
  const flatten = (count: number | undefined, vpc: AwsVpcConfiguration | undefined) => {
    const flat: Flat = new Map();
    put(flat, 'service desired count', count);
    put(flat, 'service subnets', [...(vpc?.subnets ?? [])].sort().join(', ') || undefined);
    put(flat, 'service security groups', [...(vpc?.securityGroups ?? [])].sort().join(', ') || undefined);
    return flat;
  };
  const before = flatten(deployed.desiredCount, deployed.networkConfiguration?.awsvpcConfiguration);
  const after = flatten(planned.desiredCount, planned.networkConfiguration?.awsvpcConfiguration);
  // issue 18: the circuit breaker's threshold, compared only where ECS reports one (moto never does,
  // and a service from before thresholds existed gets its threshold with its next change).
  const threshold = (service: Pick<Service, 'deploymentConfiguration'>) => {
    const configured = service.deploymentConfiguration?.deploymentCircuitBreaker?.thresholdConfiguration;
    return configured === undefined ? undefined : `${configured.value ?? '?'} (${configured.type ?? '?'})`;
  };
  const deployedThreshold = threshold(deployed);
  if (deployedThreshold !== undefined) {
    put(before, 'service failure threshold', deployedThreshold);
    put(after, 'service failure threshold', threshold(planned));
  }
  return diffFlat(before, after);
}

/** Tag changes, with values decoded (a `base64:` value reads as what it stands for). */
export function diffTags(deployed: readonly Tag[], planned: readonly ResourceTag[]): Change[] {
  const flatten = (tags: readonly { key?: string | undefined; value?: string | undefined }[]) => {
    const flat: Flat = new Map();
    for (const { key, value } of tags) {
      if (key?.startsWith('traefikctl:') && value !== undefined)
        flat.set(`tag ${key}`, decodeTagValue(value));
    }
    return flat;
  };
  return diffFlat(flatten(deployed), flatten(planned));
}
