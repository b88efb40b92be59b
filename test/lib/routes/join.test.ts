import fc from 'fast-check';
import type { DeploymentRecord } from '../../../src/lib/model.js';
import { z } from 'zod/mini';
import { describe, expect, it } from 'vitest';

import { filterRoutes } from '../../../src/lib/routes/filter.js';
import {
  countRoutes,
  joinRoutes,
  ruleHosts,
  scanRuleHosts,
  type Route,
} from '../../../src/lib/routes/join.js';
import {
  parseTraefikJson,
  rawDataSchema,
  routerSchema,
  serviceSchema,
  type TraefikRouter,
  type TraefikService,
} from '../../../src/lib/traefik/schemas.js';
import { stateFromRawData, type TraefikState } from '../../../src/lib/traefik/state.js';
import { describeWithTraefikFixtures, readTraefikFixtureText } from '../../support/traefik-server.js';

function httpState(routers: TraefikRouter[], services: TraefikService[]): TraefikState {
  return {
    http: { routers, services },
    tcp: { routers: [], services: [] },
    udp: { routers: [], services: [] },
  };
}

/** What a person checks in a route: the columns of the table and the reasons shown. */
function summary(route: Route | undefined) {
  if (route === undefined) return undefined;
  return {
    status: route.status,
    hosts: route.hosts,
    servers: `${route.serversUp}/${route.serversTotal}`,
    attention: route.attention.map((a) => `${a.kind}: ${a.message}`),
  };
}

function find(routes: Route[], prefix: string): Route | undefined {
  return routes.find((route) => route.name.startsWith(prefix));
}

