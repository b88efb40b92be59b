import { createHash } from 'node:crypto';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ExitCode, UserError } from '../../src/lib/errors.js';
import { encodeTagValue, TAG_KEYS } from '../../src/lib/ecs/tag-codec.js';
import {
  checkTag,
  DNS_LABEL,
  DOCKER_TAG,
  deploymentNames,
  dnsLabel,
  dockerTag,
  fitName,
  hostname,
  hostTemplateProblem,
  isHostname,
  MAX_TAG_VALUE,
  serviceName,
  slug,
  slugTag,
  taskFamily,
} from '../../src/lib/naming.js';

const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const base = { app: 'whoami', env: 'dev', domain: 'example.com' };

function hash6(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function accepted(tag: string): boolean {
  try {
    checkTag(tag);
    return true;
  } catch {
    return false;
  }
}

/** Tags as CI passes them: any printable text, including Unicode, that traefikctl accepts. */
const anyTag = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }).filter(accepted);
const anyAsciiTag = fc.string({ minLength: 1, maxLength: 300 }).filter(accepted);

describe('tag names as a user sees them', () => {
  it.each([
    // tag, tagSlug, docker tag, service name, hostname
    ['v2', 'v2', 'v2', 'whoami-v2', 'whoami-v2.dev.example.com'],
    [
      'feature/Login_Page',
      'feature-login-page',
      'feature-login-page',
      'whoami-feature-login-page',
      'whoami-feature-login-page.dev.example.com',
    ],
    // `+` is not a Docker tag character, so the Docker tag is the slug (DESIGN.md, literally).
    [
      '1.2.3+build.7',
      '1-2-3-build-7',
      '1-2-3-build-7',
      'whoami-1-2-3-build-7',
      'whoami-1-2-3-build-7.dev.example.com',
    ],
    // A tag Docker accepts keeps its original spelling in the image, but not in names.
    ['Release_1.0', 'release-1-0', 'Release_1.0', 'whoami-release-1-0', 'whoami-release-1-0.dev.example.com'],
    ['--Weird--Tag--', 'weird-tag', 'weird-tag', 'whoami-weird-tag', 'whoami-weird-tag.dev.example.com'],
    ['café', 'caf', 'caf', 'whoami-caf', 'whoami-caf.dev.example.com'],
    ['0123abc', '0123abc', '0123abc', 'whoami-0123abc', 'whoami-0123abc.dev.example.com'],
  ])(
    'given tag %j, names are slugged and the Docker tag is kept where Docker allows it',
    (tag, tagSlug, docker, service, host) => {
      const names = deploymentNames({ ...base, tag });
      expect(names).toEqual({ tag, tagSlug, dockerTag: docker, serviceName: service, family: service, host });
    },
  );

  it.each(['', '///', '+', '__', '...', '日本語'])(
    'given tag %j with no letter or digit, every name refuses it with a usage error',
    (tag) => {
      for (const build of [
        () => slugTag(tag),
        () => dockerTag(tag),
        () => serviceName('whoami', tag),
        () => dnsLabel('whoami', tag),
        () => hostname({ ...base, tag }),
      ]) {
        const error = thrown(build);
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).exitCode).toBe(ExitCode.Usage);
        expect((error as UserError).message).toContain('has no letters or digits');
        expect((error as UserError).suggestions.join(' ')).toContain('--tag');
      }
    },
  );

  it('given a 120-character tag, the first hostname label is cut to 63 characters ending in - and 6 hex', () => {
    const tag = `feature/${'a'.repeat(112)}`;
    const host = hostname({ ...base, tag });
    const [first, ...rest] = host.split('.');
    const full = `whoami-feature-${'a'.repeat(112)}`;
    expect(first).toBe(`${full.slice(0, 56)}-${hash6(full)}`);
    expect(first).toHaveLength(63);
    expect(first).toMatch(DNS_LABEL);
    expect(rest.join('.')).toBe('dev.example.com');
    // The ECS service name has room for the whole slug: only the DNS label is cut.
    expect(serviceName('whoami', tag)).toBe(full);
  });

  it('given a cut that falls on a dash, the label has no -- before the hash', () => {
    // `whoami-` is 7 characters; put a dash at position 56 (the last kept character).
    const tag = `${'a'.repeat(48)}-${'b'.repeat(40)}`;
    const label = dnsLabel('whoami', tag);
    expect(label).not.toContain('--');
    expect(label).toMatch(/^whoami-a{48}-[0-9a-f]{6}$/);
  });

  it('given a label of exactly 63 characters, it is not cut', () => {
    const tag = 'x'.repeat(63 - 'whoami-'.length);
    expect(dnsLabel('whoami', tag)).toBe(`whoami-${tag}`);
    expect(dnsLabel('whoami', `${tag}y`)).toMatch(/-[0-9a-f]{6}$/);
  });

  it('given a Docker-invalid tag longer than 128, the Docker tag is the slug cut with a hash', () => {
    const tag = `feat/${'z'.repeat(200)}`;
    const docker = dockerTag(tag);
    expect(docker).toHaveLength(128);
    expect(docker).toMatch(DOCKER_TAG);
    expect(docker).toBe(`${slug(tag).slice(0, 121)}-${hash6(slug(tag))}`);
  });

  it('given the longest tag, the ECS service name is cut at 255 with a hash and stays a valid ECS name', () => {
    const name = serviceName('whoami', 'q'.repeat(MAX_TAG_VALUE));
    expect(name).toHaveLength(255);
    expect(name).toMatch(ECS_NAME);
    expect(taskFamily('whoami', 'q'.repeat(MAX_TAG_VALUE))).toBe(name);
  });

  it.each([
    ['257 plain characters', 'q'.repeat(257), 257],
    ['187 bytes that must be encoded', `v1#${'é'.repeat(92)}`, 95],
  ])('given a tag of %s, too long to record, every name refuses it', (_case, tag, length) => {
    for (const build of [
      () => checkTag(tag),
      () => dockerTag(tag),
      () => serviceName('whoami', tag),
      () => hostname({ ...base, tag }),
    ]) {
      const error = thrown(build);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(ExitCode.Usage);
      expect((error as UserError).code).toBe('TAG_TOO_LONG');
      expect((error as UserError).message).toContain(`is ${length} characters long`);
    }
  });
});

