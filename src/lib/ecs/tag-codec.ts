import { usageError } from '../errors.js';

/**
 * The ECS tags that hold a deployment's state (DESIGN.md "State lives in AWS"). `app urls`, `app prune`
 * and `routes` read them back with `readDeploymentTags`; nothing is re-derived from names.
 */

export const TAG_KEYS = {
  managed: 'traefikctl:managed',
  env: 'traefikctl:env',
  app: 'traefikctl:app',
  tag: 'traefikctl:tag',
  host: 'traefikctl:host',
  image: 'traefikctl:image',
  deployedAt: 'traefikctl:deployed-at',
  deployedBy: 'traefikctl:deployed-by',
  expiresAt: 'traefikctl:expires-at',
} as const;

/** An ECS tag with both halves present (assignable to the SDK's `Tag`). */
export interface ResourceTag {
  key: string;
  value: string;
}

export interface DeploymentTagValues {
  env: string;
  app: string;
  /** The original tag as CI passed it. */
  tag: string;
  host: string;
  image: string;
  /** ISO 8601. */
  deployedAt: string;
  deployedBy: string;
  /** ISO 8601; absent when the app has no ttl. */
  expiresAt?: string | undefined;
}

/** What AWS allows in a tag value: letters, spaces and digits of any script, and `_ . : / = + - @`. */
const LEGAL_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MAX_TAG_VALUE = 256;
/**
 * Marks a value stored as base64, whose alphabet (`A-Z a-z 0-9 + / =`) is all legal in tag values.
 * Values that already start with the marker are encoded too, so decoding is never ambiguous.
 */
const ENCODED = 'base64:';

function length(value: string): number {
  return [...value].length;
}

/**
 * A value as it can be stored in an ECS tag. Legal values are kept as they are (`feature/x`,
 * `1.2.3+build.7`, ARNs, image references), so the console shows them plainly. A value with other
 * characters (`#`, `,` in an STS session name, `~`) is stored as `base64:<utf-8 base64>`. A value too
 * long either way is a usage error naming the tag key.
 */
export function encodeTagValue(key: string, value: string): string {
  if (LEGAL_TAG_VALUE.test(value) && length(value) <= MAX_TAG_VALUE && !value.startsWith(ENCODED)) {
    return value;
  }
  const encoded = `${ENCODED}${Buffer.from(value, 'utf8').toString('base64')}`;
  if (encoded.length > MAX_TAG_VALUE) {
    throw usageError(
      `The value of the ECS tag ${key} is ${length(value)} characters long; AWS keeps at most ${MAX_TAG_VALUE} (fewer for characters outside letters, digits and _ . : / = + - @).`,
      key === TAG_KEYS.tag
        ? ['Pass a shorter --tag, e.g. the short commit SHA or the branch name.']
        : ['Shorten it; traefikctl records it on every deployment.'],
      'TAG_VALUE_TOO_LONG',
    );
  }
  return encoded;
}

/** The original value of a tag that `encodeTagValue` wrote. */
export function decodeTagValue(value: string): string {
  if (!value.startsWith(ENCODED)) return value;
  return Buffer.from(value.slice(ENCODED.length), 'base64').toString('utf8');
}

/** The state keys of one deployment and their values, in a fixed order; absent ones left out. */
export function deploymentStateEntries(values: DeploymentTagValues): [string, string][] {
  const entries: [string, string | undefined][] = [
    [TAG_KEYS.managed, 'true'],
    [TAG_KEYS.env, values.env],
    [TAG_KEYS.app, values.app],
    [TAG_KEYS.tag, values.tag],
    [TAG_KEYS.host, values.host],
    [TAG_KEYS.image, values.image],
    [TAG_KEYS.deployedAt, values.deployedAt],
    [TAG_KEYS.deployedBy, values.deployedBy],
    [TAG_KEYS.expiresAt, values.expiresAt],
  ];
  return entries.flatMap(([key, value]) => (value === undefined ? [] : [[key, value]]));
}

/** The tags of one deployment, in a fixed order, values encoded where AWS needs it. */
export function deploymentTags(values: DeploymentTagValues): ResourceTag[] {
  return deploymentStateEntries(values).map(([key, value]) => ({ key, value: encodeTagValue(key, value) }));
}

/**
 * The deployment that a resource's tags describe (decoded), or undefined when the resource is not
 * managed by traefikctl or misses a required tag.
 */
export function readDeploymentTags(
  tags: readonly { key?: string | undefined; value?: string | undefined }[] | undefined,
): DeploymentTagValues | undefined {
  const byKey = new Map<string, string>();
  for (const { key, value } of tags ?? []) {
    if (key !== undefined && value !== undefined) byKey.set(key, decodeTagValue(value));
  }
  return decodeDeploymentState((key) => byKey.get(key));
}

/**
 * The deployment that a set of state entries describes, read through `get` (ECS tags, decoded, or a
 * local container's labels): undefined unless it is traefikctl's and has every required key.
 */
export function decodeDeploymentState(
  get: (key: string) => string | undefined,
): DeploymentTagValues | undefined {
  if (get(TAG_KEYS.managed) !== 'true') return undefined;
  const env = get(TAG_KEYS.env);
  const app = get(TAG_KEYS.app);
  const tag = get(TAG_KEYS.tag);
  const host = get(TAG_KEYS.host);
  const image = get(TAG_KEYS.image);
  const deployedAt = get(TAG_KEYS.deployedAt);
  const deployedBy = get(TAG_KEYS.deployedBy);
  if (
    env === undefined ||
    app === undefined ||
    tag === undefined ||
    host === undefined ||
    image === undefined ||
    deployedAt === undefined ||
    deployedBy === undefined
  ) {
    return undefined;
  }
  const expiresAt = get(TAG_KEYS.expiresAt);
  return {
    env,
    app,
    tag,
    host,
    image,
    deployedAt,
    deployedBy,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
}
