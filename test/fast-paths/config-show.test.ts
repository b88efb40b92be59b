import { describe, expect, it } from 'vitest';

import ConfigShow from '../../src/commands/config/show.js';
import { BOOLEAN_FLAGS, FLAG_VARIABLES } from '../../src/fast-paths/config-show.js';

// The fast path parses `config show`'s flags without oclif (it must not load it), so it keeps its own
// table of them: here it is held to the command's definitions, which oclif parses.
describe("config show's fast path knows the command's flags", () => {
  const defined = { ...ConfigShow.baseFlags, ...ConfigShow.flags } as Record<
    string,
    { type: string; env?: string }
  >;

  it('reads each value flag from the variable oclif fills it from', () => {
    const valueFlags = Object.entries(defined).filter(([, flag]) => flag.type === 'option');
    expect(Object.fromEntries(valueFlags.map(([name, flag]) => [name, flag.env]))).toEqual(FLAG_VARIABLES);
  });

  it('takes exactly the boolean flags the command has, --json included', () => {
    const booleans = Object.entries(defined)
      .filter(([, flag]) => flag.type === 'boolean')
      .map(([name]) => name);
    expect(ConfigShow.enableJsonFlag).toBe(true);
    expect([...booleans, 'json'].sort()).toEqual([...BOOLEAN_FLAGS].sort());
  });
});
