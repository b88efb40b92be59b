import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

import type { Loader } from 'cosmiconfig';
import { parseDocument } from 'yaml';

import { describeError, UserError, usageError } from '../errors.js';
import {
  hasUrlCredentials,
  redactUrl,
  URL_CREDENTIALS_REASON,
  urlCredentialsSuggestions,
} from '../traefik/api-url.js';
import { interpolate, type InterpolatedValue, type KeyPath } from './interpolate.js';
import {
  describeFound,
  emptyMappingsForNulls,
  formatKeyPath,
  issueLines,
  VALIDATION_PARAMS,
  type IssueLine,
} from './issues.js';
import { positionsIn, type FilePosition } from './positions.js';
import { configSchema, type Config } from './schema.js';

export const MODULE_NAME = 'traefikctl';

/** The file `traefikctl init` writes. */
export const DEFAULT_CONFIG_FILE = 'traefikctl.config.yaml';

/**
 * The largest configuration file read. A configuration with a hundred apps is about 30 KiB; a file
 * of many megabytes is another file (a lockfile, a log, a dump) and would take minutes to parse.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Where a configuration may live, in the order looked at in each directory; the first one wins. */
export const CONFIG_SEARCH_PLACES = [
  'package.json',
  `.${MODULE_NAME}rc`,
  `.${MODULE_NAME}rc.json`,
  `.${MODULE_NAME}rc.yaml`,
  `.${MODULE_NAME}rc.yml`,
  `.${MODULE_NAME}rc.js`,
  `.${MODULE_NAME}rc.mjs`,
  `.${MODULE_NAME}rc.ts`,
  `${MODULE_NAME}.config.yaml`,
  `${MODULE_NAME}.config.yml`,
  `${MODULE_NAME}.config.json`,
  `${MODULE_NAME}.config.js`,
  `${MODULE_NAME}.config.mjs`,
  `${MODULE_NAME}.config.ts`,
] as const;

export interface LoadConfigOptions {
  cwd: string;
  /** An explicit file: no search. Relative to `cwd`. */
  configPath?: string | undefined;
  /** Variables for `${VAR}` interpolation; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where the upward search ends when `cwd` is not inside a git repository; defaults to the home directory. */
  homeDir?: string;
}

export interface LoadedConfig {
  config: Config;
  /** The file the configuration came from; undefined when none was found (defaults apply). */
  filepath: string | undefined;
  /** The directory relative paths in the configuration (build contexts) are resolved against. */
  dir: string;
  /** Strings that contained `${VAR}` references, with the text as written. */
  interpolated: InterpolatedValue[];
}

/**
 * Finds and validates the configuration for a command run in `cwd`.
 *
 * The search goes upward from `cwd` to the root of the git repository (or the home directory
 * outside a repository), taking the nearest directory that has a configuration. cosmiconfig's own
 * strategies do not fit: `project` stops at the first package.json (the wrong place in a monorepo,
 * and meaningless for a Go or Python app), and `global` also reads ~/.config/traefikctl, which
 * would make a project's deployments depend silently on a file outside it. So each directory is
 * searched with the `none` strategy, in order.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const cwd = path.resolve(options.cwd);
  const env = options.env ?? process.env;

  let result: FoundConfig | null;
  if (options.configPath !== undefined) {
    const filepath = path.resolve(cwd, options.configPath);
    await assertFile(filepath, cwd);
    result = await withLoadErrors(cwd, () => readConfigFile(filepath, cwd));
    if (result === null) {
      throw usageError(`${displayPath(filepath, cwd)} has no traefikctl configuration.`, [
        `Add a "${MODULE_NAME}" key to ${displayPath(filepath, cwd)}, or point to a traefikctl.config.yaml.`,
      ]);
    }
  } else {
    result = null;
    search: for (const dir of await searchDirs(cwd, options.homeDir ?? homedir())) {
      for (const place of CONFIG_SEARCH_PLACES) {
        const filepath = path.join(dir, place);
        result = await withLoadErrors(cwd, () => readConfigFile(filepath, cwd, { search: true }));
        // An empty traefikctl.config.yaml is a configuration of defaults, not a reason to look further up.
        if (result !== null) break search;
      }
    }
  }

  if (result === null) {
    return { config: configSchema.parse({}), filepath: undefined, dir: cwd, interpolated: [] };
  }
  const validated = validateConfig(result.config ?? {}, {
    file: displayPath(result.filepath, cwd),
    locate: result.content === undefined ? undefined : positionsIn(result.content),
    prefix: path.basename(result.filepath) === 'package.json' ? [MODULE_NAME] : [],
    env,
  });
  return { ...validated, filepath: result.filepath, dir: path.dirname(result.filepath) };
}

interface FoundConfig {
  filepath: string;
  /** undefined for an empty file (or one of comments only): the defaults. */
  config: unknown;
  /** The file's text, where it was read here as YAML or JSON (not through cosmiconfig). */
  content?: string;
}

