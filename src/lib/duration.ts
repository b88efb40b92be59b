import { usageError } from './errors.js';

/**
 * The one grammar for the durations of flags and environment variables (`--timeout`, `--interval`,
 * TRAEFIKCTL_AWS_TIMEOUT): a number, decimals allowed, and a unit, `ms`, `s`, `m`, `h` or `d`; a plain
 * number is seconds (`500ms`, `2s`, `1.5m`, `1h`, `5`). Undefined when the text is none of these;
 * each caller says what range it accepts. (The configuration's ttl, `7d` or `2w`, is `addDuration`
 * in app/deploy/ecs/plan.ts.)
 */
export function durationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (match === null) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  return Number(match[1]) * unit[(match[2] ?? 's') as keyof typeof unit];
}

/** @deprecated The same grammar as {@link durationMs}, under its old name. */
export const shortDurationMs = durationMs;

export const MIN_TIMEOUT_MS = 1_000;
/** A day: longer than any deploy, and well inside what a timer can wait. */
export const MAX_TIMEOUT_MS = 86_400_000;

/**
 * `--timeout`: a duration between 1s and 24h, or a usage error (exit 2) naming the flag and the fix.
 * Commands check it before anything else, dry run or not.
 */
export function parseTimeout(text: string, flag = '--timeout'): number {
  const ms = durationMs(text) ?? Number.NaN;
  if (!Number.isFinite(ms) || ms < MIN_TIMEOUT_MS || ms > MAX_TIMEOUT_MS) {
    throw usageError(
      `${flag} ${JSON.stringify(text)} is not a duration between 1s and 24h.`,
      [`Pass one such as ${flag} 90s, ${flag} 10m or ${flag} 1h.`],
      'DURATION_INVALID',
    );
  }
  return Math.round(ms);
}
