import { readdirSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';
import { z } from 'zod/mini';

import {
  entryPointSchema,
  middlewareSchema,
  overviewSchema,
  parseTraefikJson,
  priorityText,
  qualify,
  providerOf,
  rawDataSchema,
  routerSchema,
  routerStatus,
  serviceSchema,
} from '../../../src/lib/traefik/schemas.js';
import {
  describeWithTraefikFixtures,
  readTraefikFixtureText,
  TRAEFIK_FIXTURES_DIR,
} from '../../support/traefik-server.js';

/** Which schema reads which capture, by file name (single items and lists alike). */
function schemaFor(file: string): z.ZodMiniType | undefined {
  const base = path.basename(file, '.json');
  const pick = (schema: z.ZodMiniType, list: boolean) => (list ? z.array(schema) : schema);
  const rules: [RegExp, z.ZodMiniType, boolean][] = [
    [/^(get)?rawdata/, rawDataSchema, false],
    [/^overview/, overviewSchema, false],
    [/^tcprouters$/, routerSchema, true],
    [/^udprouters$/, routerSchema, true],
    [/^(tcp|udp)services$/, serviceSchema, true],
    [/^tcpmiddlewares$/, middlewareSchema, true],
    [/^routers($|-)/, routerSchema, true],
    [/^router-/, routerSchema, false],
    [/^services($|-)/, serviceSchema, true],
    [/^service-/, serviceSchema, false],
    [/^middlewares($|-)/, middlewareSchema, true],
    [/^middleware-/, middlewareSchema, false],
    [/^entrypoints($|-)/, entryPointSchema, true],
    [/^entrypoint-/, entryPointSchema, false],
  ];
  const rule = rules.find(([pattern]) => pattern.test(base));
  return rule === undefined ? undefined : pick(rule[1], rule[2]);
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => path.relative(TRAEFIK_FIXTURES_DIR, path.join(entry.parentPath, entry.name)));
}

describeWithTraefikFixtures('Traefik schemas on the real captures', () => {
  const files = jsonFiles(TRAEFIK_FIXTURES_DIR);

  it('finds the captures', () => {
    expect(files.length).toBeGreaterThanOrEqual(29);
  });

  it.each(files)('%s parses', (file) => {
    // given a capture and the schema for its endpoint
    const schema = schemaFor(file);
    expect(schema, `no schema maps ${file}: add a rule to schemaFor`).toBeDefined();
    // when it is parsed the way the client parses a response
    const result = schema?.safeParse(parseTraefikJson(readTraefikFixtureText(file)));
    // then it is accepted
    expect(result?.error?.issues ?? []).toEqual([]);
  });

  it('keeps unknown fields (observability, ruleSyntax) instead of dropping them', () => {
    const raw = rawDataSchema.parse(parseTraefikJson(readTraefikFixtureText('rawdata-consul.json')));
    expect(raw.routers?.['Router0@consul']?.observability).toEqual({
      accessLogs: true,
      metrics: true,
      tracing: true,
      traceVerbosity: 'minimal',
    });
  });

  it('keeps the exact int64 priority of internal routers in rawdata (no priorityStr there)', () => {
    const raw = rawDataSchema.parse(parseTraefikJson(readTraefikFixtureText('rawdata-consul.json')));
    const api = raw.routers?.['api@internal'];
    expect(api && priorityText(api)).toBe('9223372036854775806');
    expect(raw.routers?.['Router0@consul']?.priority).toBe(42);
  });

  it('reads the error array of a disabled router and its escaped rule', () => {
    const raw = rawDataSchema.parse(parseTraefikJson(readTraefikFixtureText('rawdata-crd.json')));
    const router = raw.routers?.['other-ns-test6-route-482e4988e134701d8cc8@kubernetescrd'];
    expect(router?.status).toBe('disabled');
    expect(router?.error).toEqual(['the service "other-ns-wrr3@kubernetescrd" does not exist']);
    expect(raw.routers?.['default-test-route-6b204d94623b3df4370c@kubernetescrd']?.rule).toBe(
      'Host(`foo.com`) && PathPrefix(`/bar`)',
    );
  });

  it('reads priorityStr from list endpoints', () => {
    const [router] = z.array(routerSchema).parse(parseTraefikJson(readTraefikFixtureText('routers.json')));
    expect(router && priorityText(router)).toBe('0');
  });
});

describe('Traefik schemas on shapes the captures lack', () => {
  it('accepts an object with every field absent', () => {
    expect(routerSchema.parse({})).toEqual({});
    expect(serviceSchema.parse({})).toEqual({});
  });

  it('accepts Traefik 2.0 error strings as a one-item array', () => {
    expect(routerSchema.parse({ error: 'middleware "x@file" does not exist' }).error).toEqual([
      'middleware "x@file" does not exist',
    ]);
  });

  it('rejects a value of the wrong type, naming where', () => {
    const result = z
      .array(routerSchema)
      .safeParse([{ name: 'a@ecs' }, { name: 'b@ecs', entryPoints: 'web' }]);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([1, 'entryPoints']);
  });

  it('parses JSON without large priorities the plain way, negative ones included', () => {
    expect(parseTraefikJson('{"priority": -1, "priorityStr": "-1"}')).toEqual({
      priority: -1,
      priorityStr: '-1',
    });
    expect(parseTraefikJson('{"priority": -9223372036854775807}')).toEqual({
      priority: '-9223372036854775807',
    });
  });

  it('splits names into name and provider, and qualifies references with the referrer provider', () => {
    expect(providerOf('whoami-v2@ecs')).toBe('ecs');
    expect(providerOf('foo / bar@myprovider')).toBe('myprovider');
    expect(providerOf('noprovider')).toBeUndefined();
    expect(qualify('whoami-v2', 'ecs')).toBe('whoami-v2@ecs');
    expect(qualify('api@internal', 'ecs')).toBe('api@internal');
  });

  it('treats a missing status as enabled and an unknown one as a warning', () => {
    expect(routerStatus(undefined)).toBe('enabled');
    expect(routerStatus('Disabled')).toBe('disabled');
    expect(routerStatus('degraded')).toBe('warning');
  });
});
