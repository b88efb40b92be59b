/**
 * The detached process that src/hooks/update-check.ts starts when the cached dist-tags are a week old:
 * `node update-check-refresh.js <cacheDir> <package name>`. It has no terminal and nobody waits for
 * it; any failure just leaves the cache as it was.
 */
import { refreshVersionCache } from '../lib/update/refresh.js';

const [cacheDir, name] = process.argv.slice(2);
if (cacheDir && name) {
  const registry = process.env.npm_config_registry ?? process.env.NPM_CONFIG_REGISTRY;
  await refreshVersionCache({ cacheDir, name, ...(registry ? { registry } : {}) }).catch(() => undefined);
}
