/**
 * Debug lines on stderr, for the details that "rerun with DEBUG=traefikctl*" promises: every AWS
 * call (`traefikctl:aws`), Traefik API request (`traefikctl:traefik`) and docker command
 * (`traefikctl:docker`), with how long it took. Enabled as the `debug` package does it: DEBUG is a
 * list of names separated by commas or spaces, `*` matches anything, a leading `-` excludes
 * (`DEBUG=traefikctl*`, `DEBUG=traefikctl:aws`, `DEBUG=*,-traefikctl:docker`).
 *
 * The one exception to "lib never prints": debug output is for whoever set DEBUG, and goes straight
 * to stderr. Callers pass only what is safe to show: no request bodies, no headers, no credentials;
 * docker argv goes through its own redaction first.
 */

export type DebugNamespace = 'aws' | 'traefik' | 'docker';

function pattern(name: string): RegExp {
  const escaped = name.replace(/[|\\{}()[\]^$+?.]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`);
}

/** Whether `DEBUG` (the variable's value) turns on `traefikctl:<namespace>`. */
export function debugEnabled(namespace: DebugNamespace, setting = process.env.DEBUG): boolean {
  if (setting === undefined || setting.trim() === '') return false;
  const name = `traefikctl:${namespace}`;
  let enabled = false;
  for (const entry of setting.split(/[\s,]+/).filter(Boolean)) {
    if (entry.startsWith('-')) {
      if (pattern(entry.slice(1)).test(name)) return false;
    } else if (pattern(entry).test(name)) {
      enabled = true;
    }
  }
  return enabled;
}

type DebugWriter = (line: string) => void;

let writer: DebugWriter = (line) => {
  process.stderr.write(line);
};

/** Where debug lines go; the previous writer is returned (tests collect lines, then put it back). */
export function setDebugWriter(next: DebugWriter): DebugWriter {
  const previous = writer;
  writer = next;
  return previous;
}

/** Writes `traefikctl:<namespace> <message>` when DEBUG enables the namespace. */
export function debug(namespace: DebugNamespace, message: string): void {
  if (debugEnabled(namespace)) writer(`traefikctl:${namespace} ${message}\n`);
}

/** Milliseconds since `started` (a `performance.now()`), for the lines above. */
export function since(started: number): string {
  return `${Math.round(performance.now() - started)}ms`;
}
