import { z } from 'zod';

import type { KeyPath } from './interpolate.js';

/**
 * Turns zod issues into sentences a user can act on: the key path, what was expected and what
 * was found (`apps.whoami.port must be a number between 1 and 65535, found "eighty".`).
 *
 * The schema's own messages are written as expectations ("an AWS region such as eu-west-1"); for
 * the others the expectation is derived from the schema at the issue's path. Parse with
 * `VALIDATION_PARAMS` so that zod marks its generic messages and reports the input.
 */

const GENERIC = '\u0000generic';

/**
 * `jitless`: a configuration is validated once per run, and zod's compiled fast path for objects
 * (built with `new Function` on an object schema's first parse) costs more to build than that one
 * parse saves: about 2 ms of `config show` (bench/RESULTS.md).
 */
export const VALIDATION_PARAMS = { reportInput: true, jitless: true, error: () => GENERIC } as const;

type Issue = z.core.$ZodIssue;

export interface IssueContext {
  root: z.ZodType;
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
export function expectedOf(issue: Issue, root: z.ZodType): string {
  if (issue.code === 'invalid_key')
    return issue.issues.map((inner) => expectation(inner, undefined)).join(' and ');
  return expectation(issue, schemaAt(root, issue.path as KeyPath));
}

function expectation(issue: Issue, schema: z.ZodType | undefined): string {
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
export function describeSchema(input: z.ZodType | undefined): string | undefined {
  const schema = unwrap(input);
  if (schema === undefined) return undefined;
  if (schema instanceof z.ZodNumber) {
    const { minValue: min, maxValue: max, isInt } = schema;
    const noun = isInt ? 'whole number' : 'number';
    const finite = (n: number | null): n is number =>
      n !== null && Number.isFinite(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER;
    if (finite(min) && finite(max)) return `a number between ${min} and ${max}`;
    if (finite(min)) return `a ${noun} of at least ${min}`;
    if (finite(max)) return `a ${noun} of at most ${max}`;
    return `a ${noun}`;
  }
  if (schema instanceof z.ZodURL) return 'an http or https URL';
  if (schema instanceof z.ZodString) return customCheckMessage(schema) ?? 'a string';
  if (schema instanceof z.ZodBoolean) return 'true or false';
  if (schema instanceof z.ZodLiteral) return oneOf([...schema.values]);
  if (schema instanceof z.ZodEnum) return oneOf(schema.options);
  if (schema instanceof z.ZodUnion) {
    const options = unionOptions(schema);
    const literals = options.map(unwrap);
    if (literals.every((option) => option instanceof z.ZodLiteral)) {
      return oneOf(literals.flatMap((option) => (option instanceof z.ZodLiteral ? [...option.values] : [])));
    }
    return undefined;
  }
  if (schema instanceof z.ZodObject) {
    const keys = objectKeys(schema);
    return keys.length > 0 ? `a mapping with keys such as ${keys.slice(0, 4).join(', ')}` : 'a mapping';
  }
  if (schema instanceof z.ZodRecord) {
    const values = describeSchema(schema.valueType as z.ZodType);
    return values === 'a string' ? 'a mapping of names to strings' : 'a mapping of names to settings';
  }
  if (schema instanceof z.ZodArray) return 'a list';
  return undefined;
}

/**
 * YAML reads `whoami:` with nothing under it as null. Where a mapping is expected, that means
 * "a mapping with every default", which is what the user meant by declaring the key.
 */
export function emptyMappingsForNulls(value: unknown, root: z.ZodType, path: KeyPath = []): unknown {
  const schema = unwrap(schemaAt(root, path));
  const isMapping = schema instanceof z.ZodObject || schema instanceof z.ZodRecord;
  if (value === null && isMapping) return {};
  if (!isMapping || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, emptyMappingsForNulls(item, root, [...path, key])]),
  );
}

/** The schema that validates the value at `path`, looking through optional and default wrappers. */
export function schemaAt(root: z.ZodType, path: KeyPath): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const key of path) {
    const schema = unwrap(current);
    if (schema instanceof z.ZodObject) current = (schema.shape as Record<string, z.ZodType>)[String(key)];
    else if (schema instanceof z.ZodRecord) current = schema.valueType as z.ZodType;
    else if (schema instanceof z.ZodArray) current = schema.element as z.ZodType;
    else return undefined;
  }
  return current;
}

/** The schema's own wording for its first check (`a lowercase domain such as example.com`), if any. */
function customCheckMessage(schema: z.ZodString): string | undefined {
  for (const check of schema._zod.def.checks ?? []) {
    const error: unknown = check._zod.def.error;
    if (typeof error !== 'function') continue;
    const message: unknown = (error as () => unknown)();
    if (typeof message === 'string' && message !== GENERIC) return message;
  }
  return undefined;
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodNullable
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

function unionOptions(schema: z.ZodType | undefined): (z.ZodType | undefined)[] {
  const union = unwrap(schema);
  return union instanceof z.ZodUnion ? [...(union.options as readonly z.ZodType[])] : [];
}

function objectKeys(schema: z.ZodType | undefined): string[] {
  const object = unwrap(schema);
  return object instanceof z.ZodObject ? Object.keys(object.shape) : [];
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
