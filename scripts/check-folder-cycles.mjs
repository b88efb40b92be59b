#!/usr/bin/env node
// Fails when the folders of src/lib import each other in a cycle (app -> routes -> app, say), type
// imports and dynamic import() included: each folder is one part of the design, and a cycle means two
// parts that can't be understood, tested or replaced (a second deployment target) one without the
// other. A file directly in src/lib (model.ts, errors.ts, ...) counts as a folder of its own.
// Usage: node scripts/check-folder-cycles.mjs [--files] [dir]   (default src/lib); exit 1 and the
// cycles when any. --files checks cycles between files instead of folders.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const byFile = process.argv.includes('--files');
const root = path.resolve(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 'src/lib');
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield full;
  }
}

/** The source file a `./x.js` specifier names: x.ts, or x.tsx for a view. */
function sourceOf(target) {
  const base = target.replace(/\.js$/, '');
  return ['.ts', '.tsx', '.mts'].map((ext) => base + ext).find((file) => existsSync(file)) ?? target;
}

/** The folder a file belongs to: its first directory under root, or the file's own name at the top. */
function partOf(file) {
  if (byFile) return path.relative(root, file);
  const [first, ...rest] = path.relative(root, file).split(path.sep);
  return rest.length === 0 ? first.replace(/\.(ts|tsx|mts|js)$/, '') : first;
}

/** part -> part -> one importing file and specifier, as evidence. */
const edges = new Map();
for (const file of sources(root)) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(SPECIFIER)) {
    const target = sourceOf(path.resolve(path.dirname(file), match[1]));
    if (path.relative(root, target).startsWith('..')) continue;
    const from = partOf(file);
    const to = partOf(target);
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to))
      edges.get(from).set(to, `${path.relative(process.cwd(), file)} imports ${match[1]}`);
  }
}

// Tarjan's strongly connected components: every component of two or more parts is a cycle.
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const components = [];
let counter = 0;
function visit(node) {
  index.set(node, counter);
  low.set(node, counter);
  counter++;
  stack.push(node);
  onStack.add(node);
  for (const next of edges.get(node)?.keys() ?? []) {
    if (!index.has(next)) {
      visit(next);
      low.set(node, Math.min(low.get(node), low.get(next)));
    } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
  }
  if (low.get(node) === index.get(node)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) components.push(component.sort());
  }
}
for (const node of edges.keys()) if (!index.has(node)) visit(node);

if (components.length === 0) {
  process.stdout.write(
    `No import cycle between the ${byFile ? 'files' : 'folders'} of ${path.relative(process.cwd(), root) || root}.` +
      '\n',
  );
  process.exit(0);
}
for (const component of components) {
  process.stderr.write(`Import cycle between ${component.join(', ')}:` + '\n');
  for (const from of component) {
    for (const [to, evidence] of edges.get(from) ?? []) {
      if (component.includes(to)) process.stderr.write(`  ${from} -> ${to}: ${evidence}` + '\n');
    }
  }
}
process.stderr.write(
  'Move what both sides need into a folder (or src/lib/model.ts) that imports neither.' + '\n',
);
process.exit(1);