describeWithTraefikFixtures('joinRoutes on rawdata-crd.json (hand-checked)', () => {
  const raw = rawDataSchema.parse(parseTraefikJson(readTraefikFixtureText('rawdata-crd.json')));
  const routes = joinRoutes(stateFromRawData(raw));

  it('lists the 7 HTTP routers, then the TCP and the UDP one, by name', () => {
    expect(routes.map((r) => `${r.protocol} ${r.name}`)).toEqual([
      'http default-api-route-29f28a463fb5d5ba16d2@kubernetescrd',
      'http default-test-route-6b204d94623b3df4370c@kubernetescrd',
      'http default-test2-route-23c7f4c450289ee29016@kubernetescrd',
      'http default-test3-route-7d0ac22d3d8db4b82618@kubernetescrd',
      'http default-test4-route-466d8d3a547de55dfe8a@kubernetescrd',
      'http default-testst-route-60ad45fcb5fc1f5f3629@kubernetescrd',
      'http other-ns-test6-route-482e4988e134701d8cc8@kubernetescrd',
      'tcp default-test3.route-673acf455cb2dab0b43a@kubernetescrd',
      'udp default-test3.route-0@kubernetescrd',
    ]);
  });

  it('counts both UP servers of a plain load balancer, with its TLS options and priority', () => {
    const route = find(routes, 'default-test-route');
    expect(summary(route)).toEqual({ status: 'enabled', hosts: ['foo.com'], servers: '2/2', attention: [] });
    expect(route?.rule).toBe('Host(`foo.com`) && PathPrefix(`/bar`)');
    expect(route?.tls?.options).toBe('default-mytlsoption');
    expect(route?.priority).toBe('12');
    expect(route?.service).toBe('default-test-route-6b204d94623b3df4370c@kubernetescrd');
  });

  it('shows the middleware chain of test2', () => {
    expect(find(routes, 'default-test2-route')?.middlewares).toEqual(['default-mychain@kubernetescrd']);
  });

  it('follows a weighted service through a mirror to its servers, each server once', () => {
    // wrr1 = mirror1 (-> whoami-80) + whoami-80: the same two pods
    const route = find(routes, 'default-test3-route');
    expect(summary(route)).toEqual({ status: 'enabled', hosts: ['foo.com'], servers: '2/2', attention: [] });
    expect(route?.servers).toEqual([
      { address: 'http://10.42.0.3:80', status: 'UP', service: 'default-whoami-80@kubernetescrd' },
      { address: 'http://10.42.0.5:80', status: 'UP', service: 'default-whoami-80@kubernetescrd' },
    ]);
  });

  it('follows a highest-random-weight service', () => {
    expect(summary(find(routes, 'default-test4-route'))?.servers).toBe('2/2');
  });

  it("routes to Traefik's API without flagging that it has no servers", () => {
    expect(summary(find(routes, 'default-api-route'))).toEqual({
      status: 'enabled',
      hosts: [],
      servers: '0/0',
      attention: [],
    });
  });

  it("shows the disabled router's own error, once", () => {
    const route = find(routes, 'other-ns-test6-route');
    expect(summary(route)).toEqual({
      status: 'disabled',
      hosts: ['foo.com'],
      servers: '0/0',
      attention: ['router-error: the service "other-ns-wrr3@kubernetescrd" does not exist'],
    });
    expect(route?.errors).toEqual(['the service "other-ns-wrr3@kubernetescrd" does not exist']);
  });

  it('counts TCP servers across a weighted service (3 UP) and UDP servers without a status', () => {
    const tcp = routes.find((r) => r.protocol === 'tcp');
    expect(summary(tcp)).toEqual({ status: 'enabled', hosts: ['*'], servers: '3/3', attention: [] });
    expect(tcp?.priority).toBe('-1');
    expect(tcp?.tls).toMatchObject({ passthrough: false, options: 'default-mytlsoption' });
    const udp = routes.find((r) => r.protocol === 'udp');
    expect(summary(udp)).toEqual({ status: 'enabled', hosts: [], servers: '0/3', attention: [] });
    expect(udp?.servers.map((s) => s.status)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
  });

  it('counts 9 routes, one disabled, one needing attention', () => {
    expect(countRoutes(routes)).toEqual({
      enabled: 8,
      warning: 0,
      disabled: 1,
      missing: 0,
      attention: 1,
      total: 9,
    });
  });
});

describeWithTraefikFixtures('joinRoutes on services.json (hand-checked)', () => {
  const services = z.array(serviceSchema).parse(parseTraefikJson(readTraefikFixtureText('services.json')));
  const fixtureRouters = z
    .array(routerSchema)
    .parse(parseTraefikJson(readTraefikFixtureText('routers.json')));
  // services.json's usedBy names routers that no capture has; these point at each kind of service.
  const routers: TraefikRouter[] = [
    ...fixtureRouters,
    {
      name: 'lb@myprovider',
      provider: 'myprovider',
      service: 'bar',
      status: 'enabled',
      rule: 'Host(`lb.test`)',
    },
    { name: 'canary@myprovider', provider: 'myprovider', service: 'canary', status: 'enabled' },
    { name: 'mirror@myprovider', provider: 'myprovider', service: 'mirror@myprovider', status: 'enabled' },
  ];
  const routes = joinRoutes(httpState(routers, services));

  it('resolves an unqualified service in the router provider: bar has one server UP', () => {
    const route = find(routes, 'lb@');
    expect(summary(route)).toEqual({ status: 'enabled', hosts: ['lb.test'], servers: '1/1', attention: [] });
    expect(route?.serviceType).toBe('loadbalancer');
    expect(route?.servers).toEqual([
      { address: 'http://127.0.0.1', status: 'UP', service: 'bar@myprovider' },
    ]);
  });

  it('flags the enabled routers of routers.json: their service foo-service@myprovider is not in the list', () => {
    expect(summary(find(routes, 'bar@'))).toEqual({
      status: 'enabled',
      hosts: ['foo.bar'],
      servers: '0/0',
      attention: ['service-missing: the service foo-service@myprovider does not exist.'],
    });
    expect(find(routes, 'bar@')?.middlewares).toEqual(['auth@myprovider', 'addPrefixTest@anotherprovider']);
  });

  it('flags a weighted service without children as having no servers', () => {
    expect(summary(find(routes, 'canary@'))?.attention).toEqual([
      'no-servers: its service canary@myprovider has no servers.',
    ]);
  });

  it('flags a mirroring service whose main service does not exist', () => {
    expect(summary(find(routes, 'mirror@'))?.attention).toEqual([
      'service-missing: the service one@myprovider does not exist.',
    ]);
  });

  it('flags a service whose only server is DOWN', () => {
    const down = services.map((s) =>
      s.name === 'bar@myprovider' ? { ...s, serverStatus: { 'http://127.0.0.1': 'DOWN' } } : s,
    );
    const [route] = joinRoutes(httpState(routers.slice(2, 3), down));
    expect(summary(route)).toEqual({
      status: 'enabled',
      hosts: ['lb.test'],
      servers: '0/1',
      attention: ['no-server-up: no server of bar@myprovider is UP (1 DOWN).'],
    });
  });
});

describe('joinRoutes with ECS deployments', () => {
  const ecsRouter = (name: string, extra: Partial<TraefikRouter> = {}): TraefikRouter => ({
    name: `${name}@ecs`,
    provider: 'ecs',
    service: name,
    rule: `Host(\`${name}.dev.example.com\`)`,
    status: 'enabled',
    ...extra,
  });
  const ecsService = (name: string, status = 'UP'): TraefikService => ({
    name: `${name}@ecs`,
    provider: 'ecs',
    type: 'loadbalancer',
    loadBalancer: { servers: [{ url: 'http://10.0.0.1:80' }] },
    serverStatus: { 'http://10.0.0.1:80': status },
  });
  const deployment = (service: string, extra: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
    app: service.split('-')[0] ?? service,
    tag: service.split('-').slice(1).join('-'),
    env: 'dev',
    host: `${service}.dev.example.com`,
    service,
    deployedAt: '2026-08-01T10:00:00.000Z',
    ...extra,
  });
  const state = httpState(
    [
      ecsRouter('whoami-v2'),
      ecsRouter('whoami-old'),
      ecsRouter('api-gone'),
      ecsRouter('dashboard', { service: 'api@internal' }),
      { name: 'api@internal', provider: 'internal', service: 'api@internal', status: 'enabled' },
    ],
    [ecsService('whoami-v2'), ecsService('whoami-old'), ecsService('api-gone')],
  );

  it('names the app and tag of each router that belongs to a deployment', () => {
    const routes = joinRoutes(state, { deployments: [deployment('whoami-v2')] });
    expect(find(routes, 'whoami-v2@')?.deployment).toMatchObject({ app: 'whoami', tag: 'v2', env: 'dev' });
    expect(find(routes, 'whoami-v2@')?.attention).toEqual([]);
  });

  it('adds a deployment Traefik has not discovered as a missing route', () => {
    const routes = joinRoutes(state, { deployments: [deployment('whoami-v2'), deployment('whoami-v3')] });
    expect(summary(find(routes, 'whoami-v3@'))).toEqual({
      status: 'missing',
      hosts: ['whoami-v3.dev.example.com'],
      servers: '0/0',
      attention: [
        'not-discovered: ECS service whoami-v3 is deployed, but Traefik has no router whoami-v3@ecs: no task is running and healthy, or its labels are not read.',
      ],
    });
  });

  it('says a deployment scaled to 0 tasks has no router because nothing runs, and how to go on', () => {
    const routes = joinRoutes(state, {
      deployments: [deployment('whoami-v2'), deployment('whoami-v3', { desiredCount: 0 })],
    });
    expect(summary(find(routes, 'whoami-v3@'))).toEqual({
      status: 'missing',
      hosts: ['whoami-v3.dev.example.com'],
      servers: '0/0',
      attention: [
        'scaled-to-zero: ECS service whoami-v3 is scaled to 0 tasks, so Traefik has no router whoami-v3@ecs and nothing serves whoami-v3.dev.example.com: `traefikctl app deploy whoami --tag v3 --env dev --force` runs it again, `traefikctl app destroy whoami --tag v3 --env dev` removes it.',
      ],
    });
    // One that should run tasks and has no router is still the other case.
    const running = joinRoutes(state, { deployments: [deployment('whoami-v3', { desiredCount: 1 })] });
    expect(find(running, 'whoami-v3@')?.attention.map((a) => a.kind)).toEqual(['not-discovered']);
  });

  it('flags routers of deployments that no longer exist or are being deleted, not the API router', () => {
    const routes = joinRoutes(state, {
      deployments: [deployment('whoami-v2'), deployment('whoami-old', { status: 'DRAINING' })],
    });
    expect(summary(find(routes, 'whoami-old@'))?.attention).toEqual([
      'orphaned: its ECS service whoami-old is being deleted (DRAINING).',
    ]);
    expect(summary(find(routes, 'api-gone@'))?.attention).toEqual([
      'orphaned: no traefikctl deployment named api-gone exists: it was removed, or something else runs it.',
    ]);
    expect(find(routes, 'dashboard@')?.attention).toEqual([]);
    expect(routes.some((r) => r.name === 'whoami-old@ecs' && r.status === 'missing')).toBe(false);
  });

  it("can't tell missing or orphaned routers when ECS could not be read", () => {
    const routes = joinRoutes(state);
    expect(routes.flatMap((r) => r.attention)).toEqual([]);
    expect(routes.every((r) => r.deployment === undefined)).toBe(true);
  });

  it("hides Traefik's internal routers unless asked", () => {
    expect(joinRoutes(state).map((r) => r.name)).not.toContain('api@internal');
    expect(joinRoutes(state, { includeInternal: true }).map((r) => r.name)).toContain('api@internal');
  });

  it('filters by app, status, provider and a search text', () => {
    const routes = joinRoutes(state, { deployments: [deployment('whoami-v2'), deployment('whoami-v3')] });
    expect(filterRoutes(routes, { app: 'whoami' }).map((r) => r.name)).toEqual([
      'whoami-v2@ecs',
      'whoami-v3@ecs',
    ]);
    expect(filterRoutes(routes, { status: 'missing' }).map((r) => r.name)).toEqual(['whoami-v3@ecs']);
    expect(filterRoutes(routes, { provider: 'ECS', search: 'OLD.dev' }).map((r) => r.name)).toEqual([
      'whoami-old@ecs',
    ]);
    expect(filterRoutes(routes, { provider: 'file' })).toEqual([]);
  });

  it('shows the last of two deployments given for one service, and no missing route for either', () => {
    // given ECS answers whoami-v2 twice (a service listed while it is replaced), and whoami-v3 twice
    const deployments = [
      deployment('whoami-v2', { tag: 'first' }),
      deployment('whoami-v3', { tag: 'first' }),
      deployment('whoami-v2', { tag: 'second' }),
      deployment('whoami-v3', { tag: 'second' }),
    ];
    // when they are joined with the routers, which have whoami-v2 but not whoami-v3
    const routes = joinRoutes(state, { deployments });
    // then whoami-v2 is the last one, and each undiscovered deployment is one missing route
    expect(find(routes, 'whoami-v2@')?.deployment?.tag).toBe('second');
    expect(routes.filter((r) => r.status === 'missing').map((r) => r.deployment?.tag)).toEqual([
      'first',
      'second',
    ]);
  });

  it('sorts routers by name when Traefik did not, with the missing routes among them', () => {
    // given routers out of order (rawdata maps, or a list that changed between pages)
    const shuffled = httpState([...state.http.routers].reverse(), state.http.services);
    // when joined with a deployment that sorts between them
    const routes = joinRoutes(shuffled, {
      deployments: [deployment('whoami-v2'), deployment('whoami-old'), deployment('b-missing')],
    });
    // then the routes come by name, as from sorted lists
    expect(routes.map((r) => r.name)).toEqual([
      'api-gone@ecs',
      'b-missing@ecs',
      'dashboard@ecs',
      'whoami-old@ecs',
      'whoami-v2@ecs',
    ]);
  });

  it('copies only the declared fields of a deployment, and leaves out the unset ones', () => {
    // given a deployment with more fields than a route shows, and no expiry or status
    const rich = { ...deployment('whoami-v2'), image: 'r/whoami@sha256:1', runningCount: 1 };
    // when joined
    const route = find(joinRoutes(state, { deployments: [rich] }), 'whoami-v2@');
    // then its deployment has exactly the set declared fields, in order
    expect(Object.keys(route?.deployment ?? {})).toEqual([
      'app',
      'tag',
      'env',
      'host',
      'service',
      'deployedAt',
    ]);
  });
});

