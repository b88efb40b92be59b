import { describe, expect, it } from 'vitest';

import {
  addDuration,
  durationMs,
  formatAge,
  formatDuration,
  formatElapsed,
  goDuration,
  isConfigDuration,
  parseInterval,
  parseTimeout,
} from '../../src/lib/duration.js';
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

describe('the one grammar, where a unit is required', () => {
  it('reads weeks and decimals, and refuses a plain number (a ttl of 7 is not 7 seconds)', () => {
    expect(durationMs('2w', { unitRequired: true })).toBe(1_209_600_000);
    expect(durationMs('1.5h', { unitRequired: true })).toBe(5_400_000);
    expect(durationMs('7', { unitRequired: true })).toBeUndefined();
    expect(isConfigDuration('30s')).toBe(true);
    expect(isConfigDuration('500ms')).toBe(true);
    expect(isConfigDuration('10')).toBe(false);
    expect(isConfigDuration('1d1h')).toBe(false);
  });

  it('adds a ttl, --since or --older-than value to a date, or says what is wrong (exit 2)', () => {
    const now = new Date('2026-03-01T12:00:00.000Z');
    expect(addDuration(now, '1.5h').toISOString()).toBe('2026-03-01T13:30:00.000Z');
    expect(() => addDuration(now, '7', '--older-than value')).toThrow(
      'The --older-than value "7" is not a duration.',
    );
  });

  it('gives Traefik a Go duration: days and weeks become hours, the rest stays as written', () => {
    expect(goDuration('1.5m')).toBe('1.5m');
    expect(goDuration('500ms')).toBe('500ms');
    expect(goDuration('1.5d')).toBe('36h');
    expect(goDuration('2w')).toBe('336h');
    expect(() => goDuration('5')).toThrow('Not a duration');
  });
});

describe('parseInterval', () => {
  it('takes the same grammar as --timeout, from 250ms up', () => {
    expect(parseInterval('1.5m')).toBe(90_000);
    expect(parseInterval('250ms')).toBe(250);
    expect(() => parseInterval('100ms')).toThrow(
      '--interval "100ms" is not a refresh interval of at least 250ms.',
    );
  });
});

describe('formatDuration', () => {
  it('writes a setting in the largest unit that says it, as a duration the flags read back', () => {
    const cases: [number, string][] = [
      [200, '200ms'],
      [1500, '1.5s'],
      [5000, '5s'],
      [90_000, '90s'],
      [600_000, '10m'],
      [5_400_000, '90m'],
      [7_200_000, '2h'],
      [86_400_000, '24h'],
    ];
    for (const [ms, text] of cases) {
      expect(formatDuration(ms)).toBe(text);
      expect(durationMs(text)).toBe(ms);
    }
    expect(parseTimeout(formatDuration(90_000))).toBe(90_000);
  });
});

describe('formatElapsed and formatAge', () => {
  it('writes a measured time for timers', () => {
    expect(formatElapsed(320)).toBe('320ms');
    expect(formatElapsed(1234)).toBe('1.2s');
    expect(formatElapsed(125_000)).toBe('2m05s');
  });

  it('writes an age in one short unit', () => {
    expect(formatAge(-5)).toBe('0s');
    expect(formatAge(45_000)).toBe('45s');
    expect(formatAge(12 * 60_000)).toBe('12m');
    expect(formatAge(3 * 3_600_000)).toBe('3h');
    expect(formatAge(5 * 86_400_000)).toBe('5d');
  });
});
