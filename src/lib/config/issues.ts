import type { z } from 'zod/mini';

import type { KeyPath } from './interpolate.js';

/**
 * Turns zod issues into sentences a user can act on: the key path, what was expected and what
 * was found (`apps.whoami.port must be a number between 1 and 65535, found "eighty".`).
 *
 * The schema's own messages are written as expectations ("an AWS region such as eu-west-1"); for
 * the others the expectation is derived from the schema at the issue's path. Parse with
 * `VALIDATION_PARAMS` so that zod marks its generic messages and reports the input. Schemas are read
 * through zod's core definitions (`_zod.def`), which zod's chained API and zod/mini share.
 */

const GENERIC = '\u0000generic';

/**
 * `jitless`: a configuration is validated once per run, and zod's compiled fast path for objects
 * (built with `new Function` on an object schema's first parse) costs more to build than that one
 * parse saves: about 2 ms of `config show` (bench/RESULTS.md).
 */
export const VALIDATION_PARAMS = { reportInput: true, jitless: true, error: () => GENERIC } as const;

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

export interface IssueContext {
  root: Schema;
  /** Where the validated value sits in its file (`traefikctl` inside package.json). */
  prefix?: KeyPath;
  /** Describes the value found at a path when it must not be shown as is (interpolated values). */
  foundAt?: (path: KeyPath) => string | undefined;
}

/** One problem: its sentence (without the file name) and where in the file it is. */
export interface IssueLine {
  text: string;
  /** The key path in the file, `prefix` included. */
  keys: KeyPath;
  /** The problem is the key itself (unknown, badly named, or missing under it), not its value. */
  onKey: boolean;
}

/** One line per problem, without the file name (the caller prefixes it, and its position). */
export function issueLines(issues: readonly Issue[], context: IssueContext): IssueLine[] {
  return issues.flatMap((issue) => linesFor(issue, context));
}

function linesFor(issue: Issue, context: IssueContext): IssueLine[] {
  const path = issue.path as KeyPath;
  const prefix = context.prefix ?? [];
  const keyPath = (keys: KeyPath): string => formatKeyPath([...prefix, ...keys]);
  const line = (text: string, keys: KeyPath, onKey: boolean): IssueLine => ({
    text,
    keys: [...prefix, ...keys],
    onKey,
  });
  if (issue.code === 'unrecognized_keys') {
    const known = objectKeys(schemaAt(context.root, path));
    return issue.keys.map((key) => {
      const suggestion = suggestKey(key, known);
      const hint =
        suggestion !== undefined
          ? ` (did you mean ${suggestion}?)`
          : known.length > 0
            ? ` (known keys: ${known.join(', ')})`
            : '';
      return line(`unknown key ${keyPath([...path, key])}${hint}`, [...path, key], true);
    });
  }
  const expected = expectedOf(issue, context.root);
  if (issue.code === 'invalid_key') {
    return [
      line(
        `the name ${String(path.at(-1))} in ${keyPath(path.slice(0, -1))} must be ${expected}.`,
        path,
        true,
      ),
    ];
  }
  if (issue.input === undefined)
    return [line(`${keyPath(path)} is missing: it must be ${expected}.`, path, true)];
  const found = context.foundAt?.(path) ?? describeFound(issue.input);
  return [line(`${keyPath(path)} must be ${expected}, found ${found}.`, path, false)];
}

/** What the value (or, for a bad mapping key, the key) must be: `a number between 1 and 65535`. */
export function expectedOf(issue: Issue, root: Schema): string {
  if (issue.code === 'invalid_key')
    return issue.issues.map((inner) => expectation(inner, undefined)).join(' and ');
  return expectation(issue, schemaAt(root, issue.path as KeyPath));
}

