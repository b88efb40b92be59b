import type * as Crypto from 'node:crypto';
import { createRequire } from 'node:module';

import { usageError } from './errors.js';

/**
 * Names for one deployment of an app at a tag (DESIGN.md "Names"). Pure: the same app and tag give the
 * same names on every machine, which is what lets `app urls`, `app prune` and `routes` find a deployment
 * again. The original tag is never re-derived from these names; it lives in the ECS tags.
 */

/** RFC 1035/1123 label as Traefik, Route53 and browsers accept it: lowercase, no leading/trailing `-`. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** What Docker accepts as an image tag. */
export const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const MAX_DNS_LABEL = 63;
export const MAX_HOSTNAME = 253;
/** ECS service names and task definition families: letters, digits, `-`, `_`, up to 255. */
export const MAX_ECS_NAME = 255;
export const MAX_DOCKER_TAG = 128;

const HASH_CHARS = 6;

/** Lowercase; every run of characters outside [a-z0-9] becomes one `-`; no `-` at either end. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The longest value an AWS tag holds. Every deployment records its original tag in the ECS tag
 * `traefikctl:tag` (src/lib/ecs/tag-codec.ts): as it is when AWS allows its characters, else as
 * `base64:<UTF-8 base64>`.
 */
export const MAX_TAG_VALUE = 256;
const RECORDED_AS_IS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const ENCODED_PREFIX = 'base64:';

/** How many characters `tag` takes in the ECS tag `traefikctl:tag`, as ecs/tag-codec.ts writes it. */
function recordedLength(tag: string): number {
  if (RECORDED_AS_IS.test(tag) && !tag.startsWith(ENCODED_PREFIX)) return [...tag].length;
  return ENCODED_PREFIX.length + Math.ceil(Buffer.byteLength(tag, 'utf8') / 3) * 4;
}

/**
 * Refuses a tag that no deployment could carry, with the same usage error (exit 2) wherever a tag is
 * read: `image push`, `app deploy`, `app destroy`, `app logs`. A tag needs a letter or digit (names
 * are made of them), and must fit in the ECS tag that records it, so that nothing pushes an image
 * under a tag that `app deploy` then refuses.
 */
export function checkTag(tag: string): void {
  if (slug(tag) === '') {
    throw usageError(
      `The tag ${JSON.stringify(tag)} has no letters or digits, so it can't be part of a hostname or an ECS service name.`,
      ['Pass a tag that contains at least one letter or digit, e.g. --tag v2 or --tag "$GITHUB_SHA".'],
      'TAG_INVALID',
    );
  }
  if (recordedLength(tag) > MAX_TAG_VALUE) {
    const characters = [...tag];
    const shown = characters.length > 40 ? `${characters.slice(0, 32).join('')}…` : tag;
    throw usageError(
      `The tag ${JSON.stringify(shown)} is ${characters.length} characters long: every deployment records its tag in the ECS tag traefikctl:tag, which holds ${MAX_TAG_VALUE} at most (fewer with characters other than letters, digits, spaces and _ . : / = + - @).`,
      ['Pass a shorter --tag, e.g. the short commit SHA or the branch name.'],
      'TAG_TOO_LONG',
    );
  }
}

/**
 * The tag as hostnames, ECS and Traefik names use it. A tag with no letter or digit can't name anything,
 * so it is bad input (exit 2), not something to paper over with a made-up name; so is one too long to
 * record (`checkTag`).
 */
export function slugTag(tag: string): string {
  checkTag(tag);
  return slug(tag);
}

function slugApp(app: string): string {
  const slugged = slug(app);
  if (slugged === '') {
    throw usageError(
      `The app name ${JSON.stringify(app)} has no letters or digits.`,
      ['Use a lowercase app name such as whoami, as declared under `apps` in traefikctl.config.*.'],
      'APP_INVALID',
    );
  }
  return slugged;
}

// node:crypto takes about 9 ms to load, a quarter of `node -e 0`, and only over-long names need it:
// loaded on first use, not by every command that resolves the configuration.
const requireBuiltin = createRequire(import.meta.url);

