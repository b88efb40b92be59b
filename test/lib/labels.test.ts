import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseTraefikLabels, traefikDuration, traefikLabels } from '../../src/lib/labels.js';
import { DNS_LABEL, hostname, serviceName } from '../../src/lib/naming.js';

const whoami = {
  name: 'whoami-feature-login-page',
  host: 'whoami-feature-login-page.dev.example.com',
  port: 80,
  entryPoints: ['web'],
  env: 'dev',
};

describe('traefikLabels', () => {
  it('given a deployment without a health check, it writes exactly the routing labels and the env label', () => {
    expect(traefikLabels(whoami)).toEqual({
      'traefik.enable': 'true',
      'traefik.http.routers.whoami-feature-login-page.rule':
        'Host(`whoami-feature-login-page.dev.example.com`)',
      'traefik.http.routers.whoami-feature-login-page.entrypoints': 'web',
      'traefik.http.routers.whoami-feature-login-page.service': 'whoami-feature-login-page',
      'traefik.http.services.whoami-feature-login-page.loadbalancer.server.port': '80',
      'traefikctl.env': 'dev',
    });
  });

  it('given several entry points and a health check, they are joined by commas and the probe is labelled', () => {
    expect(
      traefikLabels({
        name: 'api-v2',
        host: 'api-v2.staging.example.org',
        port: 8080,
        entryPoints: ['web', 'websecure'],
        env: 'staging',
        healthCheck: { path: '/healthz', interval: '10s', timeout: '5s' },
      }),
    ).toEqual({
      'traefik.enable': 'true',
      'traefik.http.routers.api-v2.rule': 'Host(`api-v2.staging.example.org`)',
      'traefik.http.routers.api-v2.entrypoints': 'web,websecure',
      'traefik.http.routers.api-v2.service': 'api-v2',
      'traefik.http.services.api-v2.loadbalancer.server.port': '8080',
      'traefik.http.services.api-v2.loadbalancer.healthcheck.path': '/healthz',
      'traefik.http.services.api-v2.loadbalancer.healthcheck.interval': '10s',
      'traefik.http.services.api-v2.loadbalancer.healthcheck.timeout': '5s',
      'traefikctl.env': 'staging',
    });
  });

  it.each([
    ['30s', '30s'],
    ['5m', '5m'],
    ['2h', '2h'],
    ['1d', '24h'],
    ['2w', '336h'],
  ])('given the config duration %s, Traefik gets the Go duration %s', (duration, expected) => {
    expect(traefikDuration(duration)).toBe(expected);
  });

  it.each([
    [{ name: 'api@internal' }, 'Not a Traefik router name'],
    [{ name: 'a.b' }, 'Not a Traefik router name'],
    [{ host: 'evil`) || PathPrefix(`/' }, 'Not a hostname'],
    [{ host: 'Whoami.example.com' }, 'Not a hostname'],
    [{ port: 0 }, 'Not a port'],
    [{ port: 70000 }, 'Not a port'],
    [{ entryPoints: [] }, 'at least one entry point'],
    [{ entryPoints: ['web,admin'] }, 'Not an entry point name'],
    [{ env: 'dev`' }, 'Not an environment name'],
  ])('given the bad input %j, it refuses to write labels', (override, message) => {
    expect(() => traefikLabels({ ...whoami, ...override })).toThrow(message);
  });
});

describe('parseTraefikLabels', () => {
  it('given our own labels, it returns the deployment they describe', () => {
    expect(parseTraefikLabels(traefikLabels(whoami))).toEqual({
      name: 'whoami-feature-login-page',
      host: 'whoami-feature-login-page.dev.example.com',
      port: 80,
      env: 'dev',
    });
  });

  it.each([
    ['no labels', undefined],
    ['another tool', { 'com.example.owner': 'someone' }],
    ['a disabled router', { ...traefikLabels(whoami), 'traefik.enable': 'false' }],
    ['no env label', { ...traefikLabels(whoami), 'traefikctl.env': undefined }],
    [
      'a hand-written rule',
      {
        ...traefikLabels(whoami),
        [`traefik.http.routers.${whoami.name}.rule`]: 'Host(`a.example.com`) || Path(`/b`)',
      },
    ],
    [
      'a router pointing at another service',
      { ...traefikLabels(whoami), [`traefik.http.routers.${whoami.name}.service`]: 'api@internal' },
    ],
    [
      'no port',
      {
        ...traefikLabels(whoami),
        [`traefik.http.services.${whoami.name}.loadbalancer.server.port`]: undefined,
      },
    ],
  ])('given %s, it returns undefined', (_what, labels) => {
    expect(parseTraefikLabels(labels)).toBeUndefined();
  });

  it('any valid hostname round-trips through the Host rule', () => {
    const label = fc.stringMatching(DNS_LABEL);
    const host = fc
      .array(label, { minLength: 1, maxLength: 6 })
      .map((labels) => labels.join('.'))
      .filter((name) => name.length <= 253);
    fc.assert(
      fc.property(host, fc.integer({ min: 1, max: 65535 }), (name, port) => {
        const parsed = parseTraefikLabels(traefikLabels({ ...whoami, host: name, port }));
        expect(parsed).toEqual({ name: whoami.name, host: name, port, env: 'dev' });
      }),
    );
  });

  it('for any tag, the labels of its deployment name no @ and keep the host inside the rule', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 200 }).filter((tag) => /[a-z0-9]/i.test(tag)),
        (tag) => {
          const name = serviceName('whoami', tag);
          const host = hostname({ app: 'whoami', tag, env: 'dev', domain: 'example.com' });
          const labels = traefikLabels({ ...whoami, name, host });
          for (const key of Object.keys(labels)) expect(key).not.toContain('@');
          const rule = labels[`traefik.http.routers.${name}.rule`];
          expect(rule).toBe(`Host(\`${host}\`)`);
          expect(rule?.split('`')).toHaveLength(3);
          expect(parseTraefikLabels(labels)).toEqual({ name, host, port: 80, env: 'dev' });
        },
      ),
    );
  });
});
