/**
 * `node --import bench/support/record-imports.ts ...`: writes every module URL the process resolved
 * (ESM imports and CommonJS requires alike) to $BENCH_IMPORTS_OUT when it exits, so that
 * startup.sh can prove that `--help` never loads the AWS SDK, ink or execa.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.BENCH_IMPORTS_OUT;
const seen = new Set<string>();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
if (out !== undefined) process.on('exit', () => writeFileSync(out, `${[...seen].join('\n')}\n`));
