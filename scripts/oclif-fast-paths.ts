/**
 * Shortcuts that scripts/vendor-oclif-core.mjs writes into the bundled @oclif/core, each for the
 * common case of one function on the start-up path and each falling back to oclif's own code for
 * everything else. Every one returns exactly what the code it stands in for returns:
 * test/scripts/oclif-fast-paths.test.ts holds them to ejs, minimatch and localeCompare themselves.
 * Together they take about a tenth off `traefikctl --help` (bench/RESULTS.md).
 */

const SIMPLE_ID = /^[a-z0-9:-]*$/;

/** Weight of a character of SIMPLE_ID in the root collation order: `-` < `:` < digits < letters. */
function weight(code: number): number {
  if (code === 0x2d) return 0; // -
  if (code === 0x3a) return 1; // :
  return code; // digits (0x30-0x39) sort before letters (0x61-0x7a), as in code units
}

/**
 * `a.localeCompare(b)` for command ids (oclif sorts every plugin's commands with it). The first
 * localeCompare of a process loads ICU's collation data, about 10 ms; ids made of lowercase letters,
 * digits, `-` and `:` compare the same way without it.
 */
export function compareCommandIds(a: string, b: string): number {
  if (!SIMPLE_ID.test(a) || !SIMPLE_ID.test(b)) return a.localeCompare(b);
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = weight(a.charCodeAt(i)) - weight(b.charCodeAt(i));
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

const PACKAGE_NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i;

/**
 * `minimatch(name, pattern)` for oclif's `plugins` patterns, which are nearly always plain package
 * names: a pattern with no glob syntax matches only itself. (oclif matches every dependency against
 * every pattern, compiling a Minimatch each time: about 8 ms per command.)
 */
export function matchesPluginPattern(
  name: string,
  pattern: string,
  minimatch: (name: string, pattern: string) => boolean,
): boolean {
  return PACKAGE_NAME.test(pattern) ? name === pattern : minimatch(name, pattern);
}

const OUTPUT_TAG = /<%=\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*%>/g;
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

/**
 * `ejs.render(template, context)` for help text. oclif renders every description, flag and example
 * through ejs, which compiles each string into a function: most hold no tag at all, and the rest only
 * `<%= config.bin %>`-style lookups. Anything else (other tags, names the context lacks, a lookup
 * through null) goes to ejs, so its output and its errors stay ejs's.
 */
export function renderTemplate(
  template: unknown,
  context: object,
  render: (template: unknown, context: object) => string,
): string {
  if (typeof template !== 'string') return render(template, context);
  if (!template.includes('<%') && !template.includes('%>')) return template;
  let unresolved = false;
  const output = template.replace(OUTPUT_TAG, (tag: string, path: string) => {
    const [head = '', ...rest] = path.split('.');
    // ejs (6) sees only the context's own enumerable properties, copied to a null-prototype object.
    if (
      head === 'constructor' ||
      head === '__proto__' ||
      !Object.prototype.propertyIsEnumerable.call(context, head)
    ) {
      unresolved = true;
      return tag;
    }
    let value: unknown = (context as Record<string, unknown>)[head];
    for (const key of rest) {
      if (value === null || value === undefined) {
        unresolved = true;
        return tag;
      }
      value = (value as Record<string, unknown>)[key];
    }
    return value === null || value === undefined
      ? ''
      : // eslint-disable-next-line @typescript-eslint/no-base-to-string -- ejs's escapeXML is String(value), objects included
        String(value).replace(/[&<>'"]/g, (c) => ESCAPES[c] ?? c);
  });
  // Substituted values are escaped, so a `<%` or `%>` left over is a tag this doesn't know.
  if (unresolved || output.includes('<%') || output.includes('%>')) return render(template, context);
  return output;
}
