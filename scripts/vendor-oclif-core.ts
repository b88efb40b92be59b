// Bundles @oclif/core and its dependencies into one ES module, dist/vendor/oclif-core.js, which
// bin/run.js loads in place of the package (a resolve hook sends every `import '@oclif/core'`, ours
// and the oclif plugins', to it). Reading ~150 small CommonJS files was more than half of what
// `traefikctl --help` cost beyond Node's own start (bench/RESULTS.md); one file, compiled once into
// Node's compile cache, is the budget's difference. The bundle is of the exact installed version, so
// behaviour is oclif's own: the e2e tests (which spawn bin/run.js) run through it.
//
//   node scripts/vendor-oclif-core.ts   (part of `npm run build`)
import { createRequire } from 'node:module';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'vendor');
const outFile = join(outDir, 'oclif-core.js');
const require = createRequire(join(root, 'package.json'));
const corePackageFile = require.resolve('@oclif/core/package.json');
const coreVersion = (JSON.parse(await readFile(corePackageFile, 'utf8')) as { version: string }).version;

// An ES module can't re-export a CommonJS module's names with `export *` once it is bundled: the
// names are listed here from the module itself, so every export oclif has is there.
const names = Object.keys(require('@oclif/core') as object)
  .filter((name) => name !== 'default' && name !== '__esModule')
  .sort();
if (!names.includes('execute') || !names.includes('Command')) {
  throw new Error(`@oclif/core exports look wrong: ${names.join(', ')}`);
}

await mkdir(outDir, { recursive: true });
const entry = join(outDir, '.entry.mjs');
await writeFile(
  entry,
  `import core from '@oclif/core';\nexport const { ${names.join(', ')} } = core;\nexport default core;\n`,
);
try {
  await build({
    input: entry,
    platform: 'node',
    // Only for running TypeScript sources in development (bin/dev.js); never on a built CLI's path.
    external: ['typescript', 'ts-node', 'tsx', 'source-map-support'],
    logLevel: 'warn',
    resolve: { mainFields: ['main', 'module'] },
    plugins: [
      {
        // oclif reads its own version from `__dirname/../package.json`, which is not next to the bundle.
        name: 'oclif-core-version',
        transform(code, id) {
          if (!id.endsWith(join('@oclif', 'core', 'lib', 'cache.js'))) return null;
          const read =
            "JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(__dirname, '..', 'package.json'), 'utf8')).version";
          if (!code.includes(read))
            throw new Error('@oclif/core/lib/cache.js changed: update scripts/vendor-oclif-core.ts');
          return code.replace(read, JSON.stringify(coreVersion));
        },
      },
    ],
    output: { file: outFile, format: 'esm', minify: false, codeSplitting: false },
  });
} finally {
  await rm(entry, { force: true });
}
process.stdout.write(`vendored @oclif/core ${coreVersion} (${names.length} exports) -> ${outFile}\n`);
