/**
 * Lets the bench scripts run from source on Node 24 (which strips TypeScript types natively) while
 * importing each other with the `.js` specifiers that TypeScript's NodeNext resolution wants:
 * `./support/stats.js` loads `./support/stats.ts` when no `.js` file exists. Only bench/ is mapped.
 *   node --import ./bench/support/register.ts bench/routes-scale.ts
 */
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const BENCH = new URL('../', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (relative && specifier.endsWith('.js') && context.parentURL?.startsWith(BENCH)) {
      const asJs = new URL(specifier, context.parentURL);
      const asTs = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
      if (!existsSync(fileURLToPath(asJs)) && existsSync(fileURLToPath(asTs))) {
        return nextResolve(asTs.href, context);
      }
    }
    return nextResolve(specifier, context);
  },
});