/** The files of these kinds are read here; the rest (JavaScript, TypeScript) through cosmiconfig. */
const READ_HERE = new Set(['.yaml', '.yml', '.json', '']);

/**
 * Reads one configuration file as cosmiconfig would (and with its loaders' rules: YAML for `.yaml`,
 * `.yml` and no extension, JSON for `.json`, the `traefikctl` key of a package.json, an empty file
 * is an empty configuration), without loading cosmiconfig for the files most projects have: it and
 * the second YAML parser it brings were a tenth of `config show` (bench/RESULTS.md). JavaScript and
 * TypeScript configurations, UTF-16 files and files that `$import` others still go through it.
 * null: no configuration in this file (a package.json without the key; while searching, no file).
 */
async function readConfigFile(
  filepath: string,
  cwd: string,
  options: { search?: boolean } = {},
): Promise<FoundConfig | null> {
  const name = path.basename(filepath);
  if (!READ_HERE.has(path.extname(filepath))) return loadWithCosmiconfig(filepath, cwd, options);
  let buffer: Buffer;
  try {
    buffer = await readFile(filepath);
  } catch (error) {
    // cosmiconfig's search skips what isn't a readable file.
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (options.search && ['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES'].includes(code)) return null;
    throw Object.assign(error as Error, { filepath });
  }
  if ((buffer[0] === 0xff && buffer[1] === 0xfe) || (buffer[0] === 0xfe && buffer[1] === 0xff)) {
    return loadWithCosmiconfig(filepath, cwd, options);
  }
  const content = buffer.toString('utf8');
  if (name !== 'package.json') assertSize(filepath, buffer.byteLength, cwd);
  if (content.trim() === '') return { filepath, config: undefined };
  let config =
    path.extname(filepath) === '.json' ? loadJson(filepath, content, cwd) : loadYaml(filepath, content, cwd);
  if (name === 'package.json') {
    config =
      typeof config === 'object' && config !== null
        ? (config as Record<string, unknown>)[MODULE_NAME]
        : undefined;
    if (config === undefined || config === null) return null;
  }
  if (typeof config === 'object' && config !== null && Object.hasOwn(config, '$import')) {
    return loadWithCosmiconfig(filepath, cwd, options);
  }
  return { filepath, config, content };
}

