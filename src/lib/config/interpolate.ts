/**
 * `${VAR}` interpolation over every string value of a loaded configuration, before validation.
 *
 * - `${VAR}` is the value of VAR (empty when VAR is set to the empty string); unset is an error.
 * - `${VAR:-default}` is VAR when it is set and not empty, else `default` (shell semantics).
 * - `$${` is a literal `${`.
 * Keys are never interpolated: they name things (apps, environments) and must stay greppable.
 */

export type KeyPath = readonly (string | number)[];

export type InterpolationProblem =
  { kind: 'missing'; path: KeyPath; variable: string } | { kind: 'syntax'; path: KeyPath; reference: string };

export interface InterpolatedValue {
  path: KeyPath;
  /** The string as written in the file, before interpolation. */
  template: string;
  variables: readonly string[];
}

export interface InterpolationResult {
  value: unknown;
  /** Every string that contained at least one reference. */
  interpolated: InterpolatedValue[];
  problems: InterpolationProblem[];
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^]*))?$/;

interface StringResult {
  value: string;
  variables: string[];
  missing: string[];
  /** References that are not `${NAME}` or `${NAME:-default}`, as written. */
  malformed: string[];
}

export function interpolateString(text: string, env: NodeJS.ProcessEnv): StringResult {
  const result: StringResult = { value: '', variables: [], missing: [], malformed: [] };
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    if (close === -1) {
      result.malformed.push(text.slice(i));
      out += text.slice(i);
      break;
    }
    const reference = text.slice(i, close + 1);
    const match = REFERENCE.exec(text.slice(i + 2, close));
    const name = match?.[1];
    const fallback = match?.[2];
    if (name === undefined || fallback?.includes('${')) {
      result.malformed.push(reference);
      out += reference;
    } else {
      result.variables.push(name);
      const current = env[name];
      if (fallback !== undefined) out += current === undefined || current === '' ? fallback : current;
      else if (current !== undefined) out += current;
      else result.missing.push(name);
    }
    i = close + 1;
  }
  result.value = out;
  return result;
}

export function interpolate(value: unknown, env: NodeJS.ProcessEnv): InterpolationResult {
  const result: InterpolationResult = { value: undefined, interpolated: [], problems: [] };
  result.value = walk(value, [], env, result);
  return result;
}

function walk(value: unknown, path: KeyPath, env: NodeJS.ProcessEnv, result: InterpolationResult): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    const done = interpolateString(value, env);
    for (const variable of done.missing) result.problems.push({ kind: 'missing', path, variable });
    for (const reference of done.malformed) result.problems.push({ kind: 'syntax', path, reference });
    if (done.variables.length > 0)
      result.interpolated.push({ path, template: value, variables: done.variables });
    return done.value;
  }
  if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index], env, result));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...path, key], env, result);
    return out;
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
