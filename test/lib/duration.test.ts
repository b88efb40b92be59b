import { describe, expect, it } from 'vitest';

import { shortDurationMs } from '../../src/lib/duration.js';

describe('shortDurationMs', () => {
  it('reads ms, s and m, decimals, and plain numbers as seconds', () => {
    expect(shortDurationMs('500ms')).toBe(500);
    expect(shortDurationMs('2s')).toBe(2000);
    expect(shortDurationMs(' 1.5m ')).toBe(90_000);
    expect(shortDurationMs('5')).toBe(5000);
  });

  it('is undefined for anything else', () => {
    for (const text of ['', 'soon', '1h', '-5s', '2 s', 's']) expect(shortDurationMs(text)).toBeUndefined();
  });
});