describe('ruleHosts', () => {
  it('reads Host and HostSNI arguments, not HostRegexp', () => {
    expect(ruleHosts('Host(`a.example.com`) || Host(`b.example.com`) && Path(`/x`)')).toEqual([
      'a.example.com',
      'b.example.com',
    ]);
    expect(ruleHosts('HostSNI(`db.example.com`)')).toEqual(['db.example.com']);
    expect(ruleHosts('HostRegexp(`^.+\\.example\\.com$`)')).toEqual([]);
    expect(ruleHosts('Host(`a.com`, `b.com`)')).toEqual(['a.com', 'b.com']);
    expect(ruleHosts(undefined)).toEqual([]);
  });

  it('reads the rule traefikctl writes, one host in backticks', () => {
    expect(ruleHosts('Host(`whoami-v2.dev.example.com`)')).toEqual(['whoami-v2.dev.example.com']);
    expect(ruleHosts('HostSNI(`db.dev.example.com`)')).toEqual(['db.dev.example.com']);
    expect(ruleHosts('Host(``)')).toEqual([]);
    expect(ruleHosts('Host(`a`) && Host(`b`)')).toEqual(['a', 'b']);
    expect(ruleHosts('Host(`a)`)')).toEqual([]);
  });

  // ruleHosts skips the regex scans for a rule that is one Host(`x`); for any rule at all it must
  // answer what the scan answers. Rules are built from the pieces that decide the scan (matcher
  // names, both quotes, parentheses, operators, commas, spaces), plus any text. (Checked by breaking
  // the fast path: dropping its backtick, `)` or empty-host check each fails this test.)
  const piece = fc.constantFrom(
    'Host(',
    'HostSNI(',
    'HostRegexp(',
    'HostHeader(',
    'PathPrefix(',
    'xHost(',
    '`',
    '"',
    '(',
    ')',
    ' ',
    ',',
    '&&',
    '||',
    '!',
    'a.example.com',
    'b',
    '*',
    '\n',
  );
  const rule = fc.oneof(
    fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')),
    fc
      .tuple(
        fc.constantFrom('Host(`', 'HostSNI(`', 'Host("'),
        fc.string(),
        fc.constantFrom('`)', '")', '`) ', ')'),
      )
      .map((parts) => parts.join('')),
    fc.string(),
  );

  it('answers exactly what the general scan answers, for any rule', () => {
    fc.assert(
      fc.property(rule, (text) => {
        expect(ruleHosts(text)).toEqual(scanRuleHosts(text));
      }),
      { numRuns: 5000 },
    );
  });
});
