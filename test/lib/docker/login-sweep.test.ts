/**
 * Which temporary Docker logins a run removes before it logs in: the ones a SIGKILLed run of this user
 * left behind (its process is gone) or whose ECR token has expired anyway, and nothing else.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  LOGIN_DIR_MAX_AGE_MS,
  LOGIN_DIR_PREFIX,
  loginDirPrefix,
  removeStaleLogins,
} from '../../../src/lib/docker/login.js';

/** The pid of a process that has exited: no run can be using it. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '0']);
  if (pid === undefined) throw new Error('could not start a process');
  return pid;
}

describe('removeStaleLogins', () => {
  let tmp: string;

  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'traefikctl-sweep-test-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  /** A login directory as withDockerLogin leaves it, with a token in its config.json. */
  async function loginDir(name: string, ageMs = 0): Promise<string> {
    const dir = join(tmp, name);
    await mkdir(dir, { mode: 0o700 });
    await writeFile(join(dir, 'config.json'), '{"auths":{"registry":{"auth":"QVdTOnRva2Vu"}}}\n');
    const at = new Date(Date.now() - ageMs);
    await utimes(dir, at, at);
    return dir;
  }

  it('removes the login of a run that is gone, and keeps a live run’s', async () => {
    // given the login of a run that was killed, and the login of this (live) process
    const killed = await loginDir(`${loginDirPrefix(deadPid())}abc123`);
    const live = await loginDir(`${loginDirPrefix(process.pid)}def456`);

    // when a new run sweeps
    const removed = await removeStaleLogins({ dir: tmp });

    // then only the killed run's login is gone
    expect(removed).toEqual([killed]);
    expect(existsSync(killed)).toBe(false);
    expect(existsSync(join(live, 'config.json'))).toBe(true);
  });

  it('removes any login of this user older than an ECR token lives, live or not', async () => {
    // given logins past the token lifetime: a live run's (a reused pid), and one of an older version
    const stuck = await loginDir(`${loginDirPrefix(process.pid)}abc123`, LOGIN_DIR_MAX_AGE_MS + 60_000);
    const unnamed = await loginDir(`${LOGIN_DIR_PREFIX}Xy12Zw`, LOGIN_DIR_MAX_AGE_MS + 60_000);
    // and a young one of an older version, which can't say whose run it is
    const young = await loginDir(`${LOGIN_DIR_PREFIX}Ab34Cd`, 60_000);

    // when a new run sweeps
    const removed = await removeStaleLogins({ dir: tmp });

    // then the expired ones are gone and the young one stays
    expect(removed.sort()).toEqual([stuck, unnamed].sort());
    expect(existsSync(young)).toBe(true);
  });

  it('keeps a login whose pid belongs to another pid namespace or host', async () => {
    // given a login named by a run in a container sharing /tmp: its pid means nothing here
    const elsewhere = await loginDir(`${LOGIN_DIR_PREFIX}${deadPid()}.0123456789ab-abc123`);

    // when a new run sweeps, then it stays
    expect(await removeStaleLogins({ dir: tmp })).toEqual([]);
    expect(existsSync(elsewhere)).toBe(true);
  });

  it('never follows a symlink, and leaves files alone', async () => {
    // given a symlink with a login's name to a directory of someone's, and a plain file with one
    const target = join(tmp, 'precious');
    await mkdir(target);
    await writeFile(join(target, 'keep'), 'x');
    await symlink(target, join(tmp, `${loginDirPrefix(deadPid())}abc123`));
    await writeFile(join(tmp, `${loginDirPrefix(deadPid())}def456`), 'x');

    // when a new run sweeps
    const removed = await removeStaleLogins({ dir: tmp, now: Date.now() + 2 * LOGIN_DIR_MAX_AGE_MS });

    // then nothing was touched
    expect(removed).toEqual([]);
    expect(existsSync(join(target, 'keep'))).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('never removes another user’s login, however old', async () => {
    // given (as root, who can make one) an old login of another user, whose run is gone
    const theirs = await loginDir(`${loginDirPrefix(deadPid())}abc123`, 2 * LOGIN_DIR_MAX_AGE_MS);
    await chown(theirs, 65534, 65534);
    await chown(join(theirs, 'config.json'), 65534, 65534);

    // when a run of this user sweeps, then it stays
    expect(await removeStaleLogins({ dir: tmp })).toEqual([]);
    expect(existsSync(join(theirs, 'config.json'))).toBe(true);
  });
});
