import { describe, expect, it } from 'vitest';

import { positionsIn } from '../../../src/lib/config/positions.js';

const YAML = [
  'domain: example.com', // 1
  'apps:', // 2
  '  whoami:', // 3
  '    port: 80', // 4
  '    environment:', // 5
  '      A: "1"', // 6
  'traefik:', // 7
  '  entryPoints:', // 8
  '    - web', // 9
  '    - websecure', // 10
  '',
].join('\n');

describe('positionsIn', () => {
  const at = positionsIn(YAML);

  it('finds a value, or its key when asked for the key', () => {
    expect(at(['apps', 'whoami', 'port'], false)).toEqual({ line: 4, col: 11 });
    expect(at(['apps', 'whoami', 'port'], true)).toEqual({ line: 4, col: 5 });
    expect(at(['apps', 'whoami', 'environment', 'A'], false)).toEqual({ line: 6, col: 10 });
  });

  it('finds items of lists by index', () => {
    expect(at(['traefik', 'entryPoints', 1], false)).toEqual({ line: 10, col: 7 });
  });

  it('gives the deepest part the file has for a path past it (a missing key)', () => {
    expect(at(['apps', 'whoami', 'healthCheck', 'path'], true)).toEqual({ line: 3, col: 3 });
    expect(at(['nothing'], true)).toBeUndefined();
  });

  it('reads JSON, which is YAML too, and a file that is not a mapping without failing', () => {
    expect(
      positionsIn('{\n  "apps": { "web": { "port": "x" } }\n}\n')(['apps', 'web', 'port'], false),
    ).toEqual({
      line: 2,
      col: 30,
    });
    expect(positionsIn('- a\n- b\n')(['apps'], true)).toBeUndefined();
    expect(positionsIn('')(['apps'], true)).toBeUndefined();
  });
});
