/**
 * `traefikctl --help`'s page (the root help), rendered without oclif.
 *
 * The root page is the one help page people open most, and on it oclif costs most of the start-up
 * (bench/RESULTS.md): importing it, building its Config, which sorts every command id through ICU's
 * collator (a third of `node -e 0` on its own), and its help formatter. What the page shows is in
 * package.json and oclif.manifest.json, so bin/run.js prints it from those files through
 * `printRootHelp` (./fast-path.ts), and the help class (./index.ts) renders the same page with the
 * same function when oclif is loaded anyway (`traefikctl help`, a build without a manifest). The
 * layout is oclif's own (Help.showRootHelp with its formatter): test/help-root.test.ts holds this
 * module to oclif's output at every width. Kept free of imports beyond node's: it is the fast path.
 */
import { renderTemplate } from './text.js';

export interface RootHelpCommand {
  id: string;
  summary?: string | undefined;
  description?: string | undefined;
  hidden?: boolean | undefined;
}

export interface RootHelpTopic {
  name: string;
  description?: string | undefined;
  hidden?: boolean | undefined;
}

/** What the root page shows, as oclif's Config holds it (or the manifest, through {@link rootHelpFromManifest}). */
export interface RootHelpInput {
  bin: string;
  /** The package's description (oclif.description first, as oclif reads it). */
  description: string;
  /** `traefikctl/0.1.0 linux-x64 node-v24.11.0`, as `--version` prints it. */
  userAgent: string;
  /** `:` or ` `: how command ids are shown. */
  topicSeparator: string;
  commands: readonly RootHelpCommand[];
  topics: readonly RootHelpTopic[];
}

export interface RootHelpStyle {
  /** The terminal width the page is wrapped to (oclif: OCLIF_COLUMNS, else the tty's, at least 40, else 80). */
  width: number;
  /** Section headers are bold where oclif would colour them. */
  bold: (text: string) => string;
}

/** The width oclif wraps help to on this stream. */
export function helpWidth(
  stream: { isTTY?: boolean; getWindowSize?: () => number[] },
  env: NodeJS.ProcessEnv,
): number {
  const columns = Number.parseInt(env.OCLIF_COLUMNS ?? '', 10);
  if (columns) return columns;
  if (!stream.isTTY || stream.getWindowSize === undefined) return 80;
  const width = stream.getWindowSize()[0] ?? 0;
  if (width < 1) return 80;
  return Math.max(width, 40);
}

/** The root help page, as oclif's `Help.showRootHelp` prints it (without the trailing newline). */
export function renderRootHelp(input: RootHelpInput, style: RootHelpStyle): string {
  const render = (text: string) => renderTemplate(text, { config: { bin: input.bin } }, unsupported);
  const wrap = (text: string, spacing = INDENT) => wrapText(text, style.width - spacing);
  const section = (header: string, body: string) => `${style.bold(header)}\n${indent(body, INDENT)}`;
  const show = (id: string) => (input.topicSeparator === ':' ? id : id.replaceAll(':', input.topicSeparator));

  const description = render(input.description);
  const summary = description.split('\n', 1)[0] ?? '';
  const more = description.split('\n').slice(1).join('\n');
  const root = [
    summary,
    section('VERSION', wrap(input.userAgent)),
    section('USAGE', wrap(`$ ${input.bin} [COMMAND]`)),
    more ? section('DESCRIPTION', wrap(more)) : '',
  ].filter((part) => part !== '');

  const parts = [root.join('\n\n'), ''];
  const topics = sortedUnique(
    rootTopics(input).filter((topic) => !topic.name.includes(':')),
    (topic) => topic.name,
  );
  if (topics.length > 0) {
    const rows = topics.map((topic): Row => [show(topic.name), render(firstLine(topic.description ?? ''))]);
    parts.push(section('TOPICS', renderList(rows, style.width)), '');
  }
  const commands = sortedUnique(
    input.commands.filter((command) => !command.hidden && command.id !== '' && !command.id.includes(':')),
    (command) => command.id,
  );
  if (commands.length > 0) {
    const rows = commands.map((command): Row => [show(command.id), commandSummary(command, render)]);
    parts.push(section('COMMANDS', renderList(rows, style.width)), '');
  }
  return parts.join('\n');
}

/** The page's input from package.json and oclif.manifest.json, as oclif's Config would build it. */
export function rootHelpFromManifest(
  pjson: PackageJson,
  manifest: { commands: Record<string, RootHelpCommand & { aliases?: string[] }> },
  userAgent: string,
): RootHelpInput {
  const oclif = pjson.oclif ?? {};
  const commands = Object.values(manifest.commands);
  // Config.loadTopics: the package's topics, then one for every prefix of a visible command's id.
  const topics = new Map<string, RootHelpTopic>();
  const addTopics = (entries: Record<string, PackageTopic>, prefix: string) => {
    for (const [name, topic] of Object.entries(entries)) {
      const full = prefix + name;
      topics.set(full, { name: full, description: topic.description, hidden: topic.hidden });
      if (topic.subtopics) addTopics(topic.subtopics, `${full}:`);
    }
  };
  addTopics(oclif.topics ?? {}, '');
  for (const command of commands) {
    if (command.hidden) continue;
    const parts = command.id.split(':');
    while (parts.length > 0) {
      const name = parts.join(':');
      if (name && !topics.has(name))
        topics.set(name, { name, description: command.summary || command.description });
      parts.pop();
    }
  }
  const aliases = commands.flatMap((command) =>
    (command.aliases ?? []).map((alias) => ({ ...command, id: alias })),
  );
  return {
    bin: oclif.bin ?? pjson.name,
    description: oclif.description || pjson.description || '',
    userAgent,
    topicSeparator: oclif.topicSeparator ?? ':',
    commands: [...commands, ...aliases],
    topics: [...topics.values()],
  };
}

