import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  TAG_KEYS,
  decodeTagValue,
  deploymentTags,
  encodeTagValue,
  readDeploymentTags,
} from '../../../src/lib/ecs/tag-codec.js';

/** AWS's documented pattern for tag values, with its 256-character limit. */
const AWS_TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const values = {
  env: 'dev',
  app: 'whoami',
  tag: 'feature/Login_Page',
  host: 'whoami-feature-login-page.dev.example.com',
  image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/whoami@sha256:${'0'.repeat(64)}`,
  deployedAt: '2026-03-01T12:00:00.000Z',
  deployedBy: 'arn:aws:sts::123456789012:assumed-role/dev/alice@example.com',
};

describe('ECS tag values', () => {
  it.each(['feature/x', '1.2.3+build.7', 'v2', 'Straße 1', values.image, values.deployedBy])(
    'given the legal value %j, it is stored as is',
    (value) => {
      expect(encodeTagValue(TAG_KEYS.tag, value)).toBe(value);
    },
  );

  it.each(['fix#12', 'a,b', 'release~1', 'base64:looks-encoded', `${'x'.repeat(180)}!`])(
    'given %j, which AWS would refuse or misread, it is stored encoded and decodes back',
    (value) => {
      const stored = encodeTagValue(TAG_KEYS.tag, value);
      expect(stored).toMatch(/^base64:/);
      expect(stored).toMatch(AWS_TAG_VALUE);
      expect(decodeTagValue(stored)).toBe(value);
    },
  );

  it('any value that fits is stored legally and round-trips', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (value) => {
        const stored = encodeTagValue(TAG_KEYS.tag, value);
        expect(stored).toMatch(AWS_TAG_VALUE);
        expect(decodeTagValue(stored)).toBe(value);
      }),
      { numRuns: 500 },
    );
  });
});

describe('deployment tags', () => {
  it('given a deployment without expiry, it writes the managed marker and every value, in order', () => {
    expect(deploymentTags(values)).toEqual([
      { key: 'traefikctl:managed', value: 'true' },
      { key: 'traefikctl:env', value: 'dev' },
      { key: 'traefikctl:app', value: 'whoami' },
      { key: 'traefikctl:tag', value: 'feature/Login_Page' },
      { key: 'traefikctl:host', value: values.host },
      { key: 'traefikctl:image', value: values.image },
      { key: 'traefikctl:deployed-at', value: values.deployedAt },
      { key: 'traefikctl:deployed-by', value: values.deployedBy },
    ]);
  });

  it('reads back what it wrote, including encoded values and expiry', () => {
    const written = { ...values, tag: 'fix#12', expiresAt: '2026-03-08T12:00:00.000Z' };
    expect(readDeploymentTags(deploymentTags(written))).toEqual(written);
  });

  it.each([
    ['no tags', undefined],
    ['an unmanaged service', [{ key: 'team', value: 'web' }]],
    ['a missing host', deploymentTags(values).filter((tag) => tag.key !== TAG_KEYS.host)],
  ])('given %s, there is no deployment', (_what, tags) => {
    expect(readDeploymentTags(tags)).toBeUndefined();
  });
});
