/**
 * `config show`'s own work with no CLI around it: the bundled module of src/lib/config/show.ts (found
 * through dist/bundle-modules.json), loaded with Node's compile cache as bin/run.js loads it, asked
 * for the configuration of the current directory and printed as YAML, exactly what the command's
 * run() does. bench/startup.sh times it beside `config show`: the floor that no start-up path of
 * that command can go under with this configuration code (zod, yaml).
 *   node bench/support/config-floor.mjs <CLI dir with dist/>
 */
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

nodeModule.enableCompileCache?.();
const dist = path.join(process.argv[2] ?? '.', 'dist');
const bundle = JSON.parse(readFileSync(path.join(dist, 'bundle-modules.json'), 'utf8'));
const file = Object.keys(bundle).find((name) => bundle[name].sources.includes('src/lib/config/show.ts'));
if (file === undefined) throw new Error(`no bundle file holds src/lib/config/show.ts in ${dist}`);
const show = await import(pathToFileURL(path.join(dist, file)).href);
const functions = Object.values(show).filter((value) => typeof value === 'function');
const showConfig = functions.find((fn) => fn.name === 'showConfig');
const toYaml = functions.find((fn) => fn.name === 'configViewToYaml');
if (showConfig === undefined || toYaml === undefined)
  throw new Error(`${file} lacks showConfig or configViewToYaml`);
process.stdout.write(toYaml(await showConfig({ cwd: process.cwd() })));
