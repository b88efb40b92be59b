/**
 * A mapping of plain data as YAML, exactly as the yaml package's `stringify(value, { lineWidth: 0 })`
 * writes it, for the shapes `config show` prints: mappings, lists of scalars, strings, integers and
 * booleans. It is not a YAML library: anything it can't write as yaml would (a string that needs
 * escapes or a block scalar, a float, a list of mappings, null) gives undefined, and the caller uses
 * yaml. Running yaml's stringifier on cold code was ~3.5 ms of `config show`'s ~52 (bench/RESULTS.md);
 * test/lib/config/simple-yaml.test.ts holds every answer to yaml's, on generated data too.
 */
export function simpleYaml(value: Record<string, unknown>): string | undefined {
  const lines: string[] = [];
  if (Object.keys(present(value)).length === 0) return '{}\n';
  return writeMap(value, '', lines) ? `${lines.join('\n')}\n` : undefined;
}

function present(map: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).filter(([, item]) => item !== undefined));
}

function writeMap(map: Record<string, unknown>, indent: string, lines: string[]): boolean {
  for (const [key, item] of Object.entries(present(map))) {
    const name = scalar(key);
    if (name === undefined) return false;
    if (Array.isArray(item)) {
      if (item.length === 0) {
        lines.push(`${indent}${name}: []`);
        continue;
      }
      lines.push(`${indent}${name}:`);
      for (const element of item) {
        const text = scalar(element);
        if (text === undefined) return false;
        lines.push(`${indent}  - ${text}`);
      }
    } else if (typeof item === 'object' && item !== null) {
      const inner = present(item as Record<string, unknown>);
      if (Object.keys(inner).length === 0) {
        lines.push(`${indent}${name}: {}`);
        continue;
      }
      lines.push(`${indent}${name}:`);
      if (!writeMap(inner, `${indent}  `, lines)) return false;
    } else {
      const text = scalar(item);
      if (text === undefined) return false;
      lines.push(`${indent}${name}: ${text}`);
    }
  }
  return true;
}

/** Plain words: nothing that YAML reads as syntax (numbers, true and null are kept out below). */
const PLAIN = /^[\w./$][\w./$@%+=~*{},[\]-]*(?:[: ][\w./$@%+=~*{},[\]-]+)*$/;
/** What YAML's core schema reads as something other than a string (yaml writes it quoted). */
const NOT_A_STRING = /^(?:true|True|TRUE|false|False|FALSE|null|Null|NULL)$/;
/** Printable ASCII with nothing to escape: yaml writes these in double quotes as they are. */
const QUOTABLE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
/** Strings that start with a YAML indicator: yaml quotes these when it can without escapes. */
const QUOTED_START = /^[{[*&!|>'%@`]/;

function scalar(value: unknown): string | undefined {
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  if (PLAIN.test(value) && !NOT_A_STRING.test(value) && !NUMBER.test(value)) return value;
  if (!QUOTABLE.test(value)) return undefined;
  if (value === '' || NOT_A_STRING.test(value) || NUMBER.test(value)) return `"${value}"`;
  if (QUOTED_START.test(value)) return `"${value}"`;
  return undefined;
}

/** Numbers in YAML 1.2's core schema (yaml writes strings that look like them in double quotes). */
const NUMBER =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
