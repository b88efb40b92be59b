/**
 * `--json` output in pieces: a large array (10,000 routes, 1,000 deployments) is serialised a
 * hundred elements at a time instead of as one string.
 *
 * One 6 MiB string lands in V8's large-object space: fresh memory that the stringifier and the
 * pipe write each fault in page by page, then one more copy to join it. At 10,000 routes that made
 * `JSON.stringify` take 90 ms, of which a third was page faults; the same routes in pieces of 100
 * (about 64 KiB each, which the young generation recycles) take 35 ms (bench/RESULTS.md).
 */

/** Elements per piece: about 64 KiB of JSON for a route, well under V8's large-object threshold. */
export const JSON_CHUNK_ELEMENTS = 100;

/**
 * The text of `JSON.stringify(value, null, indent)`, in pieces that concatenate to exactly it.
 * Arrays longer than `chunk` are serialised `chunk` elements at a time; anything else in one piece.
 * (An element's `toJSON(key)` is called with its index within the piece; no value of ours has one
 * that reads the key.)
 */
export function* jsonChunks(value: unknown, indent?: number, chunk = JSON_CHUNK_ELEMENTS): Generator<string> {
  if (!Array.isArray(value) || value.length <= chunk || hasToJson(value)) {
    // As a template: JSON.stringify(undefined) is undefined, printed as before.
    yield `${JSON.stringify(value, null, indent)}`;
    return;
  }
  // JSON.stringify's gap: at most 10 spaces; none below 1.
  const pretty = indent !== undefined && Math.min(10, Math.floor(indent)) >= 1;
  yield pretty ? '[\n' : '[';
  for (let start = 0; start < value.length; start += chunk) {
    const text = JSON.stringify(value.slice(start, start + chunk), null, indent);
    // The elements without their brackets (and, indented, the newlines inside them): at depth 1,
    // as in the whole array.
    const elements = pretty ? text.slice(2, -2) : text.slice(1, -1);
    yield start === 0 ? elements : `${pretty ? ',\n' : ','}${elements}`;
  }
  yield pretty ? '\n]' : ']';
}

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
