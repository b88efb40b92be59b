import { readFile } from 'node:fs/promises';

import type { CloudFormationClient, Parameter } from '@aws-sdk/client-cloudformation';

/** assets/traefik/cluster.yaml, from src/lib/cluster (tests) and dist/lib/cluster (the CLI) alike. */
export const TEMPLATE_FILE = new URL('../../../assets/traefik/cluster.yaml', import.meta.url);

export async function loadClusterTemplate(): Promise<string> {
  return readFile(TEMPLATE_FILE, 'utf8');
}

/**
 * The stack parameters traefikctl decides, from the configuration, the flags and the discovered
 * network. `undefined` means "keep what the stack has" (or the template default on creation).
 */
export interface ClusterParameters {
  Env: string;
  ClusterName: string;
  Domain: string;
  HostPattern: string;
  VpcId: string | undefined;
  Subnets: readonly string[] | undefined;
  AssignPublicIp: 'ENABLED' | 'DISABLED' | undefined;
  CertificateArn: string | undefined;
  HostedZoneId: string | undefined;
  TraefikImage: string;
  TraefikArguments: string;
  EntryPoint: string;
  ApiUsername: string;
  /** Only when the password is new or changed; never compared (CloudFormation hides it). */
  ApiPasswordHash: string | undefined;
  ApiPasswordVersion: string;
  PasswordParameter: string;
}

/**
 * Parameters that platform teams tune in the console or with the AWS CLI. traefikctl never sets
 * them, so `cluster up` keeps whatever they are.
 */
export const PLATFORM_PARAMETERS = [
  'TraefikCpu',
  'TraefikMemory',
  'TraefikDesiredCount',
  'LogRetentionDays',
] as const;

/** Parameters whose value must never be shown: CloudFormation echoes NoEcho values in some places. */
export const SECRET_PARAMETERS: ReadonlySet<string> = new Set(['ApiPasswordHash']);

function parameterValue(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(',');
}

/**
 * The `Parameters` of CreateStack or CreateChangeSet. For a new stack (`existing` undefined) every
 * parameter is sent, template defaults included (`defaults`), so the stack records each setting it
 * was made with (and moto, whose update diff counts a parameter absent at creation as changed,
 * doesn't rebuild resources on every update). For an update: what traefikctl decides, and
 * `UsePreviousValue` for everything else the stack has, platform settings above all.
 */
export function stackParameters(
  desired: ClusterParameters,
  existing: readonly Parameter[] | undefined,
  defaults: Readonly<Record<string, string>> = {},
): Parameter[] {
  const previous = new Set((existing ?? []).map((p) => p.ParameterKey));
  const result: Parameter[] = [];
  const sent = new Set<string>();
  for (const [key, raw] of Object.entries(desired) as [string, string | readonly string[] | undefined][]) {
    const value = parameterValue(raw) ?? (existing === undefined ? defaults[key] : undefined);
    sent.add(key);
    if (value !== undefined) result.push({ ParameterKey: key, ParameterValue: value });
    else if (previous.has(key)) result.push({ ParameterKey: key, UsePreviousValue: true });
  }
  for (const key of PLATFORM_PARAMETERS) {
    sent.add(key);
    if (existing === undefined) {
      const value = defaults[key];
      if (value !== undefined) result.push({ ParameterKey: key, ParameterValue: value });
    } else if (previous.has(key)) result.push({ ParameterKey: key, UsePreviousValue: true });
  }
  return result;
}

/** The template's parameter defaults, as CloudFormation reads them. */
export async function templateDefaults(
  cloudformation: CloudFormationClient,
  templateBody: string,
): Promise<Record<string, string>> {
  const { GetTemplateSummaryCommand } = await import('@aws-sdk/client-cloudformation');
  const summary = await cloudformation.send(new GetTemplateSummaryCommand({ TemplateBody: templateBody }));
  const defaults: Record<string, string> = {};
  for (const parameter of summary.Parameters ?? []) {
    if (parameter.ParameterKey !== undefined && parameter.DefaultValue !== undefined)
      defaults[parameter.ParameterKey] = parameter.DefaultValue;
  }
  return defaults;
}

/**
 * The items of a list parameter as DescribeStacks returns it: joined with commas by CloudFormation,
 * written as Python's list repr (`['a', 'b']`) by moto. Order kept.
 */
export function parameterList(value: string | undefined): string[] {
  const text = (value ?? '').trim();
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return inner
    .split(',')
    .map((item) => item.trim().replace(/^'(.*)'$/, '$1'))
    .filter((item) => item !== '');
}

/** A parameter value made comparable: for the subnet list, the order doesn't matter. */
export function normalizeParameterValue(key: string, value: string | undefined): string {
  if (key !== 'Subnets') return value ?? '';
  return parameterList(value).sort().join(',');
}

/**
 * The keys of the parameters traefikctl would change on the stack (pure). The hash counts as a
 * change only when a new one is sent; it is then reported as `ApiPasswordHash`, never its value.
 */
export function changedParameters(desired: ClusterParameters, existing: readonly Parameter[]): string[] {
  const current = new Map(existing.map((p) => [p.ParameterKey ?? '', p.ParameterValue]));
  const changed: string[] = [];
  for (const [key, raw] of Object.entries(desired) as [string, string | readonly string[] | undefined][]) {
    const value = parameterValue(raw);
    if (value === undefined) continue;
    if (SECRET_PARAMETERS.has(key)) {
      changed.push(key);
      continue;
    }
    if (
      !current.has(key) ||
      normalizeParameterValue(key, current.get(key)) !== normalizeParameterValue(key, value)
    )
      changed.push(key);
  }
  return changed;
}