async function loadWithCosmiconfig(
  filepath: string,
  cwd: string,
  options: { search?: boolean },
): Promise<FoundConfig | null> {
  // While searching, most places hold no file: cosmiconfig is loaded only for one that does.
  if (
    options.search &&
    !(await stat(filepath).then(
      (info) => info.isFile(),
      () => false,
    ))
  )
    return null;
  const explorer = await createExplorer(cwd);
  try {
    return await explorer.load(filepath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (options.search && ['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES'].includes(code)) return null;
    throw error;
  }
}

/**
 * The configuration file directly in `dir`, if there is one (no upward search). Files are only
 * looked at, never loaded: a JavaScript configuration is not run just to see that it exists.
 */
export async function findConfigInDir(dir: string): Promise<string | undefined> {
  for (const place of CONFIG_SEARCH_PLACES) {
    const file = path.join(path.resolve(dir), place);
    if (place === 'package.json') {
      if (await hasPackageKey(file)) return file;
    } else if (await exists(file)) {
      return file;
    }
  }
  return undefined;
}

export interface ConfigSource {
  /** The file as the user should read it in messages, e.g. `traefikctl.config.yaml`. */
  file: string;
  /** Where a key path is in the file (src/lib/config/positions.ts), for `file:line:col` messages. */
  locate?: ((keys: KeyPath, onKey: boolean) => FilePosition | undefined) | undefined;
  /** Where the configuration sits inside the file: `traefikctl` in package.json. */
  prefix?: KeyPath;
  env: NodeJS.ProcessEnv;
}

/**
 * Interpolates and validates a raw configuration object. Every problem is reported at once,
 * one line each, naming the file, the key path, what was expected and what was found.
 */
export function validateConfig(
  raw: unknown,
  source: ConfigSource,
): { config: Config; interpolated: InterpolatedValue[] } {
  const prefix = source.prefix ?? [];
  const where = (keys: KeyPath): string => formatKeyPath([...prefix, ...keys]);
  /** `traefikctl.config.yaml:12:11`: the file, and the line and column where the file has one. */
  const fileAt = (fullKeys: KeyPath, onKey: boolean): string => {
    const position = source.locate?.(fullKeys, onKey);
    return position === undefined ? source.file : `${source.file}:${position.line}:${position.col}`;
  };
  const at = (keys: KeyPath): string => fileAt([...prefix, ...keys], false);
  const { value, interpolated, problems } = interpolate(raw, source.env);

  if (problems.length > 0) {
    const lines = problems.map((problem) =>
      problem.kind === 'missing'
        ? `${at(problem.path)}: ${where(problem.path)} uses \${${problem.variable}}, which is not set.`
        : `${at(problem.path)}: ${where(problem.path)} has ${problem.reference}, which is not a variable reference.`,
    );
    const missing = [...new Set(problems.flatMap((p) => (p.kind === 'missing' ? [p.variable] : [])))];
    const suggestions = [
      ...(missing.length > 0
        ? [
            `Set ${missing.join(', ')} in the environment, or give a default: \${${missing[0] ?? 'NAME'}:-value}.`,
          ]
        : []),
      ...(problems.some((p) => p.kind === 'syntax')
        ? ['Write ${NAME} or ${NAME:-default}; write $${ for a literal ${.']
        : []),
    ];
    throw usageError(lines.join('\n'), suggestions, 'CONFIG_VARIABLE');
  }

  let input = emptyMappingsForNulls(value, configSchema);
  let parsed = configSchema.safeParse(input, VALIDATION_PARAMS);
  if (!parsed.success) {
    // A `${PORT}` is always a string; where the schema wants a number or a boolean, take the
    // value the variable spells (`8080`, `true`) rather than failing on every interpolated port.
    const failing = new Set(parsed.error.issues.map((issue) => JSON.stringify(issue.path)));
    const coercible = interpolated.filter((item) => failing.has(JSON.stringify(item.path)));
    if (coercible.length > 0) {
      input = structuredClone(input);
      for (const item of coercible) setAt(input, item.path, coerceScalar(getAt(input, item.path)));
      parsed = configSchema.safeParse(input, VALIDATION_PARAMS);
    }
  }
  if (!parsed.success) {
    const byPath = new Map(interpolated.map((item) => [JSON.stringify(item.path), item]));
    const lines = issueLines(parsed.error.issues, {
      root: configSchema,
      prefix,
      foundAt: (keys) => {
        const item = byPath.get(JSON.stringify(keys));
        if (item === undefined) {
          // A URL's user name and password are never shown, written in the file or not.
          const found = getAt(input, keys);
          return typeof found === 'string' && redactUrl(found) !== found
            ? describeFound(redactUrl(found))
            : undefined;
        }
        // Interpolated values may be secrets: name where they came from, never what they are.
        const references = item.variables.map((name) => `\${${name}}`).join(', ');
        return getAt(input, keys) === '' ? `an empty value from ${references}` : `the value of ${references}`;
      },
    });
    throw usageError(
      inFileOrder(lines, source.locate)
        .map((line) => `${fileAt(line.keys, line.onKey)}: ${line.text}`)
        .join('\n'),
      [
        `Fix ${lines.length === 1 ? 'it' : 'them'} in ${source.file}; \`traefikctl config show\` checks the result.`,
      ],
      'CONFIG_INVALID',
    );
  }
  const apiUrl = parsed.data.traefik.apiUrl;
  if (apiUrl !== undefined && hasUrlCredentials(apiUrl)) {
    const keys = ['traefik', 'apiUrl'];
    const item = interpolated.find((candidate) => JSON.stringify(candidate.path) === JSON.stringify(keys));
    const from =
      item === undefined ? '' : ` (from ${item.variables.map((name) => `\${${name}}`).join(', ')})`;
    throw usageError(
      `${at(keys)}: ${where(keys)} has a user name and password in it${from}: ${URL_CREDENTIALS_REASON}`,
      urlCredentialsSuggestions(
        `${where(keys)}${item === undefined ? '' : ` (or from ${item.variables.join(', ')})`}`,
      ),
      'CONFIG_URL_CREDENTIALS',
    );
  }
  return { config: parsed.data, interpolated };
}

/** Problems in the order of the file's lines, where it has them (zod's order is the schema's). */
function inFileOrder(lines: IssueLine[], locate: ConfigSource['locate']): IssueLine[] {
  if (locate === undefined) return lines;
  const rank = (line: IssueLine) => {
    const position = locate(line.keys, line.onKey);
    return position === undefined ? Number.MAX_SAFE_INTEGER : position.line * 100_000 + position.col;
  };
  return lines
    .map((line) => ({ line, rank: rank(line) }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ line }) => line);
}