function expectation(issue: Issue, schema: Schema | undefined): string {
  if (issue.message !== GENERIC) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return describeSchema(schema) ?? article(issue.expected);
    case 'too_small':
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'bigint' || issue.origin === 'int') {
        return (
          describeSchema(schema) ??
          `a number ${issue.code === 'too_small' ? 'of at least' : 'of at most'} ${String(issue.code === 'too_small' ? issue.minimum : issue.maximum)}`
        );
      }
      return sizeExpectation(issue);
    case 'invalid_format':
      if (issue.format === 'url') return 'an http or https URL';
      if (issue.format === 'starts_with' && 'prefix' in issue)
        return `text starting with ${JSON.stringify(issue.prefix)}`;
      if (issue.format === 'regex' && 'pattern' in issue) return `text matching ${String(issue.pattern)}`;
      return `a valid ${issue.format}`;
    case 'invalid_value':
      return oneOf(issue.values);
    case 'invalid_union': {
      const branches = issue.errors.map((branch) => branch[0]).filter((inner) => inner !== undefined);
      if (branches.length > 0 && branches.every((inner) => inner.code === 'invalid_value')) {
        return oneOf(branches.flatMap((inner) => (inner.code === 'invalid_value' ? inner.values : [])));
      }
      const options = unionOptions(schema);
      const phrases = branches.map((inner, index) => expectation(inner, options[index]));
      return [...new Set(phrases)].join(', or ') || describeSchema(schema) || 'a valid value';
    }
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    case 'custom':
    case 'invalid_key':
    case 'invalid_element':
    case 'unrecognized_keys':
      return describeSchema(schema) ?? 'a valid value';
  }
}

function sizeExpectation(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? issue.minimum : issue.maximum);
  const noun = issue.origin === 'array' || issue.origin === 'set' ? 'item' : 'character';
  const thing = issue.origin === 'array' || issue.origin === 'set' ? 'list' : 'string';
  if (small && bound === 1) return `a non-empty ${thing}`;
  return `a ${thing} of ${small ? 'at least' : 'at most'} ${bound} ${noun}${bound === 1 ? '' : 's'}`;
}

/** A phrase for what a schema accepts, when its shape says it: used where zod's message is generic. */
export function describeSchema(input: Schema | undefined): string | undefined {
  const schema = unwrap(input);
  if (schema === undefined) return undefined;
  const def = schema._zod.def as Definition;
  switch (def.type) {
    case 'number': {
      const { min, max, isInt } = numberBounds(def);
      const noun = isInt ? 'whole number' : 'number';
      if (min !== undefined && max !== undefined) return `a number between ${min} and ${max}`;
      if (min !== undefined) return `a ${noun} of at least ${min}`;
      if (max !== undefined) return `a ${noun} of at most ${max}`;
      return `a ${noun}`;
    }
    case 'string':
      if (def.format === 'url') return 'an http or https URL';
      return customCheckMessage(def) ?? 'a string';
    case 'boolean':
      return 'true or false';
    case 'literal':
      return oneOf(def.values ?? []);
    case 'enum':
      return oneOf(Object.values(def.entries ?? {}));
    case 'union': {
      const literals = unionOptions(schema).map(
        (option) => unwrap(option)?._zod.def as Definition | undefined,
      );
      if (literals.every((option) => option?.type === 'literal')) {
        return oneOf(literals.flatMap((option) => option?.values ?? []));
      }
      return undefined;
    }
    case 'object': {
      const keys = objectKeys(schema);
      return keys.length > 0 ? `a mapping with keys such as ${keys.slice(0, 4).join(', ')}` : 'a mapping';
    }
    case 'record': {
      const values = describeSchema(def.valueType);
      return values === 'a string' ? 'a mapping of names to strings' : 'a mapping of names to settings';
    }
    case 'array':
      return 'a list';
    default:
      return undefined;
  }
}

/** What this module reads of a schema's definition (zod's core `$ZodTypeDef`s of each type). */
interface Definition {
  type: string;
  format?: string;
  checks?: readonly z.core.$ZodCheck<never>[];
  values?: readonly unknown[];
  entries?: Record<string, unknown>;
  options?: readonly Schema[];
  shape?: Record<string, Schema>;
  valueType?: Schema;
  element?: Schema;
  innerType?: Schema;
}

