/**
 * For the tests that hold traefikctl's help pages without oclif's runtime (src/help/) to the pages
 * oclif prints: this package's files as those pages read them, and what oclif's help prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';

import { vi } from 'vitest';

import { REPO_ROOT } from './cli.js';

/** package.json and oclif.manifest.json of this checkout (`npm test` builds first: the manifest lists dist/'s commands). */
export function packageFiles<P, M>(): { pjson: P; manifest: M } {
  const read = (file: string) => JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as unknown;
  return { pjson: read('package.json') as P, manifest: read('oclif.manifest.json') as M };
}

/** What oclif's help prints while `show` runs (it writes through ux.stdout, which is console.log). */
export async function printedByOclif(show: () => Promise<void>): Promise<string> {
  let out = '';
  const write = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    out += `${args.length > 0 ? format(...args) : ''}\n`;
  });
  try {
    await show();
  } finally {
    write.mockRestore();
  }
  return out;
}
