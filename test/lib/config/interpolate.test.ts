import { describe, expect, it } from 'vitest';

import { interpolate, interpolateString } from '../../../src/lib/config/interpolate.js';

const env = { REGION: 'eu-west-1', TAG: 'v2', EMPTY: '', PORT: '8080' };

describe('interpolateString', () => {
  it.each([
    ['plain text', 'no references', 'no references'],
    ['one variable', '${REGION}', 'eu-west-1'],
    ['variables inside text', 'img-${TAG}-${REGION}', 'img-v2-eu-west-1'],
    ['default when unset', '${NOPE:-fallback}', 'fallback'],
    ['default when set to empty', '${EMPTY:-fallback}', 'fallback'],
    ['value over default when set', '${TAG:-latest}', 'v2'],
    ['empty default', '${NOPE:-}', ''],
    ['default with spaces and colons', '${NOPE:-a b:c}', 'a b:c'],
    ['set to empty without default', 'x${EMPTY}y', 'xy'],
    ['$${ escapes a reference', '$${REGION}', '${REGION}'],
    ['$${ next to a real reference', '$${TAG}-${TAG}', '${TAG}-v2'],
    ['lone dollar signs', 'cost: $5 and $', 'cost: $5 and $'],
    ['dollar before a word', '$REGION', '$REGION'],
  ])('given %s, when interpolated, then it reads as expected', (_name, text, expected) => {
    const result = interpolateString(text, env);
    expect(result.value).toBe(expected);
    expect(result.missing).toEqual([]);
    expect(result.malformed).toEqual([]);
  });

  it.each([
    ['an unset variable', 'x-${NOPE}', { missing: ['NOPE'], malformed: [] }],
    ['two unset variables', '${A}${B}', { missing: ['A', 'B'], malformed: [] }],
    ['an unterminated reference', 'abc ${REGION', { missing: [], malformed: ['${REGION'] }],
    ['a name starting with a digit', '${1X}', { missing: [], malformed: ['${1X}'] }],
    ['the unsupported ${VAR-default} form', '${X-y}', { missing: [], malformed: ['${X-y}'] }],
    ['a nested reference in a default', '${A:-${B}}', { missing: [], malformed: ['${A:-${B}'] }],
    ['an empty reference', '${}', { missing: [], malformed: ['${}'] }],
  ])('given %s, when interpolated, then the problem is reported', (_name, text, problems) => {
    const result = interpolateString(text, env);
    expect({ missing: result.missing, malformed: result.malformed }).toEqual(problems);
  });
});

describe('interpolate', () => {
  it('given a nested configuration, when interpolated, then every string value is expanded and keys are not', () => {
    const raw = {
      region: '${REGION}',
      apps: {
        '${TAG}': { port: 80, environment: { GREETING: 'hi ${TAG}' }, list: ['${PORT}', 3, true, null] },
      },
    };

    const result = interpolate(raw, env);

    expect(result.value).toEqual({
      region: 'eu-west-1',
      apps: { '${TAG}': { port: 80, environment: { GREETING: 'hi v2' }, list: ['8080', 3, true, null] } },
    });
    expect(result.problems).toEqual([]);
    expect(result.interpolated).toEqual([
      { path: ['region'], template: '${REGION}', variables: ['REGION'] },
      { path: ['apps', '${TAG}', 'environment', 'GREETING'], template: 'hi ${TAG}', variables: ['TAG'] },
      { path: ['apps', '${TAG}', 'list', 0], template: '${PORT}', variables: ['PORT'] },
    ]);
  });

  it('given several problems in several places, when interpolated, then all are reported with their key paths', () => {
    const result = interpolate({ a: '${ONE}', b: { c: ['${TWO}', '${3}'] } }, {});

    expect(result.problems).toEqual([
      { kind: 'missing', path: ['a'], variable: 'ONE' },
      { kind: 'missing', path: ['b', 'c', 0], variable: 'TWO' },
      { kind: 'syntax', path: ['b', 'c', 1], reference: '${3}' },
    ]);
  });

  it('given an escaped reference only, when interpolated, then it is not recorded as interpolated', () => {
    const result = interpolate({ template: '$${NAME}' }, {});

    expect(result.value).toEqual({ template: '${NAME}' });
    expect(result.interpolated).toEqual([]);
  });
});