/** A number schema's bounds (its `gte`/`lte` checks) and whether it takes whole numbers only. */
function numberBounds(def: Definition): { min?: number; max?: number; isInt: boolean } {
  const bounds: { min?: number; max?: number; isInt: boolean } = { isInt: false };
  for (const check of def.checks ?? []) {
    const checkDef = check._zod.def as { check?: string; value?: unknown; format?: string };
    const value =
      typeof checkDef.value === 'number' && Number.isFinite(checkDef.value) ? checkDef.value : undefined;
    if (checkDef.check === 'number_format' && /int/.test(checkDef.format ?? '')) bounds.isInt = true;
    else if (checkDef.check === 'greater_than' && value !== undefined)
      bounds.min = Math.max(bounds.min ?? value, value);
    else if (checkDef.check === 'less_than' && value !== undefined)
      bounds.max = Math.min(bounds.max ?? value, value);
  }
  return bounds;
}

/**
 * YAML reads `whoami:` with nothing under it as null. Where a mapping is expected, that means
 * "a mapping with every default", which is what the user meant by declaring the key.
 */
export function emptyMappingsForNulls(value: unknown, root: Schema, path: KeyPath = []): unknown {
  const type = unwrap(schemaAt(root, path))?._zod.def.type;
  const isMapping = type === 'object' || type === 'record';
  if (value === null && isMapping) return {};
  if (!isMapping || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, emptyMappingsForNulls(item, root, [...path, key])]),
  );
}

/** The schema that validates the value at `path`, looking through optional and default wrappers. */
export function schemaAt(root: Schema, path: KeyPath): Schema | undefined {
  let current: Schema | undefined = root;
  for (const key of path) {
    const def = unwrap(current)?._zod.def as Definition | undefined;
    if (def?.type === 'object') current = def.shape?.[String(key)];
    else if (def?.type === 'record') current = def.valueType;
    else if (def?.type === 'array') current = def.element;
    else return undefined;
  }
  return current;
}

/** The schema's own wording for its first check (`a lowercase domain such as example.com`), if any. */
function customCheckMessage(def: Definition): string | undefined {
  for (const check of def.checks ?? []) {
    const error: unknown = check._zod.def.error;
    if (typeof error !== 'function') continue;
    const message: unknown = (error as () => unknown)();
    if (typeof message === 'string' && message !== GENERIC) return message;
  }
  return undefined;
}

/** The schema inside optional, default and nullable wrappers. */
function unwrap(schema: Schema | undefined): Schema | undefined {
  let current = schema;
  while (current !== undefined && WRAPPERS.has(current._zod.def.type)) {
    current = (current._zod.def as Definition).innerType;
  }
  return current;
}
const WRAPPERS = new Set(['optional', 'default', 'nullable', 'prefault']);

function unionOptions(schema: Schema | undefined): (Schema | undefined)[] {
  const def = unwrap(schema)?._zod.def as Definition | undefined;
  return def?.type === 'union' ? [...(def.options ?? [])] : [];
}

function objectKeys(schema: Schema | undefined): string[] {
  const def = unwrap(schema)?._zod.def as Definition | undefined;
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((value) => (typeof value === 'string' ? JSON.stringify(value) : String(value)));
  if (shown.length === 1) return shown[0] ?? '';
  return `one of ${shown.join(', ')}`;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** `"eighty"`, `80.5`, `a list`: what the user wrote, short enough for one line. */
export function describeFound(value: unknown): string {
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
  return typeof value;
}

/** `apps.whoami.port`, `traefik.entryPoints[0]`, `apps["my.app"]`. */
export function formatKeyPath(path: KeyPath): string {
  if (path.length === 0) return 'the configuration';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** The closest known key to a misspelt one, if it is close enough to be a typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(key.length / 3));
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`prot` -> `port` is 1). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, at(i - 2, j - 2) + 1);
      d[i * cols + j] = value;
    }
  }
  return at(rows - 1, cols - 1);
}
