import { describe, expect, it } from 'vitest';

import {
  renderTraefikArguments,
  traefikArgumentsParameter,
  type TraefikCommandInput,
} from '../../../src/lib/cluster/traefik-command.js';
import { referenceName, TRAEFIK_V3_STATIC_OPTIONS } from './traefik-options.js';

const input: TraefikCommandInput = {
  cluster: 'traefikctl-dev',
  region: 'eu-west-1',
  env: 'dev',
  entryPoint: 'web',
  trustedIps: ['172.31.0.0/16'],
};

/** `--a.b=c` -> ['a.b', 'c'] */
function options(args: readonly string[]): Map<string, string> {
  return new Map(
    args.map((arg) => {
      const [name = '', ...value] = arg.slice(2).split('=');
      return [name, value.join('=')];
    }),
  );
}

describe('renderTraefikArguments', () => {
  it('renders the same command line for the same environment', () => {
    expect(renderTraefikArguments(input)).toMatchSnapshot();
  });

  it('uses only options that exist in Traefik v3', () => {
    // given every argument, for a name that looks nothing like the default entry point
    const args = renderTraefikArguments({
      ...input,
      entryPoint: 'public_80',
      trustedIps: ['10.0.0.0/16', '10.1.0.0/16'],
    });

    // then each one is in Traefik's reference
    const unknown = args.map(referenceName).filter((name) => !TRAEFIK_V3_STATIC_OPTIONS.has(name));
    expect(unknown).toEqual([]);
    expect(args.length).toBeGreaterThan(20);
  });

  it('catches an option that is not in the reference (the check can fail)', () => {
    expect(TRAEFIK_V3_STATIC_OPTIONS.has(referenceName('--providers.ecs.cluster=dev'))).toBe(false);
    expect(TRAEFIK_V3_STATIC_OPTIONS.has(referenceName('--providers.ecs.watch=true'))).toBe(false);
    expect(referenceName('--entryPoints.websecure.http.tls=true')).toBe('entrypoints._name_.http.tls');
  });

  it('routes only tasks of its own cluster and environment, and only healthy, opted-in ones', () => {
    const flags = options(renderTraefikArguments({ ...input, env: 'staging', cluster: 'shared' }));

    expect(flags.get('providers.ecs.clusters')).toBe('shared');
    expect(flags.get('providers.ecs.region')).toBe('eu-west-1');
    expect(flags.get('providers.ecs.autoDiscoverClusters')).toBe('false');
    expect(flags.get('providers.ecs.exposedByDefault')).toBe('false');
    // false: app tasks have no ECS container health check (a FROM-scratch image has no shell to run
    // one), so they report UNKNOWN and healthyTasksOnly would drop every one of them. Server health
    // comes from Traefik's own HTTP health check (the app's healthCheck labels) instead.
    expect(flags.get('providers.ecs.healthyTasksOnly')).toBe('false');
    expect(flags.get('providers.ecs.constraints')).toBe('Label(`traefikctl.env`,`staging`)');
    expect(Number(flags.get('providers.ecs.refreshSeconds'))).toBeGreaterThanOrEqual(5);
    expect(Number(flags.get('providers.ecs.refreshSeconds'))).toBeLessThanOrEqual(30);
  });

  it('never exposes the API without authentication', () => {
    const flags = options(renderTraefikArguments(input));
    expect(flags.get('api')).toBe('true');
    expect([...flags.keys()].filter((name) => name.toLowerCase().startsWith('api.insecure'))).toEqual([]);
    expect([...flags.keys()].filter((name) => name.toLowerCase() === 'api.debug')).toEqual([]);
  });

  it("keeps the tutorial's metrics buckets, a JSON access log without headers, ping for health checks", () => {
    const flags = options(renderTraefikArguments(input));
    expect(flags.get('metrics.prometheus.buckets')).toBe('0.1,0.3,1.2,5.0');
    // per router and per service, and /metrics only through the authenticated router (issue 19)
    expect(flags.get('metrics.prometheus.addRoutersLabels')).toBe('true');
    expect(flags.get('metrics.prometheus.addServicesLabels')).toBe('true');
    expect(flags.get('metrics.prometheus.manualRouting')).toBe('true');
    expect(flags.get('accessLog')).toBe('true');
    expect(flags.get('accessLog.fields.headers.defaultMode')).toBe('drop');
    expect(flags.get('ping')).toBe('true');
    expect(flags.get('entryPoints.traefik.address')).toBe(':8080');
    expect(flags.get('entryPoints.web.address')).toBe(':80');
    expect(flags.get('entryPoints.web.forwardedHeaders.trustedIPs')).toBe('172.31.0.0/16');
  });

  it('joins into one parameter that the template splits back on spaces', () => {
    const args = renderTraefikArguments(input);
    expect(traefikArgumentsParameter(args).split(' ')).toEqual(args);
  });

  it.each([
    ['a cluster name with a space', { cluster: 'my cluster' }],
    ['an entry point named like the internal one', { entryPoint: 'traefik' }],
    ['an env that could break the constraint', { env: 'dev`) || Label(`x' }],
    ['no trusted network', { trustedIps: [] }],
    ['a region that is not one', { region: 'moon' }],
  ])('refuses %s', (_name, change) => {
    expect(() => renderTraefikArguments({ ...input, ...change })).toThrow(/Not a valid/);
  });
});
