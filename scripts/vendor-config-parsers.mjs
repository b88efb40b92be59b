// Bundles zod and yaml, which every command that reads the configuration loads, into one ES module
// each: dist/vendor/zod.js and dist/vendor/yaml.js. bin/run.js sends traefikctl's own imports of
// them there (not other packages' imports, which keep the versions they asked for). Loading ~200
// small files was about 80 ms of `traefikctl config show`'s 290 ms; one file each, compiled once
// into Node's compile cache, takes zod from about 77 to 46 ms and yaml from 30 to 16 ms
// (bench/RESULTS.md). The bundles are of the exact installed versions, unpatched.
//
//   node scripts/vendor-config-parsers.mjs   (part of `npm run build`, after vendor-oclif-core.mjs)
import { createRequire } from 'node:module';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'vendor');
const require = createRequire(join(root, 'package.json'));
const versionOf = async (name) =>
  JSON.parse(await readFile(require.resolve(`${name}/package.json`), 'utf8')).version;

/**
 * zod ships ES modules: re-exporting them keeps every name. yaml's Node build is CommonJS, whose
 * names an ES module can't re-export with `export *` once bundled: they are listed from the module.
 */
const yamlNames = Object.keys(require('yaml'))
  .filter((name) => name !== 'default' && name !== '__esModule')
  .sort();
for (const needed of ['parse', 'parseDocument', 'stringify']) {
  if (!yamlNames.includes(needed)) throw new Error(`yaml exports look wrong: ${yamlNames.join(', ')}`);
}
const ENTRIES = {
  zod: `export * from 'zod';\nexport { default } from 'zod';\n`,
  yaml: `import yaml from 'yaml';\nexport const { ${yamlNames.join(', ')} } = yaml;\nexport default yaml;\n`,
};

await mkdir(outDir, { recursive: true });
for (const [name, source] of Object.entries(ENTRIES)) {
  const entry = join(outDir, `.${name}-entry.mjs`);
  const outFile = join(outDir, `${name}.js`);
  await writeFile(entry, source);
  try {
    await build({
      input: entry,
      platform: 'node',
      logLevel: 'warn',
      output: { file: outFile, format: 'esm', minify: false, codeSplitting: false, charset: 'ascii' },
    });
  } finally {
    await rm(entry, { force: true });
  }
  process.stdout.write(`vendored ${name} ${await versionOf(name)} -> ${outFile}\n`);
}