function shortHash(text: string): string {
  const { createHash } = requireBuiltin('node:crypto') as typeof Crypto;
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_CHARS);
}

/**
 * `name` when it fits in `max` characters; otherwise a prefix of it, then `-` and 6 hex characters of the
 * SHA-256 of the whole name, `max` characters at most. The hash is of the uncut name, so two names that
 * share a long prefix still get different results. Dashes at the end of the prefix are dropped so the
 * result never has `--` before the hash (or a `-` right after a cut that fell on one): with slugged input
 * that keeps the result free of `--` altogether, which also keeps it out of the IDNA `xn--` space.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const room = max - HASH_CHARS - 1;
  const prefix = name.slice(0, room).replace(/-+$/, '');
  return `${prefix}-${shortHash(name)}`;
}

/** `{app}-{tagSlug}` as one DNS label: at most 63 characters, cut with a hash when longer. */
export function dnsLabel(app: string, tag: string): string {
  return fitName(`${slugApp(app)}-${slugTag(tag)}`, MAX_DNS_LABEL);
}

/**
 * The ECS service name, which is also the Traefik router and service name (unique per cluster, and
 * `<name>@ecs` in Traefik's API). Only [a-z0-9-], so it is a valid ECS name, never contains the `@`
 * Traefik reserves for provider suffixes, and never contains the `.` that would split a label key.
 */
export function serviceName(app: string, tag: string): string {
  return fitName(`${slugApp(app)}-${slugTag(tag)}`, MAX_ECS_NAME);
}

/** The ECS task definition family of a deployment: the same as its service name. */
export function taskFamily(app: string, tag: string): string {
  return serviceName(app, tag);
}

/**
 * The Docker image tag: the original when Docker allows it, else the slug (cut to Docker's 128 characters
 * with a hash). DESIGN.md says so literally, which means `1.2.3+build.7` becomes `1-2-3-build-7`: `+` is
 * not a Docker tag character, and a half-kept original (`1.2.3-build.7`) would be a third spelling of the
 * same build that nothing else uses.
 */
export function dockerTag(tag: string): string {
  const slugged = slugTag(tag);
  if (DOCKER_TAG.test(tag)) return tag;
  return fitName(slugged, MAX_DOCKER_TAG);
}

export const DEFAULT_HOST_TEMPLATE = '{app}-{tag}.{env}.{domain}';

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN_PLACEHOLDERS = new Set(['app', 'tag', 'env', 'domain']);
/**
 * Stand-ins for a trial expansion. Every real value is made of the same characters ({app} and {tag}
 * are slugs, {env} and {domain} are checked by the config schema and --env), never empty and never
 * starting or ending in `-`, and over-long labels are cut: a template whose trial hostname is valid
 * gives valid hostnames for every value, up to the 253-character limit of the whole name.
 */
const TRIAL_VALUES: Readonly<Record<string, string>> = {
  app: 'a',
  tag: 'b',
  env: 'e',
  domain: 'example.com',
};

/**
 * What is wrong with a hostTemplate whatever it is filled with, as what it must be ("a template
 * containing {app} and {tag}"); undefined when nothing is. The config schema and `hostname` both use
 * it, so every command refuses the same templates, as soon as it reads the configuration.
 */
export function hostTemplateProblem(template: string): string | undefined {
  const unknown = [...template.matchAll(PLACEHOLDER)]
    .map((match) => match[1] ?? '')
    .filter((name) => !KNOWN_PLACEHOLDERS.has(name));
  if (unknown.length > 0) {
    return `a hostname pattern whose only placeholders are {app}, {tag}, {env} and {domain} (not ${unknown.map((name) => `{${name}}`).join(', ')})`;
  }
  // Without both, two deployments would share a hostname.
  if (!template.includes('{app}') || !template.includes('{tag}'))
    return 'a template containing {app} and {tag}';
  const bad = template.split('.').find((part) =>
    part
      .replace(PLACEHOLDER, (_whole, name: string) => TRIAL_VALUES[name] ?? '')
      .split('.')
      .some((label) => !DNS_LABEL.test(fitName(label, MAX_DNS_LABEL))),
  );
  if (bad !== undefined) {
    return `a hostname pattern whose dot-separated parts are DNS labels, of lowercase letters, digits and inner dashes (not ${JSON.stringify(bad)})`;
  }
  return undefined;
}