function coerceScalar(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return value;
}

function getAt(root: unknown, keys: KeyPath): unknown {
  let current = root;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

function setAt(root: unknown, keys: KeyPath, value: unknown): void {
  const parent = getAt(root, keys.slice(0, -1));
  const last = keys.at(-1);
  if (last !== undefined && typeof parent === 'object' && parent !== null) {
    (parent as Record<string | number, unknown>)[last] = value;
  }
}

/** The directories searched, nearest first: up to the git root, else up to home, else up to `/`. */
export async function searchDirs(cwd: string, home: string): Promise<string[]> {
  const chain: string[] = [];
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    chain.push(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const [index, dir] of chain.entries()) {
    if (await exists(path.join(dir, '.git'))) return chain.slice(0, index + 1);
  }
  const homeIndex = chain.indexOf(path.resolve(home));
  return homeIndex === -1 ? chain : chain.slice(0, homeIndex + 1);
}

async function createExplorer(cwd: string) {
  const { cosmiconfig, defaultLoaders } = await import('cosmiconfig');
  // package.json is another tool's file, read for one key, and JSON parses fast at any size.
  const bounded =
    (loader: Loader): Loader =>
    (filepath, content) => {
      if (path.basename(filepath) !== 'package.json') assertSize(filepath, Buffer.byteLength(content), cwd);
      return loader(filepath, content) as unknown;
    };
  const yamlLoader = bounded((filepath, content) => loadYaml(filepath, content, cwd));
  const jsonLoader = bounded((filepath, content) => loadJson(filepath, content, cwd));
  return cosmiconfig(MODULE_NAME, {
    searchPlaces: [...CONFIG_SEARCH_PLACES],
    searchStrategy: 'none',
    // An empty traefikctl.config.yaml is a configuration of defaults, not a reason to look further up.
    ignoreEmptySearchPlaces: false,
    cache: false,
    loaders: {
      ...Object.fromEntries(Object.entries(defaultLoaders).map(([ext, loader]) => [ext, bounded(loader)])),
      '.json': jsonLoader,
      '.yaml': yamlLoader,
      '.yml': yamlLoader,
      noExt: yamlLoader,
    },
  });
}

function loadYaml(filepath: string, content: string, cwd: string): unknown {
  const doc = parseDocument(content, { merge: true });
  if (doc.errors.length > 0) {
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const error of doc.errors) {
      const start = error.linePos?.[0];
      const at = start === undefined ? '' : `:${start.line}:${start.col}`;
      if (seen.has(at)) continue;
      seen.add(at);
      const message =
        error.code === 'MULTIPLE_DOCS'
          ? 'the file contains more than one YAML document (---)'
          : (error.message.split(/ at line \d+, column \d+/)[0] ?? error.message);
      lines.push(`${displayPath(filepath, cwd)}${at}: ${lowerFirst(message)}.`);
    }
    throw usageError(
      lines.join('\n'),
      ['Check the indentation and quoting on the line named.'],
      'CONFIG_SYNTAX',
    );
  }
  // A file of comments only is empty, not "no configuration here".
  return doc.toJS() ?? undefined;
}

