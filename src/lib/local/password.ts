import { mkdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { generatePassword } from '../cluster/password.js';
import { readLocalPassword } from '../traefik/access.js';

export { readLocalPassword };

/**
 * The local Traefik API's password, kept in a file only the user can read (0600, in a 0700
 * directory): the local counterpart of the SSM SecureString. Traefik only ever gets its bcrypt hash.
 */

export interface LocalPassword {
  value: string;
  created: boolean;
}

/** The existing password, or a new one written with mode 0600. */
export async function ensureLocalPassword(file: string): Promise<LocalPassword> {
  const existing = await readLocalPassword(file);
  if (existing !== undefined) return { value: existing, created: false };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = generatePassword();
  try {
    await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another `cluster up` wrote one a moment ago: use that one.
    if ((error as { code?: string }).code === 'EEXIST') {
      const raced = await readLocalPassword(file);
      if (raced !== undefined) return { value: raced, created: false };
    }
    throw error;
  }
  return { value, created: true };
}

export async function removeLocalPassword(file: string): Promise<boolean> {
  const existed = (await stat(file).catch(() => undefined)) !== undefined;
  await rm(file, { force: true });
  // The directory goes too when nothing else is in it.
  await rmdir(path.dirname(file)).catch(() => undefined);
  return existed;
}
