import fc from 'fast-check';
import { z } from 'zod/mini';
import { describe, expect, it } from 'vitest';

import { fastList, isRouter, isService } from '../../../src/lib/traefik/fast-validate.js';
import { routerSchema, serviceSchema } from '../../../src/lib/traefik/schemas.js';

/**
 * The fast predicates must accept exactly what the zod schemas accept, or a list page would pass
 * one and fail the other. Inputs are JSON values (what JSON.parse can give) shaped like Traefik's
 * objects: every known field, at every depth, sometimes of the wrong type, sometimes absent.
 * (Checked by breaking one predicate at a time: each break is found.)
 */
const json = fc.jsonValue({ maxDepth: 2 });
// Mostly the right type, so that whole objects are often valid and one wrong field decides.
const maybe = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary, weight: 12 }, { arbitrary: json, weight: 1 });
const strings = fc.array(fc.string(), { maxLength: 3 });
const refs = fc.array(
  fc.record({ name: maybe(fc.string()), weight: maybe(fc.oneof(fc.integer(), fc.constant(null))) }),
  {
    maxLength: 2,
  },
);

const router = fc.record(
  {
    name: maybe(fc.string()),
    provider: maybe(fc.string()),
    status: maybe(fc.constantFrom('enabled', 'warning', 'disabled')),
    error: maybe(fc.oneof(strings, fc.string())),
    entryPoints: maybe(fc.oneof(strings, fc.constant(null))),
    middlewares: maybe(strings),
    service: maybe(fc.string()),
    rule: maybe(fc.string()),
    priority: maybe(fc.oneof(fc.integer(), fc.string())),
    priorityStr: maybe(fc.string()),
    tls: maybe(
      fc.record(
        {
          options: maybe(fc.string()),
          certResolver: maybe(fc.string()),
          passthrough: maybe(fc.boolean()),
          domains: maybe(
            fc.array(fc.record({ main: maybe(fc.string()), sans: maybe(strings) }), { maxLength: 2 }),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    using: maybe(strings),
    extra: json,
  },
  { requiredKeys: [] },
);

const service = fc.record(
  {
    name: maybe(fc.string()),
    provider: maybe(fc.string()),
    status: maybe(fc.string()),
    error: maybe(fc.oneof(strings, fc.string())),
    type: maybe(fc.string()),
    loadBalancer: maybe(
      fc.record(
        {
          servers: maybe(
            fc.array(
              fc.record(
                {
                  url: maybe(fc.string()),
                  address: maybe(fc.string()),
                  weight: maybe(fc.oneof(fc.integer(), fc.constant(null))),
                  fenced: maybe(fc.boolean()),
                },
                {
                  requiredKeys: [],
                },
              ),
              { maxLength: 3 },
            ),
          ),
          strategy: maybe(fc.string()),
          passHostHeader: maybe(fc.oneof(fc.boolean(), fc.constant(null))),
        },
        { requiredKeys: [] },
      ),
    ),
    weighted: maybe(fc.record({ services: maybe(refs) }, { requiredKeys: [] })),
    highestRandomWeight: maybe(fc.record({ services: maybe(refs) }, { requiredKeys: [] })),
    mirroring: maybe(
      fc.record(
        {
          service: maybe(fc.string()),
          mirrors: maybe(fc.array(fc.record({ name: maybe(fc.string()), percent: maybe(fc.integer()) }))),
        },
        { requiredKeys: [] },
      ),
    ),
    failover: maybe(
      fc.record({ service: maybe(fc.string()), fallback: maybe(fc.string()) }, { requiredKeys: [] }),
    ),
    serverStatus: maybe(fc.dictionary(fc.string(), maybe(fc.constantFrom('UP', 'DOWN')))),
    usedBy: maybe(strings),
  },
  { requiredKeys: [] },
);

describe('fast predicates agree with the zod schemas', () => {
  it('on routers', () => {
    fc.assert(
      fc.property(fc.oneof(router, json), (value) => {
        expect(isRouter(value)).toBe(routerSchema.safeParse(value).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('on services', () => {
    fc.assert(
      fc.property(fc.oneof(service, json), (value) => {
        expect(isService(value)).toBe(serviceSchema.safeParse(value).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same items as zod for a page they accept, Traefik 2.0 error strings included', () => {
    const page = [
      { name: 'a@ecs', error: 'middleware "x@file" does not exist', extra: { kept: true } },
      { name: 'b@ecs', entryPoints: ['web'] },
    ];
    const expected = z.array(routerSchema).parse(structuredClone(page));
    expect(fastList(page, isRouter)).toEqual(expected);
    expect(fastList([{ name: 1 }], isRouter)).toBeUndefined();
    expect(fastList({ routers: [] }, isRouter)).toBeUndefined();
  });
});