describe('hostTemplate', () => {
  it.each([
    ['{app}-{tag}.{env}.{domain}', 'whoami-feature-x.dev.example.com'],
    ['{tag}.{app}.{domain}', 'feature-x.whoami.example.com'],
    ['pr-{tag}--{app}.{env}.{domain}', 'pr-feature-x--whoami.dev.example.com'],
    ['{app}-{tag}.preview.internal', 'whoami-feature-x.preview.internal'],
  ])('given template %j, the hostname is %j', (template, expected) => {
    expect(hostname({ ...base, tag: 'feature/X', template })).toBe(expected);
  });

  it('given a template that puts text around a long tag, every label is cut to 63 with its own hash', () => {
    const tag = 'y'.repeat(100);
    const host = hostname({ ...base, tag, template: 'preview-{tag}.{app}-{tag}.{env}.{domain}' });
    const labels = host.split('.');
    expect(labels.every((label) => label.length <= 63 && DNS_LABEL.test(label))).toBe(true);
    expect(labels[0]).toMatch(/^preview-y+-[0-9a-f]{6}$/);
    expect(labels[0]).toBe(fitName(`preview-${tag}`, 63));
    expect(labels[1]).toBe(dnsLabel('whoami', tag));
  });

  it.each([
    [
      '{app}-{tag}.{stage}.{domain}',
      'whose only placeholders are {app}, {tag}, {env} and {domain} (not {stage})',
    ],
    ['{app}.{env}.{domain}', 'must be a template containing {app} and {tag}'],
    [
      '{app}_{tag}.{env}.{domain}',
      'are DNS labels, of lowercase letters, digits and inner dashes (not "{app}_{tag}")',
    ],
    ['{app}-{tag}..{domain}', 'are DNS labels, of lowercase letters, digits and inner dashes (not "")'],
    [
      '-{app}-{tag}.{domain}',
      'are DNS labels, of lowercase letters, digits and inner dashes (not "-{app}-{tag}")',
    ],
    ['{app}-{tag}.Dev.{domain}', 'are DNS labels, of lowercase letters, digits and inner dashes (not "Dev")'],
  ])('given the bad template %j, the usage error says what is wrong', (template, message) => {
    const error = thrown(() => hostname({ ...base, tag: 'v2', template }));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.Usage);
    expect((error as UserError).code).toBe('CONFIG_INVALID');
    expect((error as UserError).message).toContain(message);
    expect((error as UserError).suggestions.join(' ')).toContain('hostTemplate');
  });

  it('given no domain, the error says to set one', () => {
    const error = thrown(() => hostname({ ...base, domain: '', tag: 'v2' }));
    expect((error as UserError).message).toBe(
      'No domain is set, so traefikctl cannot build the hostname of this deployment.',
    );
  });

  it('given a domain so long that the hostname passes 253 characters, it is a usage error', () => {
    const domain = Array.from({ length: 4 }, () => 'd'.repeat(60)).join('.');
    const error = thrown(() => hostname({ ...base, domain, tag: 'v2' }));
    expect((error as UserError).message).toMatch(/is 2\d\d characters long; DNS allows 253\.$/);
  });
});

