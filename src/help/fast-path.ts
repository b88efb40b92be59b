import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

import { updateNotice } from '../ui/update-notice.js';
import {
  helpWidth,
  renderRootHelp,
  rootHelpFromManifest,
  RootHelpTemplateError,
  type PackageJson,
} from './root.js';
import { helpStylist } from './style.js';

/**
 * Prints the root help page from package.json and oclif.manifest.json, without loading oclif
 * (./root.ts says why), after the update notice that oclif's init hook would have shown. Returns
 * false, having printed nothing, where only oclif can show the page: no manifest (a development
 * build, bin/dev.js), a description that needs ejs, or a theme (the user's theme.json colours it).
 *
 * @param packageRoot the package's directory, as a file URL ending in `/`
 * @param userAgent `traefikctl/0.1.0 linux-x64 node-v24.11.0`, as oclif builds it
 */
export async function printRootHelp(packageRoot: URL, userAgent: string): Promise<boolean> {
  let pjson: PackageJson;
  let manifest: Parameters<typeof rootHelpFromManifest>[1];
  try {
    pjson = JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as PackageJson;
    manifest = JSON.parse(
      readFileSync(new URL('oclif.manifest.json', packageRoot), 'utf8'),
    ) as typeof manifest;
  } catch {
    return false;
  }
  if (themed(pjson, pjson.oclif?.bin ?? pjson.name, pjson.oclif?.dirname ?? pjson.name)) return false;
  let page: string;
  try {
    page = renderRootHelp(rootHelpFromManifest(pjson, manifest, userAgent), {
      width: helpWidth(process.stdout, process.env),
      bold: helpStylist().bold,
    });
  } catch (error) {
    if (error instanceof RootHelpTemplateError) return false;
    throw error;
  }
  await initHookNotice(pjson, packageRoot);
  process.stdout.write(`${page}\n`);
  return true;
}

/**
 * The update notice that oclif's init hook (src/hooks/update-check.ts) shows before every command,
 * for the paths that print without oclif: the same notice, from the same cache.
 */
export function initHookNotice(
  pjson: Pick<PackageJson, 'name' | 'version' | 'oclif'>,
  packageRoot: URL,
): Promise<void> {
  const bin = pjson.oclif?.bin ?? pjson.name;
  return updateNotice({
    name: pjson.name,
    version: pjson.version,
    bin,
    cacheDir: cacheDir(bin, pjson.oclif?.dirname ?? pjson.name),
    refreshScript: new URL('dist/hooks/update-check-refresh.js', packageRoot),
  });
}

/** Whether oclif would style help with a theme (the package's, or the user's theme.json): then only it can print the page. */
export function themed(pjson: { oclif?: { theme?: unknown } }, bin: string, dirname: string): boolean {
  if (['true', '1'].includes(scopedVariable(bin, 'DISABLE_THEME') ?? '')) return false;
  if (pjson.oclif?.theme !== undefined) return true;
  return existsSync(join(oclifDir('config', bin, dirname), 'theme.json'));
}

/** One of oclif's variables scoped to this CLI: `TRAEFIKCTL_<NAME>` (oclif's `scopedEnvVar`). */
export function scopedVariable(
  bin: string,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return env[`${bin.replaceAll('@', '').replaceAll(/[/-]/g, '_').toUpperCase()}_${name}`];
}

/**
 * oclif's `config.cacheDir` or `config.configDir` for this CLI on Linux and macOS (bin/run.js takes
 * the fast paths on neither Windows nor WSL): `<BIN>_CACHE_DIR` / `<BIN>_CONFIG_DIR`, else (cache on
 * macOS) ~/Library/Caches/<dirname>, else `$XDG_<CATEGORY>_HOME/<dirname>` or ~/.<category>/<dirname>.
 * test/help-root.test.ts compares the cache directory with oclif's.
 */
export function oclifDir(
  category: 'cache' | 'config',
  bin: string,
  dirname: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const scoped = scopedVariable(bin, `${category.toUpperCase()}_DIR`, env);
  if (scoped) return scoped;
  const home = env.HOME || homedir() || tmpdir();
  if (category === 'cache' && platform === 'darwin') return join(home, 'Library', 'Caches', dirname);
  return join(env[`XDG_${category.toUpperCase()}_HOME`] || join(home, `.${category}`), dirname);
}

/** oclif's `config.cacheDir` for this CLI (see {@link oclifDir}). */
export function cacheDir(
  bin: string,
  dirname: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  return oclifDir('cache', bin, dirname, env, platform);
}
