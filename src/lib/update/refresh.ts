import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RefreshOptions {
  cacheDir: string;
  /** The npm package name. */
  name: string;
  /** npm's registry URL (`npm_config_registry`), https://registry.npmjs.org/ by default. */
  registry?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Asks the registry for the package's dist-tags and writes them to `<cacheDir>/version`. Runs in a
 * detached process (src/hooks/update-check-refresh.ts): the command that started it never waits.
 * Returns the latest version, or undefined when the registry did not answer usefully (the cache is
 * then left alone and the hook asks again in a week, since it touched the file when it started us).
 */
export async function refreshVersionCache(options: RefreshOptions): Promise<string | undefined> {
  const registry = (options.registry ?? 'https://registry.npmjs.org/').replace(/\/*$/, '/');
  const url = `${registry}-/package/${options.name.replace('/', '%2f')}/dist-tags`;
  const response = await (options.fetch ?? fetch)(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  if (!response.ok) return undefined;
  const tags: unknown = await response.json();
  const latest = (tags as { latest?: unknown } | null)?.latest;
  if (typeof latest !== 'string') return undefined;
  await mkdir(options.cacheDir, { recursive: true });
  const file = join(options.cacheDir, 'version');
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(tags)}\n`);
  await rename(partial, file);
  return latest;
}
