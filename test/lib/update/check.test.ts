import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  CHECK_EVERY_MS,
  decideUpdateCheck,
  isNewer,
  touch,
  WARN_EVERY_MS,
} from '../../../src/lib/update/check.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');
let cacheDir: string;

beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'traefikctl-update-'));
});
afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

function cache(latest: string, fetchedAgoMs: number): void {
  const file = join(cacheDir, 'version');
  writeFileSync(file, JSON.stringify({ latest }));
  utimesSync(file, (NOW - fetchedAgoMs) / 1000, (NOW - fetchedAgoMs) / 1000);
}

function warnedAgo(ms: number): void {
  touch(join(cacheDir, 'last-warning'), NOW - ms);
}

const atTerminal = (env: NodeJS.ProcessEnv = {}) => ({
  version: '0.1.0',
  cacheDir,
  env,
  stderrIsTty: true,
  now: NOW,
});

describe('decideUpdateCheck', () => {
  it('asks for a refresh and tells nothing on a machine that never checked', () => {
    expect(decideUpdateCheck(atTerminal())).toEqual({ refresh: true });
  });

  it('tells a person at a terminal about a newer cached release, without asking the registry again', () => {
    cache('0.2.0', 60_000);
    expect(decideUpdateCheck(atTerminal())).toEqual({ notify: '0.2.0', refresh: false });
  });

  it('tells at most once a day', () => {
    cache('0.2.0', 60_000);
    warnedAgo(WARN_EVERY_MS - 60_000);
    expect(decideUpdateCheck(atTerminal())).toEqual({ refresh: false });
    warnedAgo(WARN_EVERY_MS + 60_000);
    expect(decideUpdateCheck(atTerminal())).toEqual({ notify: '0.2.0', refresh: false });
  });

  it('asks the registry again once the cache is a week old, and still tells what it knows', () => {
    cache('0.2.0', CHECK_EVERY_MS + 1);
    expect(decideUpdateCheck(atTerminal())).toEqual({ notify: '0.2.0', refresh: true });
  });

  it('says nothing when the cached release is the same, older, or a prerelease', () => {
    for (const latest of ['0.1.0', '0.0.9', '0.2.0-beta.1']) {
      cache(latest, 60_000);
      expect(decideUpdateCheck(atTerminal())).toEqual({ refresh: false });
    }
  });

  it('treats an unreadable cache as one to refresh, never as an error', () => {
    writeFileSync(join(cacheDir, 'version'), '{not json');
    utimesSync(
      join(cacheDir, 'version'),
      (NOW - CHECK_EVERY_MS - 1) / 1000,
      (NOW - CHECK_EVERY_MS - 1) / 1000,
    );
    expect(decideUpdateCheck(atTerminal())).toEqual({ refresh: true });
  });

  it('does nothing at all in CI, in a pipe, with the skip variable, or on a prerelease build', () => {
    cache('0.2.0', CHECK_EVERY_MS + 1);
    expect(decideUpdateCheck(atTerminal({ CI: 'true' }))).toEqual({ refresh: false });
    expect(decideUpdateCheck({ ...atTerminal(), stderrIsTty: false })).toEqual({ refresh: false });
    expect(decideUpdateCheck(atTerminal({ TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: '1' }))).toEqual({
      refresh: false,
    });
    expect(decideUpdateCheck(atTerminal({ TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'TRUE' }))).toEqual({
      refresh: false,
    });
    expect(decideUpdateCheck({ ...atTerminal(), version: '0.1.0-rc.1' })).toEqual({ refresh: false });
    // CI=false and CI=0 are how people say "not CI".
    expect(decideUpdateCheck(atTerminal({ CI: 'false' }))).toEqual({ notify: '0.2.0', refresh: true });
  });
});

describe('isNewer', () => {
  it('compares versions numerically, not as text', () => {
    expect(isNewer('0.10.0', '0.9.9')).toBe(true);
    expect(isNewer('1.0.0', '0.99.99')).toBe(true);
    expect(isNewer('0.9.9', '0.10.0')).toBe(false);
    expect(isNewer('1.2.3', '1.2.3')).toBe(false);
    expect(isNewer('1.2.3', '1.2.3-rc.1')).toBe(false);
    expect(isNewer('1.2.4', '1.2.3-rc.1')).toBe(true);
  });

  it('never offers a prerelease or something that is not a version', () => {
    expect(isNewer('2.0.0-beta.1', '1.0.0')).toBe(false);
    expect(isNewer('latest', '1.0.0')).toBe(false);
    expect(isNewer('', '1.0.0')).toBe(false);
  });

  it('is a strict order: never both ways, never for equal versions', () => {
    const version = fc.tuple(fc.nat(50), fc.nat(50), fc.nat(50)).map((parts) => parts.join('.'));
    fc.assert(
      fc.property(version, version, (a, b) => {
        expect(isNewer(a, b) && isNewer(b, a)).toBe(false);
        if (a === b) expect(isNewer(a, b)).toBe(false);
        else expect(isNewer(a, b) || isNewer(b, a)).toBe(true);
      }),
    );
  });
});

describe('touch', () => {
  it('creates a missing file and moves an existing one to the given time', () => {
    const file = join(cacheDir, 'last-warning');
    touch(file, NOW - 5000);
    expect(statSync(file).mtimeMs).toBeCloseTo(NOW - 5000, -2);
    writeFileSync(file, 'kept');
    touch(file, NOW);
    expect(statSync(file).mtimeMs).toBeCloseTo(NOW, -2);
    expect(readFileSync(file, 'utf8')).toBe('kept');
  });
});
