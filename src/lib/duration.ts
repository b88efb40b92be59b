import { usageError } from './errors.js';

/**
 * Every duration traefikctl reads or writes: flags (`--timeout`, `--interval`, `--since`,
 * `--older-than`), environment variables (TRAEFIKCTL_AWS_TIMEOUT), the configuration (ttl, health
 * check interval and timeout) and the texts that show them.
 *
 * One grammar: a number, decimals allowed, and a unit: `ms`, `s`, `m`, `h`, `d` or `w`
 * (`500ms`, `2s`, `1.5m`, `1h`, `7d`, `2w`). Where a plain number is documented (`--timeout`,
 * `--interval`, the environment variables) it means seconds; elsewhere (`--since 2026` is not
 * "2026 seconds ago", a ttl of `7` is not a week) the unit is required.
 */

const GRAMMAR = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/;
const UNIT_MS = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;
type Unit = keyof typeof UNIT_MS;

interface ParsedDuration {
  ms: number;
  unit: Unit;
}

function parse(text: string, unitRequired: boolean): ParsedDuration | undefined {
  const match = GRAMMAR.exec(text.trim());
  if (match === null) return undefined;
  if (match[2] === undefined && unitRequired) return undefined;
  const unit = (match[2] ?? 's') as Unit;
  return { ms: Number(match[1]) * UNIT_MS[unit], unit };
}

/**
 * Milliseconds for a duration in the one grammar; a plain number is seconds unless `unitRequired`.
 * Undefined when the text is not a duration; each caller says what range it accepts.
 */
export function durationMs(text: string, options: { unitRequired?: boolean } = {}): number | undefined {
  return parse(text, options.unitRequired === true)?.ms;
}

/** Whether `text` is a duration as the configuration writes them (a unit is required). */
export function isConfigDuration(text: string): boolean {
  return parse(text, true) !== undefined;
}

/**
 * A configuration duration (`30s`, `2m`) in whole seconds from `min` to `max`, for settings that AWS or
 * Traefik take in seconds; undefined when it is not one.
 */
export function wholeSeconds(text: string, min: number, max: number): number | undefined {
  const ms = durationMs(text, { unitRequired: true });
  if (ms === undefined || ms % 1000 !== 0) return undefined;
  const seconds = ms / 1000;
  return seconds >= min && seconds <= max ? seconds : undefined;
}

/** The longest stop timeout of an app: Fargate's maximum for a container's `stopTimeout`. */
export const MAX_STOP_TIMEOUT_SECONDS = 120;

/** An app's `stopTimeout` in seconds, as ECS's container `stopTimeout` and `docker run --stop-timeout` take it. */
export function stopTimeoutSeconds(text: string): number | undefined {
  return wholeSeconds(text, 1, MAX_STOP_TIMEOUT_SECONDS);
}

/** The longest ECS refresh interval of Traefik a configuration may ask for. */
export const MAX_REFRESH_SECONDS = 300;

/** `traefik.refreshInterval` in seconds, as Traefik's `--providers.ecs.refreshSeconds` takes it. */
export function refreshSeconds(text: string): number | undefined {
  return wholeSeconds(text, 1, MAX_REFRESH_SECONDS);
}

/**
 * `now` plus a duration whose unit is required (`30s`, `12h`, `7d`, `2w`, `1.5h`): the ttl,
 * `--since`, `--older-than`. A usage error (exit 2) names `what` and the fix.
 */
export function addDuration(now: Date, duration: string, what = 'ttl'): Date {
  const ms = durationMs(duration, { unitRequired: true });
  if (ms === undefined) {
    throw usageError(
      `The ${what} ${JSON.stringify(duration)} is not a duration.`,
      ['Write it as a number and a unit: 30m, 12h, 7d or 2w.'],
      'DURATION_INVALID',
    );
  }
  return new Date(now.getTime() + ms);
}

/**
 * A configuration duration as Go's time.ParseDuration (Traefik) reads it: the same text, except that
 * Go has no days or weeks, which become hours (`1d` -> `24h`, `2w` -> `336h`).
 */
export function goDuration(text: string): string {
  const parsed = parse(text, true);
  if (parsed === undefined) throw new Error(`Not a duration: ${JSON.stringify(text)}`);
  return parsed.unit === 'd' || parsed.unit === 'w' ? `${parsed.ms / UNIT_MS.h}h` : text.trim();
}

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

export const MIN_INTERVAL_MS = 250;

/** `2s`, `500ms`, `1m`, or plain seconds (`5`): the `--interval` of a live view. At least 250 ms. */
export function parseInterval(text: string): number {
  const ms = durationMs(text) ?? Number.NaN;
  if (!Number.isFinite(ms) || ms < MIN_INTERVAL_MS) {
    throw usageError(
      `--interval ${JSON.stringify(text)} is not a refresh interval of at least 250ms.`,
      ['Pass a duration such as --interval 2s, --interval 500ms or --interval 1m.'],
      'INTERVAL_INVALID',
    );
  }
  return ms;
}

/**
 * A setting (a timeout, an interval, a retry delay) as a person would type it back, in the largest
 * unit that says it exactly enough: `300ms`, `1.5s`, `90s`, `10m`, `2h`. The text is a duration in
 * the grammar above, so a message's `--timeout 10m` can be pasted as it is.
 */
export function formatDuration(ms: number): string {
  if (ms < UNIT_MS.s) return `${Math.round(ms)}ms`;
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  return `${Number((ms / UNIT_MS.s).toFixed(1))}s`;
}

/** `850ms`, `1.2s`, `2m05s`: a measured time (a phase, a request) for timers. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
}

/** `45s`, `12m`, `3h`, `5d`: an age or a time left, in one short unit, for table cells. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}
