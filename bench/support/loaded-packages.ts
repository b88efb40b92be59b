/**
 * The npm packages a traefikctl process loaded, one a line: those it read from node_modules and those
 * inside the bundle files it read (dist/bundle-modules.json, written by the build, says which
 * packages went into which file). Then a line `bundle files: N` and one `node_modules files: N`.
 *   node bench/support/loaded-packages.ts <file of module URLs (record-imports.ts)> <dist dir>
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [urlsFile = '', distDir = ''] = process.argv.slice(2);
const bundle = JSON.parse(readFileSync(path.join(distDir, 'bundle-modules.json'), 'utf8')) as Record<
  string,
  { packages: string[] }
>;
const distReal = path.resolve(distDir);
const packages = new Set<string>();
let bundleFiles = 0;
let packageFiles = 0;
for (const url of readFileSync(urlsFile, 'utf8').split('\n')) {
  if (!url.startsWith('file:')) continue;
  const file = fileURLToPath(url);
  const inPackage = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
  if (inPackage?.[1]) {
    packages.add(inPackage[1].replace('\\', '/'));
    packageFiles++;
    continue;
  }
  const relative = path.relative(distReal, file).split(path.sep).join('/');
  const entry = bundle[relative];
  if (entry === undefined) continue;
  bundleFiles++;
  for (const name of entry.packages) packages.add(name);
}
for (const name of [...packages].sort()) console.log(name);
console.log(`bundle files: ${bundleFiles}`);
console.log(`node_modules files: ${packageFiles}`);
