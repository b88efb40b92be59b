/**
 * Help text as oclif's formatters would render it, without ejs or oclif: shared by the help class
 * (./index.ts) and the root page's fast path (./root.ts).
 */
const KEEP_LINES = /^(\s|[-*•] |\d+[.)] |\$ )/;

export function reflow(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((block) => {
      const lines = block.split('\n');
      // A heading followed by indented lines, or a list: the line breaks carry meaning.
      if (
        lines.some((line, index) => index > 0 && KEEP_LINES.test(line)) ||
        KEEP_LINES.test(lines[0] ?? '')
      ) {
        return block;
      }
      return lines.map((line) => line.trim()).join(' ');
    })
    .join('\n\n');
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
 * `ejs.render(template, context)`, which oclif's help formatters call for every description, flag and
 * example (their `render`), without ejs in the common case: ejs compiles each string into a function,
 * while most hold no tag at all and the rest only `<%= config.bin %>`-style lookups. That was about a
 * tenth of `traefikctl --help` (bench/RESULTS.md). Anything else (other tags, names the context lacks,
 * a lookup through null) goes to `render`, oclif's own, so the output and the errors stay ejs's;
 * test/help.test.ts holds this to ejs for any template.
 */
export function renderTemplate(
  template: unknown,
  context: object,
  render: (template: string) => string,
): string {
  if (typeof template !== 'string') return render(template as string);
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
  if (unresolved || output.includes('<%') || output.includes('%>')) return render(template);
  return output;
}
