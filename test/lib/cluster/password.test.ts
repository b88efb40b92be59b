/**
 * The Traefik API password and its hash as `cluster up` makes them: long and random, hashed with a
 * maintained bcrypt at the cost chosen from bench/bcrypt-cost.ts (bench/RESULTS.md). That the real
 * Traefik accepts the hash is test/integration/traefik/api-auth.test.ts.
 */
import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';

import { API_PASSWORD_COST, generatePassword, hashApiPassword } from '../../../src/lib/cluster/password.js';

describe('the Traefik API password', () => {
  it('is 32 random base64url characters (192 bits), never the same twice', () => {
    // when passwords are generated
    const passwords = Array.from({ length: 50 }, generatePassword);

    // then each is 32 characters of base64url, and all differ
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
  });

  it('is hashed at the chosen cost, 8, with a fresh salt each time', async () => {
    // given a password
    const password = generatePassword();

    // when it is hashed twice
    const [first, second] = await Promise.all([hashApiPassword(password), hashApiPassword(password)]);

    // then both are bcrypt hashes at cost 8 that verify it, with different salts, and refuse others
    expect(API_PASSWORD_COST).toBe(8);
    for (const hash of [first, second]) {
      expect(hash).toMatch(/^\$2b\$08\$[./A-Za-z0-9]{53}$/);
      expect(bcrypt.getRounds(hash)).toBe(API_PASSWORD_COST);
      expect(await bcrypt.compare(password, hash)).toBe(true);
      expect(await bcrypt.compare(`${password}x`, hash)).toBe(false);
    }
    expect(first).not.toBe(second);
  });
});
