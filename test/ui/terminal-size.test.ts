import { describe, expect, it } from 'vitest';

import { terminalSize } from '../../src/ui/terminal-size.js';

describe('terminalSize', () => {
  it('takes the size the terminal reports', () => {
    expect(terminalSize({ columns: 132, rows: 50 })).toEqual({ columns: 132, rows: 50 });
  });

  it('reads 0, nothing or NaN as unknown: 80x24, not a view with no room', () => {
    // `script` without a size and `docker run -t` report 0x0; a stream that isn't a TTY has no size.
    expect(terminalSize({ columns: 0, rows: 0 })).toEqual({ columns: 80, rows: 24 });
    expect(terminalSize({})).toEqual({ columns: 80, rows: 24 });
    expect(terminalSize({ columns: Number.NaN, rows: 40 })).toEqual({ columns: 80, rows: 40 });
  });
});
