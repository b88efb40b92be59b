import { describe, expect, it } from 'vitest';

import { checkNode } from '../../src/lib/doctor/checks.js';
import { closest } from '../../src/hooks/command-not-found.js';

describe('checkNode', () => {
  it.each([
    ['24.21.0', 'ok'],
    ['22.0.0', 'ok'],
    ['20.20.2', 'fail'],
  ] as const)('given Node %s, reports %s', (version, status) => {
    const result = checkNode(version);
    expect(result.status).toBe(status);
    if (status === 'fail') expect(result.fix).toMatch(/Node\.js 22 or newer/);
  });
});

describe('closest command', () => {
  const ids = ['doctor', 'init', 'app:deploy', 'app:destroy', 'app:urls', 'cluster:up', 'cluster:down'];
  it.each([
    ['docter', 'doctor'],
    ['app:deplyo', 'app:deploy'],
    ['cluster:dwon', 'cluster:down'],
    ['xyzzy', undefined],
  ])('given %s, suggests %s', (typed, expected) => {
    expect(closest(typed, ids)).toBe(expected);
  });
});
