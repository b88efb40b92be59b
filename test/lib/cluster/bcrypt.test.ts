import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

import { bcryptHash, bcryptVerify, DEFAULT_COST } from '../../../src/lib/cluster/bcrypt.js';

const run = promisify(execFile);

/**
 * Published vectors (jBCrypt / OpenBSD regression tests), plus ones produced by glibc's crypt(3)
 * (`python3 -c "import crypt; print(crypt.crypt(password, salt))"`) for what those lack: UTF-8
 * passwords and the 72-byte limit.
 */
const VECTORS: readonly [password: string, hash: string][] = [
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['a', '$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe'],
  ['abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
  ['abcdefghijklmnopqrstuvwxyz', '$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC'],
  ['~!@#$%^&*()      ~!@#$%^&*()PNBFRD', '$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO'],
  ['U*U', '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
  ['päss wörd €', '$2b$04$abcdefghijklmnopqrstuulkAV/SrhotMG8igElhrKJWpY/fppBWe'],
  ['a'.repeat(71), '$2b$04$0123456789abcdefghijkeiSUXrSomv3wJoF4RNPv6MGUtcbX44IW'],
  ['a'.repeat(72), '$2b$04$0123456789abcdefghijkeLttf6HPvpDBDwoSj1F7RVQxUmVb.azu'],
];

describe('bcrypt', () => {
  it.each(VECTORS)('matches the published hash of %j and rejects any other password', (password, hash) => {
    expect(bcryptVerify(password, hash)).toBe(true);
    // a password one character longer differs, unless bcrypt's 72-byte limit cuts the difference off
    expect(bcryptVerify(`${password}x`, hash)).toBe(Buffer.byteLength(password) >= 72);
  });

  it('ignores what follows the 72nd byte, as every bcrypt does', () => {
    expect(bcryptVerify('a'.repeat(80), '$2b$04$0123456789abcdefghijkeLttf6HPvpDBDwoSj1F7RVQxUmVb.azu')).toBe(
      true,
    );
  });

  it('writes $2y$ hashes with the default cost and a fresh salt each time', () => {
    // when the same password is hashed twice
    const first = bcryptHash('correct horse');
    const second = bcryptHash('correct horse');

    // then both verify, in the htpasswd format, and differ by their salt
    expect(first).toMatch(/^\$2y\$05\$[./A-Za-z0-9]{53}$/);
    expect(DEFAULT_COST).toBe(5);
    expect(first).not.toBe(second);
    expect(bcryptVerify('correct horse', first)).toBe(true);
    expect(bcryptVerify('correct horse', second)).toBe(true);
    expect(bcryptVerify('correct horsf', first)).toBe(false);
  });

  it('reproduces a known hash from its salt', () => {
    // given the salt of the OpenBSD vector ("CCC...C." decodes to these 16 bytes)
    const salt = Buffer.from(`${'104104'.repeat(5)}10`, 'hex');
    const hash = bcryptHash('U*U', 5, salt);
    expect(hash.slice(7)).toBe('CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW');
  });

  it('rejects malformed hashes and out-of-range costs instead of throwing', () => {
    expect(bcryptVerify('x', '{SHA}abc')).toBe(false);
    expect(bcryptVerify('x', '$2y$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW')).toBe(false);
    expect(() => bcryptHash('x', 3)).toThrow(/cost/);
  });

  // Apache's htpasswd is in the test stack (it writes the registry's password file); its
  // verification is an implementation independent of ours.
  const htpasswd = run('htpasswd', ['-h']).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  it('writes hashes that Apache htpasswd accepts', async (context) => {
    if (!(await htpasswd)) context.skip('htpasswd (apache2-utils) is not installed');
    const dir = await mkdtemp(join(tmpdir(), 'bcrypt-'));
    try {
      const file = join(dir, 'users');
      await writeFile(file, `admin:${bcryptHash('s3cret-Pässword')}\n`);
      const ok = await run('htpasswd', ['-vb', file, 'admin', 's3cret-Pässword']);
      expect(ok.stderr).toContain('correct');
      await expect(run('htpasswd', ['-vb', file, 'admin', 'wrong'])).rejects.toThrow(/verification failed/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
