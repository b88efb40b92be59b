// The library modules the bench scripts import (seeding moto, the routes pipeline without the CLI
// around it), compiled from src/ by the same bundler as the CLI, one output file per source module
// under <out>/lib and <out>/ui: the code the CLI bundle runs, at paths the bench can import.
//   node bench/support/build-lib.mjs <out-dir>
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'rolldown';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = process.argv[2];
if (!out) throw new Error('usage: build-lib.mjs <out-dir>');
const entries = [
  'lib/cluster/outputs.ts',
  'lib/ecs/tag-codec.ts',
  'lib/naming.ts',
  'lib/routes/filter.ts',
  'lib/routes/source.ts',
  'lib/routes/watch.ts',
  'lib/traefik/client.ts',
  'ui/json-output.ts',
  'ui/routes/watch-lines.ts',
].map((entry) => path.join(root, 'src', entry));

// As in the CLI's bundle: the runtime dependencies load from node_modules (found through the bench's
// own imports of them); everything else (zod, yaml, ...) is compiled in.
const { dependencies } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const runtime = Object.keys(dependencies);
const isRuntime = (id) =>
  id.startsWith('node:') || runtime.some((name) => id === name || id.startsWith(`${name}/`));

await build({
  input: entries,
  platform: 'node',
  external: isRuntime,
  output: {
    dir: out,
    format: 'esm',
    preserveModules: true,
    preserveModulesRoot: path.join(root, 'src'),
  },
  logLevel: 'warn',
});
