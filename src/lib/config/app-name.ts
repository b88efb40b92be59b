import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** App names as the config schema accepts them: `[a-z][a-z0-9-]{0,39}`. */
export const APP_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * The app name a directory suggests: its package.json `name` (scope dropped) or else the
 * directory's own name, slugged to an app name. Undefined when neither gives a valid one.
 */
export async function detectAppName(dir: string): Promise<string | undefined> {
  const fromPackage = toAppName(await packageName(dir));
  if (fromPackage !== undefined) return fromPackage;
  return toAppName(path.basename(path.resolve(dir)));
}

export function toAppName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const slug = raw
    .replace(/^@[^/]*\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return APP_NAME.test(slug) ? slug : undefined;
}

async function packageName(dir: string): Promise<string | undefined> {
  try {
    const data = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as unknown;
    const name = (data as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    // No package.json, or one we cannot read: the directory name is the fallback.
    return undefined;
  }
}
