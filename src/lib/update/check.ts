import { closeSync, openSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The "a newer traefikctl is out" notice, decided from a small cache so that no command ever waits
 * on the network: the registry is asked at most once a week, by a detached process
 * (src/hooks/update-check-refresh.ts), and the answer is read by the next run.
 *
 * Files in the CLI's cache directory (as @oclif/plugin-warn-if-update-available laid them out, so an
 * existing cache stays valid): `version` holds the registry's dist-tags (`{"latest": "1.2.3"}`) and
 * its mtime says when they were fetched; `last-warning`'s mtime says when the notice was last shown.
 * Kept free of imports beyond node:fs and node:path: the init hook runs on every command.
 */
export const CHECK_EVERY_MS = 7 * 24 * 60 * 60 * 1000;
export const WARN_EVERY_MS = 24 * 60 * 60 * 1000;
export const SKIP_ENV = 'TRAEFIKCTL_SKIP_NEW_VERSION_CHECK';

export interface UpdateCheckInput {
  version: string;
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  /** The notice is for a person: nothing happens when stderr is not a terminal or in CI. */
  stderrIsTty: boolean;
  now: number;
}

export interface UpdateCheckDecision {
  /** A newer version to tell the user about, when it is time to tell them. */
  notify?: string;
  /** Whether the cached dist-tags are missing or older than a week. */
  refresh: boolean;
}

export function decideUpdateCheck(input: UpdateCheckInput): UpdateCheckDecision {
  if (!applies(input)) return { refresh: false };
  const versionFile = join(input.cacheDir, 'version');
  const fetchedAt = mtime(versionFile);
  const refresh = fetchedAt === undefined || input.now - fetchedAt >= CHECK_EVERY_MS;
  const latest = fetchedAt === undefined ? undefined : readLatest(versionFile);
  if (latest === undefined || !isNewer(latest, input.version)) return { refresh };
  const warnedAt = mtime(join(input.cacheDir, 'last-warning'));
  if (warnedAt !== undefined && input.now - warnedAt < WARN_EVERY_MS) return { refresh };
  return { notify: latest, refresh };
}

function applies(input: UpdateCheckInput): boolean {
  const skip = (input.env[SKIP_ENV] ?? '').toLowerCase();
  if (skip === '1' || skip === 'true') return false;
  const ci = input.env.CI;
  if (ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false') return false;
  // A prerelease is somebody testing a build on purpose.
  return input.stderrIsTty && !input.version.includes('-');
}

/** `candidate` is a release (no prerelease part) above `current`, compared numerically. */
export function isNewer(candidate: string, current: string): boolean {
  const a = releaseParts(candidate);
  const b = releaseParts(current.split('-', 1)[0] ?? '');
  if (a === undefined || b === undefined) return false;
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return false;
}

function releaseParts(version: string): number[] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
  return match ? match.slice(1).map(Number) : undefined;
}

function readLatest(file: string): string | undefined {
  try {
    const tags: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const latest = (tags as { latest?: unknown } | null)?.latest;
    return typeof latest === 'string' ? latest : undefined;
  } catch {
    return undefined; // an unreadable cache is refreshed, never an error
  }
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Sets a file's mtime to `now`, creating it empty if needed. */
export function touch(file: string, now: number): void {
  const seconds = now / 1000;
  try {
    utimesSync(file, seconds, seconds);
  } catch {
    closeSync(openSync(file, 'a'));
    utimesSync(file, seconds, seconds);
  }
}