function loadJson(filepath: string, content: string, cwd: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch (error) {
    const message = describeError(error);
    const position = /\(line (\d+) column (\d+)\)/.exec(message);
    const at = position ? `:${position[1]}:${position[2]}` : '';
    const text = message.replace(/ in JSON at position \d+.*$/, '');
    throw usageError(`${displayPath(filepath, cwd)}${at}: ${lowerFirst(text)}.`, [], 'CONFIG_SYNTAX');
  }
}

async function withLoadErrors<T>(cwd: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof UserError) throw error;
    const filepath = (error as { filepath?: unknown }).filepath;
    const file = typeof filepath === 'string' ? displayPath(filepath, cwd) : 'the configuration';
    throw usageError(
      `${file}: can't load it: ${describeError(error)}`,
      ['Fix the module so that it runs, or use a traefikctl.config.yaml instead.'],
      'CONFIG_LOAD',
    );
  }
}

/** Refuses a configuration file over MAX_CONFIG_BYTES before it is parsed (or, given by path, read). */
function assertSize(filepath: string, bytes: number, cwd: string): void {
  if (bytes <= MAX_CONFIG_BYTES) return;
  const megabytes = (bytes / 1024 / 1024).toFixed(1);
  throw usageError(
    `${displayPath(filepath, cwd)} is ${megabytes} MiB: traefikctl reads configuration files of at most ${MAX_CONFIG_BYTES / 1024 / 1024} MiB.`,
    [
      'Check that this is the configuration (--config and TRAEFIKCTL_CONFIG name it); a configuration is a few kilobytes.',
    ],
    'CONFIG_TOO_LARGE',
  );
}

async function assertFile(filepath: string, cwd: string): Promise<void> {
  const info = await stat(filepath).catch(() => undefined);
  if (info?.isFile()) {
    if (path.basename(filepath) !== 'package.json') assertSize(filepath, info.size, cwd);
    return;
  }
  throw usageError(
    `Can't find the configuration file ${displayPath(filepath, cwd)}.`,
    ['Check the path, or leave it out to search from the current directory upward.'],
    'CONFIG_NOT_FOUND',
  );
}

async function hasPackageKey(file: string): Promise<boolean> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return typeof data === 'object' && data !== null && MODULE_NAME in data;
  } catch {
    // No package.json, or one that is not JSON: either way it holds no configuration to protect.
    return false;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * A path as the user would type it from `cwd`: `traefikctl.config.yaml`, `../traefikctl.config.yaml`,
 * `ci/staging.yaml`. Files in unrelated directories keep their absolute path.
 */
export function displayPath(filepath: string, cwd: string): string {
  const relative = path.relative(cwd, filepath);
  const segments = relative.split(path.sep);
  const climbs = segments.filter((segment) => segment === '..').length;
  const upThenFile = climbs === segments.length - 1 && segments.slice(0, climbs).every((s) => s === '..');
  if (relative === '' || path.isAbsolute(relative) || (climbs > 0 && !upThenFile)) return filepath;
  return relative;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text;
}
