import { describe, expect, it } from 'vitest';

import { durationMs, parseTimeout, shortDurationMs } from '../../src/lib/duration.js';
import { ExitCode, UserError } from '../../src/lib/errors.js';

describe('durationMs', () => {
  it('reads ms, s, m, h and d, decimals, and plain numbers as seconds', () => {
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('2s')).toBe(2000);
    expect(durationMs(' 1.5m ')).toBe(90_000);
    expect(durationMs('5')).toBe(5000);
    expect(durationMs('1h')).toBe(3_600_000);
    expect(durationMs('1d')).toBe(86_400_000);
    expect(durationMs('0s')).toBe(0);
    expect(durationMs('0')).toBe(0);
  });

  it('is undefined for anything else', () => {
    for (const text of ['', 'soon', 'abc', '-5s', '2 s', 's', '10x', '1.s', '.5s']) {
      expect(durationMs(text)).toBeUndefined();
    }
  });

  it('is the grammar the environment variables and --interval read, under their old name too', () => {
    expect(shortDurationMs).toBe(durationMs);
  });
});

describe('parseTimeout', () => {
  it('takes a duration between 1s and 24h', () => {
    expect(parseTimeout('90s')).toBe(90_000);
    expect(parseTimeout('1.5m')).toBe(90_000);
    expect(parseTimeout('45')).toBe(45_000);
    expect(parseTimeout('24h')).toBe(86_400_000);
  });

  it('refuses the rest with exit 2, "0" and "0s" alike, naming the flag and the fix', () => {
    for (const text of ['abc', '-5s', '0', '0s', '500ms', '25h', '1d1h', '']) {
      const error = (() => {
        try {
          parseTimeout(text);
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error, text).toBeInstanceOf(UserError);
      expect((error as UserError).exitCode).toBe(ExitCode.Usage);
      expect((error as UserError).code).toBe('DURATION_INVALID');
      expect((error as UserError).message).toBe(
        `--timeout ${JSON.stringify(text)} is not a duration between 1s and 24h.`,
      );
      expect((error as UserError).suggestions).toEqual([
        'Pass one such as --timeout 90s, --timeout 10m or --timeout 1h.',
      ]);
    }
  });
});