export interface HostnameInput {
  app: string;
  tag: string;
  env: string;
  domain: string;
  /** Defaults to `{app}-{tag}.{env}.{domain}`. */
  template?: string | undefined;
}

/**
 * The deployment's hostname from `hostTemplate`. `{app}` and `{tag}` become their slugs, `{env}` and
 * `{domain}` are used as given. The template may put other text into a label (`pr-{tag}-{app}`) or move
 * the tag elsewhere, so the 63-character rule applies to every label of the result, each cut with its own
 * hash; the whole name must fit in 253 characters. Anything else that is not a valid DNS name is a config
 * error that names the template.
 */
export function hostname(input: HostnameInput): string {
  const template = input.template ?? DEFAULT_HOST_TEMPLATE;
  const fix = `Set hostTemplate in traefikctl.config.* to a hostname pattern such as ${DEFAULT_HOST_TEMPLATE}.`;

  const problem = hostTemplateProblem(template);
  if (problem !== undefined) {
    throw usageError(`hostTemplate ${JSON.stringify(template)} must be ${problem}.`, [fix], 'CONFIG_INVALID');
  }

  if (template.includes('{domain}') && input.domain === '') {
    throw usageError(
      'No domain is set, so traefikctl cannot build the hostname of this deployment.',
      ['Set `domain` (or `environments.<env>.domain`) in traefikctl.config.*, e.g. domain: example.com.'],
      'CONFIG_INVALID',
    );
  }

  const values: Record<string, string> = {
    app: slugApp(input.app),
    tag: slugTag(input.tag),
    env: input.env,
    domain: input.domain,
  };
  const expanded = template.replace(PLACEHOLDER, (_whole, name: string) => values[name] ?? '');
  const labels = expanded.split('.').map((label) => fitName(label, MAX_DNS_LABEL));
  const host = labels.join('.');

  const bad = labels.find((label) => !DNS_LABEL.test(label));
  if (bad !== undefined) {
    throw usageError(
      `hostTemplate ${JSON.stringify(template)} gives the hostname ${JSON.stringify(host)}, whose part ${JSON.stringify(bad)} is not a DNS label.`,
      [
        'Each dot-separated part may only hold lowercase letters, digits and inner dashes; check the domain and environment names too.',
        fix,
      ],
      'CONFIG_INVALID',
    );
  }
  if (host.length > MAX_HOSTNAME) {
    throw usageError(
      `The hostname ${JSON.stringify(host)} is ${host.length} characters long; DNS allows ${MAX_HOSTNAME}.`,
      ['Use a shorter domain or a shorter hostTemplate.'],
      'CONFIG_INVALID',
    );
  }
  return host;
}

/** Whether `host` is a hostname traefikctl could have produced: DNS labels, 253 characters at most. */
export function isHostname(host: string): boolean {
  return host.length <= MAX_HOSTNAME && host.split('.').every((label) => DNS_LABEL.test(label));
}

export interface DeploymentNames {
  tag: string;
  tagSlug: string;
  dockerTag: string;
  /** ECS service name = Traefik router and service name. */
  serviceName: string;
  family: string;
  host: string;
}

/** Every name of one deployment at once, so callers never mix names from different inputs. */
export function deploymentNames(input: HostnameInput): DeploymentNames {
  return {
    tag: input.tag,
    tagSlug: slugTag(input.tag),
    dockerTag: dockerTag(input.tag),
    serviceName: serviceName(input.app, input.tag),
    family: taskFamily(input.app, input.tag),
    host: hostname(input),
  };
}
