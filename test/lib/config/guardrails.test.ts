import { describe, expect, it } from 'vitest';

import { validateConfig, type ConfigSource } from '../../../src/lib/config/load.js';
import { UserError } from '../../../src/lib/errors.js';

const source: ConfigSource = { file: 'traefikctl.config.yaml', env: {} };

function message(raw: unknown): string {
  try {
    validateConfig(raw, source);
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('the guardrail keys of an app (issue 18)', () => {
  it('accepts failureThreshold, onFailure, maxDeployments and ttlFor, and leaves them unset by default', () => {
    const { config } = validateConfig(
      {
        apps: {
          whoami: { failureThreshold: 1, onFailure: 'keep', maxDeployments: 5, ttlFor: { 'pr-*': '3d' } },
          other: {},
        },
      },
      source,
    );
    expect(config.apps.whoami).toMatchObject({
      failureThreshold: 1,
      onFailure: 'keep',
      maxDeployments: 5,
      ttlFor: { 'pr-*': '3d' },
    });
    expect(config.apps.other?.failureThreshold).toBeUndefined();
    expect(config.apps.other?.onFailure).toBeUndefined();
    expect(config.apps.other?.maxDeployments).toBeUndefined();
  });

  it.each([
    [{ failureThreshold: 0 }, 'apps.whoami.failureThreshold'],
    [{ failureThreshold: 2.5 }, 'apps.whoami.failureThreshold'],
    [{ onFailure: 'delete' }, 'apps.whoami.onFailure'],
    [{ maxDeployments: 0 }, 'apps.whoami.maxDeployments'],
    [{ ttlFor: { 'pr-*': 'three days' } }, 'apps.whoami.ttlFor'],
    [{ ttlFor: { 'pr *': '3d' } }, 'apps.whoami.ttlFor'],
  ])('refuses %j, naming the key', (app, key) => {
    expect(message({ apps: { whoami: app } })).toContain(key);
  });
});

describe("Traefik's refreshInterval", () => {
  it('accepts whole seconds up to 5m and refuses the rest, naming the key', () => {
    expect(
      validateConfig({ traefik: { refreshInterval: '5s' } }, source).config.traefik.refreshInterval,
    ).toBe('5s');
    for (const text of ['0s', '500ms', '301s', '15']) {
      expect(message({ traefik: { refreshInterval: text } })).toContain('traefik.refreshInterval');
    }
  });
});

describe("an app's stopTimeout", () => {
  it.each([
    ['30s', '30s'],
    ['2m', '2m'],
    ['1s', '1s'],
    ['120s', '120s'],
  ])('accepts %s', (text, kept) => {
    const { config } = validateConfig({ apps: { whoami: { stopTimeout: text } } }, source);
    expect(config.apps.whoami?.stopTimeout).toBe(kept);
  });

  it.each(['0s', '121s', '3m', '1.5s', '500ms', '30', 'soon'])(
    'refuses %s with the range Fargate allows',
    (text) => {
      const refused = message({ apps: { whoami: { stopTimeout: text } } });
      expect(refused).toContain('apps.whoami.stopTimeout');
      expect(refused).toContain('whole seconds from 1s to 120s');
    },
  );
});
