import { readFileSync } from 'node:fs';
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
 * build, bin/dev.js) or a description that needs ejs.
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
  const bin = pjson.oclif?.bin ?? pjson.name;
  await updateNotice({
    name: pjson.name,
    version: pjson.version,
    bin,
    cacheDir: cacheDir(bin, pjson.oclif?.dirname ?? pjson.name),
    refreshScript: new URL('dist/hooks/update-check-refresh.js', packageRoot),
  });
  process.stdout.write(`${page}\n`);
  return true;
}

/**
 * oclif's `config.cacheDir` for this CLI on Linux and macOS (bin/run.js takes this path on neither
 * Windows nor WSL): `<BIN>_CACHE_DIR`, else ~/Library/Caches/<dirname> on macOS, else
 * `$XDG_CACHE_HOME/<dirname>` or ~/.cache/<dirname>. test/help-root.test.ts compares it with oclif's.
 */
export function cacheDir(
  bin: string,
  dirname: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const scoped = env[`${bin.replaceAll('@', '').replaceAll(/[/-]/g, '_').toUpperCase()}_CACHE_DIR`];
  if (scoped) return scoped;
  const home = env.HOME || homedir() || tmpdir();
  if (platform === 'darwin') return join(home, 'Library', 'Caches', dirname);
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), dirname);
}