interface PackageTopic {
  description?: string;
  hidden?: boolean;
  subtopics?: Record<string, PackageTopic>;
}

export interface PackageJson {
  name: string;
  version: string;
  description?: string;
  oclif?: {
    bin?: string;
    dirname?: string;
    description?: string;
    topicSeparator?: string;
    topics?: Record<string, PackageTopic>;
    /** A theme for help pages: only oclif applies it (src/help/fast-path.ts: `themed`). */
    theme?: unknown;
  };
}

const INDENT = 2;

type Row = [left: string, right: string | undefined];

/** Help's `_topics`: the topics that have a sub-topic (commands count: every command id is a topic). */
function rootTopics(input: RootHelpInput): RootHelpTopic[] {
  return input.topics.filter(
    (topic) => !topic.hidden && input.topics.some((other) => other.name.includes(`${topic.name}:`)),
  );
}

function commandSummary(command: RootHelpCommand, render: (text: string) => string): string | undefined {
  if (command.summary) return render(firstLine(command.summary));
  return command.description ? firstLine(render(command.description)) : undefined;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

/** oclif's `sortBy` (a plain `<` comparison, no locale) then `uniqBy`, which keeps the last of each key. */
function sortedUnique<T>(items: readonly T[], key: (item: T) => string): T[] {
  const sorted = [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return sorted.filter(
    (item, index) => key(sorted[index + 1] ?? item) !== key(item) || index === sorted.length - 1,
  );
}

/** HelpFormatter.renderList with a spacer of one newline: names, then descriptions in a column. */
function renderList(rows: readonly Row[], width: number): string {
  const nameWidth = Math.max(0, ...rows.map(([left]) => left.length));
  const lines: string[] = [];
  for (const [left, right] of rows) {
    if (!right) {
      lines.push(left.trim());
      continue;
    }
    const [first = '', ...rest] = wrapText(right.trim(), width - (INDENT + nameWidth + 2))
      .split('\n')
      .map((line) => line.trim());
    // oclif switches the whole list to one name per line with the text under it past 5 lines.
    if (rest.length > 4) return renderMultiline(rows, width);
    lines.push(left + ' '.repeat(nameWidth - left.length + 2) + first);
    if (rest.length > 0) lines.push(indent(rest.join('\n'), nameWidth + 2));
  }
  return lines.join('\n').trim();
}

function renderMultiline(rows: readonly Row[], width: number): string {
  let output = '';
  for (const [left, right] of rows) {
    if (!left && !right) continue;
    if (left) output += wrapText(left.trim(), width - INDENT);
    if (right) output += '\n' + indent(wrapText(right.trim(), width - (INDENT + 2)), 4);
    output += '\n\n';
  }
  return output.trim();
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text.replace(/^(?!\s*$)/gm, pad);
}

/**
 * wrap-ansi's `wrap(text, columns, {hard: true})` (v7, oclif's) for text without escape codes, as
 * oclif's help calls it: words fill lines of at most `columns`, a word longer than a line is cut, and
 * the spaces at the ends of lines are dropped. Widths are counted in UTF-16 units, which is the
 * terminal's for the ASCII and Latin text of traefikctl's help (test/help-root.test.ts checks the pages).
 */
export function wrapText(text: string, columns: number): string {
  return text
    .normalize()
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => wrapLine(line, columns))
    .join('\n');
}

function wrapLine(line: string, columns: number): string {
  if (line.trim() === '') return '';
  const rows: string[] = [''];
  const last = () => rows.length - 1;
  for (const [index, word] of line.split(' ').entries()) {
    rows[last()] = (rows[last()] ?? '').trimStart();
    let rowLength = rows[last()]?.length ?? 0;
    if (index !== 0 && rowLength > 0) {
      rows[last()] += ' ';
      rowLength++;
    }
    if (word.length > columns) {
      const remaining = columns - rowLength;
      const breaksHere = 1 + Math.floor((word.length - remaining - 1) / columns);
      const breaksNext = Math.floor((word.length - 1) / columns);
      if (breaksNext < breaksHere) rows.push('');
      cutWord(rows, word, columns);
      continue;
    }
    if (rowLength + word.length > columns && rowLength > 0 && word.length > 0) rows.push('');
    rows[last()] += word;
  }
  return rows.map(trimSpacesRight).join('\n');
}

/** wrap-ansi's wrapWord: a word cut into the current row and as many full rows as it needs. */
function cutWord(rows: string[], word: string, columns: number): void {
  let visible = rows.at(-1)?.length ?? 0;
  const characters = [...word];
  for (const [index, character] of characters.entries()) {
    if (visible + 1 <= columns) rows[rows.length - 1] += character;
    else {
      rows.push(character);
      visible = 0;
    }
    visible += 1;
    if (visible === columns && index < characters.length - 1) {
      rows.push('');
      visible = 0;
    }
  }
  if (!visible && (rows.at(-1)?.length ?? 0) > 0 && rows.length > 1) {
    const tail = rows.pop() ?? '';
    rows[rows.length - 1] += tail;
  }
}

function trimSpacesRight(row: string): string {
  const words = row.split(' ');
  let end = words.length;
  while (end > 0 && (words[end - 1]?.length ?? 0) === 0) end--;
  return end === words.length ? row : words.slice(0, end).join(' ') + words.slice(end).join('');
}

function unsupported(template: string): string {
  throw new RootHelpTemplateError(template);
}

/** A description with a template tag beyond `<%= config.bin %>`: the page needs oclif's ejs. */
export class RootHelpTemplateError extends Error {
  constructor(template: string) {
    super(`root help can't render ${JSON.stringify(template)} without ejs`);
  }
}
