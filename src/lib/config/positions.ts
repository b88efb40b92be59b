import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

import type { KeyPath } from './interpolate.js';

/** Where something is in a file: 1-based, as editors and `file:line:col` links count. */
export interface FilePosition {
  line: number;
  col: number;
}

/**
 * Finds keys and values of a configuration file's text by their key path, for messages in the
 * `file:line:col: ...` form that editors and terminals turn into links. `onKey` asks for the key
 * (an unknown key, a bad name) rather than its value. A path that goes past what the file holds
 * (a missing key) gives the position of the deepest part that is there. JSON files are YAML too.
 *
 * The text is parsed again, once, on the first question: this runs only when there is a problem to
 * report, so a valid configuration never pays for it.
 */
export function positionsIn(content: string): (keys: KeyPath, onKey: boolean) => FilePosition | undefined {
  let parsed: { contents: Node | null; lines: LineCounter } | undefined;
  return (keys, onKey) => {
    if (parsed === undefined) {
      const lines = new LineCounter();
      const doc = parseDocument(content, { lineCounter: lines, merge: true });
      parsed = { contents: doc.contents, lines };
    }
    const offset = offsetOf(parsed.contents, keys, onKey);
    return offset === undefined ? undefined : parsed.lines.linePos(offset);
  };
}

function offsetOf(root: Node | null, keys: KeyPath, onKey: boolean): number | undefined {
  let node: Node | null = root;
  let found: number | undefined;
  for (const [index, key] of keys.entries()) {
    const last = index === keys.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      if (pair === undefined) return found;
      const keyNode = pair.key as Node;
      const valueNode = isNode(pair.value) ? pair.value : null;
      found = last && !onKey && valueNode?.range ? valueNode.range[0] : keyNode.range?.[0];
      node = valueNode;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (!isNode(item)) return found;
      found = item.range?.[0];
      node = item;
    } else {
      return found;
    }
  }
  return found;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}
