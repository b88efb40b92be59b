// Bundles @oclif/core and its dependencies into one ES module, dist/vendor/oclif-core.js, which
// bin/run.js loads in place of the package (a resolve hook sends every `import '@oclif/core'`, ours
// and the oclif plugins', to it). Reading ~150 small CommonJS files was more than half of what
// `traefikctl --help` cost beyond Node's own start (bench/RESULTS.md); one file, compiled once into
// Node's compile cache, is the budget's difference. The bundle is of the exact installed version, so
// behaviour is oclif's own: the e2e tests (which spawn bin/run.js) run through it.
//
//   node scripts/vendor-oclif-core.mjs   (part of `npm run build`; plain JavaScript so that it runs on
//   every Node 22, which strips TypeScript types only from 22.18)
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
const coreVersion = JSON.parse(await readFile(corePackageFile, 'utf8')).version;

// An ES module can't re-export a CommonJS module's names with `export *` once it is bundled: the
// names are listed here from the module itself, so every export oclif has is there.
const names = Object.keys(require('@oclif/core'))
  .filter((name) => name !== 'default' && name !== '__esModule')
  .sort();
if (!names.includes('execute') || !names.includes('Command')) {
  throw new Error(`@oclif/core exports look wrong: ${names.join(', ')}`);
}

// Exact edits of oclif's compiled code, each checked to apply. The fast paths return exactly what the
// code they replace returns (scripts/oclif-fast-paths.ts, held to it by its tests).
const fastPaths = JSON.stringify(join(root, 'scripts', 'oclif-fast-paths.ts'));
const PATCHES = [
  {
    // oclif reads its own version from `__dirname/../package.json`, which is not next to the bundle.
    file: 'cache.js',
    find: "JSON.parse((0, node_fs_1.readFileSync)((0, node_path_1.join)(__dirname, '..', 'package.json'), 'utf8')).version",
    replace: JSON.stringify(coreVersion),
  },
  {
    file: 'config/plugin.js',
    find: '.sort((a, b) => a.id.localeCompare(b.id));',
    replace: `.sort((a, b) => __oclifFastPaths.compareCommandIds(a.id, b.id));`,
  },
  {
    file: 'config/plugin-loader.js',
    find: 'patterns.some((w) => (0, minimatch_1.minimatch)(p, w))',
    replace: `patterns.some((w) => __oclifFastPaths.matchesPluginPattern(p, w, minimatch_1.minimatch))`,
  },
  {
    file: 'help/util.js',
    find: 'return ejs_1.default.render(t, context);',
    replace: `return __oclifFastPaths.renderTemplate(t, context, (t, c) => ejs_1.default.render(t, c));`,
  },
];
const applied = new Set();

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
        name: 'oclif-core-patches',
        transform(code, id) {
          const patches = PATCHES.filter((patch) =>
            id.endsWith(join('@oclif', 'core', 'lib', ...patch.file.split('/'))),
          );
          for (const patch of patches) {
            if (!code.includes(patch.find)) {
              throw new Error(`@oclif/core/lib/${patch.file} changed: update scripts/vendor-oclif-core.mjs`);
            }
            code = code.replace(patch.find, patch.replace);
            if (patch.replace.includes('__oclifFastPaths') && !code.includes('const __oclifFastPaths')) {
              if (!code.startsWith('"use strict";\n'))
                throw new Error(`${id} no longer starts with "use strict"`);
              code = code.replace(
                '"use strict";\n',
                `"use strict";\nconst __oclifFastPaths = require(${fastPaths});\n`,
              );
            }
            applied.add(patch);
          }
          return patches.length > 0 ? code : null;
        },
      },
    ],
    output: { file: outFile, format: 'esm', minify: false, codeSplitting: false, charset: 'ascii' },
  });
} finally {
  await rm(entry, { force: true });
}
const missed = PATCHES.filter((patch) => !applied.has(patch));
if (missed.length > 0) {
  throw new Error(`not applied to @oclif/core: ${missed.map((patch) => patch.file).join(', ')}`);
}
process.stdout.write(`vendored @oclif/core ${coreVersion} (${names.length} exports) -> ${outFile}\n`);
