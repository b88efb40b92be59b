import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { JSON_CHUNK_ELEMENTS, jsonChunks } from '../../src/ui/json-output.js';

const text = (value: unknown, indent?: number, chunk?: number) =>
  [...jsonChunks(value, indent, chunk)].join('');

describe('jsonChunks', () => {
  it('concatenates to exactly JSON.stringify for any value, indent and piece size', () => {
    // Holes, undefined and functions become null inside arrays: the pieces must keep that too.
    const element = fc.oneof(
      fc.jsonValue(),
      fc.constant(undefined),
      fc.constant(() => 1),
      fc.string(),
      fc.date({ noInvalidDate: true }),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(element, { maxLength: 40 }),
          fc.sparseArray(fc.jsonValue(), { maxLength: 30 }),
          element,
        ),
        fc.constantFrom(undefined, 0, 1, 2, 4, 12, -1, 2.5),
        fc.integer({ min: 1, max: 7 }),
        (value, indent, chunk) => {
          expect(text(value, indent, chunk)).toBe(`${JSON.stringify(value, null, indent)}`);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('writes a long array in pieces of at most the chunk size', () => {
    const routes = Array.from({ length: 1050 }, (_, i) => ({
      name: `app${i}-v1@ecs`,
      servers: [{ up: true }],
    }));
    const pieces = [...jsonChunks(routes)];
    // '[' and ']' around eleven pieces of up to 100 routes.
    expect(pieces).toHaveLength(2 + Math.ceil(1050 / JSON_CHUNK_ELEMENTS));
    expect(pieces.join('')).toBe(JSON.stringify(routes));
    expect([...jsonChunks(routes, 2)].join('')).toBe(JSON.stringify(routes, null, 2));
  });

  it('leaves short arrays, objects and arrays with their own toJSON in one piece', () => {
    expect([...jsonChunks([1, 2, 3])]).toEqual(['[1,2,3]']);
    expect([...jsonChunks({ a: [1] }, 2)]).toEqual([JSON.stringify({ a: [1] }, null, 2)]);
    const custom = Object.assign(
      Array.from({ length: 300 }, (_, i) => i),
      { toJSON: () => 'custom' },
    );
    expect([...jsonChunks(custom)]).toEqual(['"custom"']);
    expect([...jsonChunks(undefined)]).toEqual(['undefined']);
  });
});