describe('naming properties', () => {
  it('any tag with a letter or digit gives a valid DNS label, ECS name, hostname and Docker tag', () => {
    fc.assert(
      fc.property(fc.oneof(anyTag, anyAsciiTag), (tag) => {
        expect(slugTag(tag)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(dnsLabel('whoami', tag)).toMatch(DNS_LABEL);
        expect(serviceName('whoami', tag)).toMatch(ECS_NAME);
        expect(serviceName('whoami', tag)).not.toContain('@');
        expect(dockerTag(tag)).toMatch(DOCKER_TAG);
        const host = hostname({ ...base, tag });
        expect(isHostname(host)).toBe(true);
        expect(host.split('.')[0]).toBe(dnsLabel('whoami', tag));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts exactly the tags a deployment can record: checkTag agrees with the ECS tag encoding', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 400 }),
      fc.string({ minLength: 1, maxLength: 400 }),
      fc.stringMatching(/^[a-z0-9]{1,8}$/).map((head) => `${head}${'x'.repeat(250)}`),
    );
    fc.assert(
      fc.property(text, (tag) => {
        fc.pre(slug(tag) !== '');
        let recordable = true;
        try {
          encodeTagValue(TAG_KEYS.tag, tag);
        } catch {
          recordable = false;
        }
        expect(accepted(tag)).toBe(recordable);
      }),
      { numRuns: 1000 },
    );
  });

  it('a hostTemplate it accepts gives a valid hostname for any app, tag, env and domain', () => {
    const part = fc.oneof(
      fc.constantFrom('{app}', '{tag}', '{env}', '{domain}', '-', '.', 'x', '9', 'pr', '_', 'A'),
      fc.string({ maxLength: 3 }),
    );
    const template = fc
      .array(part, { minLength: 1, maxLength: 8 })
      .map((parts) => `${parts.join('')}{app}{tag}`)
      .chain((tail) => fc.constantFrom(tail, `{app}-{tag}.${tail}`, `${tail}.{env}.{domain}`));
    const env = fc.stringMatching(/^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/);
    const domain = fc.constantFrom('example.com', 'a.io', 'dev.internal.example.org');
    fc.assert(
      fc.property(template, anyTag, env, domain, (hostTemplate, tag, envName, domainName) => {
        fc.pre(hostTemplateProblem(hostTemplate) === undefined);
        const host = hostname({
          app: 'whoami',
          tag,
          env: envName,
          domain: domainName,
          template: hostTemplate,
        });
        expect(isHostname(host)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('names are deterministic and slugging is idempotent', () => {
    fc.assert(
      fc.property(anyTag, (tag) => {
        expect(deploymentNames({ ...base, tag })).toEqual(deploymentNames({ ...base, tag }));
        expect(slug(slug(tag))).toBe(slug(tag));
        expect(slugTag(slugTag(tag))).toBe(slugTag(tag));
        // A name is already a slug, so naming it again changes nothing: a tag slug is a fixed point.
        expect(serviceName('whoami', slugTag(tag))).toBe(serviceName('whoami', tag));
        // A Docker-valid tag is kept, so dockerTag is idempotent too.
        expect(dockerTag(dockerTag(tag))).toBe(dockerTag(tag));
      }),
      { numRuns: 300 },
    );
  });

  it('distinct long tags that share a long prefix never share a hostname label or a service name', () => {
    const longPair = fc
      .tuple(
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{60,200}$/),
        fc.stringMatching(/^[a-z0-9]{1,40}$/),
        fc.stringMatching(/^[a-z0-9]{1,40}$/),
      )
      .filter(([, a, b]) => a !== b)
      .map(([prefix, a, b]) => [`${prefix}-${a}`, `${prefix}-${b}`] as const);
    fc.assert(
      fc.property(longPair, ([left, right]) => {
        expect(slugTag(left)).not.toBe(slugTag(right));
        expect(dnsLabel('whoami', left)).not.toBe(dnsLabel('whoami', right));
        expect(hostname({ ...base, tag: left })).not.toBe(hostname({ ...base, tag: right }));
        expect(serviceName('whoami', left)).not.toBe(serviceName('whoami', right));
      }),
      { numRuns: 500 },
    );
  });

  it('fitName keeps short names and cuts long ones to the limit without a dash before the hash', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/),
        fc.integer({ min: 8, max: 300 }),
        (name, max) => {
          const fitted = fitName(name, max);
          if (name.length <= max) expect(fitted).toBe(name);
          else {
            expect(fitted.length).toBeLessThanOrEqual(max);
            expect(fitted).toMatch(/[a-z0-9]-[0-9a-f]{6}$/);
            expect(fitted).not.toContain('--');
            expect(name.startsWith(fitted.slice(0, -7))).toBe(true);
          }
        },
      ),
    );
  });
});
