/**
 * GitLab CI: a dotenv report (`artifacts: reports: dotenv`) so that `environment: url` can use
 * $TRAEFIKCTL_URL, and collapsible sections around each phase of the log.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { DeployResult } from '../model.js';
import type { EventSink } from '../events.js';

/** Where the dotenv report goes without --dotenv / TRAEFIKCTL_DOTENV (relative to the job's directory). */
export const DEFAULT_DOTENV = 'traefikctl.env';

/** GitLab's dotenv reports take single-line values without quotes' escapes: we refuse newlines. */
function line(name: string, value: string): string {
  return `${name}=${value.replace(/[\r\n]/g, ' ')}`;
}

export function dotenvOf(result: DeployResult): string {
  return [
    line('TRAEFIKCTL_URL', result.url),
    line('TRAEFIKCTL_HOST', result.host),
    line('TRAEFIKCTL_SERVICE', result.service),
    line('TRAEFIKCTL_IMAGE', result.image),
    line('TRAEFIKCTL_STATUS', result.status),
    line('TRAEFIKCTL_ENV', result.env),
    line('TRAEFIKCTL_TAG', result.tag),
    '',
  ].join('\n');
}

export async function writeDotenv(file: string, result: DeployResult): Promise<string> {
  const absolute = path.resolve(file);
  await mkdir(path.dirname(absolute), { recursive: true });
  await writeFile(absolute, dotenvOf(result), 'utf8');
  return absolute;
}

const ESC = '\u001b';

/** A section name GitLab accepts: [a-z0-9_.-]. */
function sectionName(id: string): string {
  return `traefikctl_${id.toLowerCase().replace(/[^a-z0-9_.-]/g, '_')}`;
}

export function sectionStart(id: string, header: string, now = Date.now()): string {
  return `${ESC}[0Ksection_start:${Math.floor(now / 1000)}:${sectionName(id)}[collapsed=true]\r${ESC}[0K${header.replace(/[\r\n]/g, ' ')}\n`;
}

export function sectionEnd(id: string, now = Date.now()): string {
  return `${ESC}[0Ksection_end:${Math.floor(now / 1000)}:${sectionName(id)}\r${ESC}[0K\n`;
}

/**
 * Wraps a sink so that each phase's lines fall in a collapsed section: the section opens before the
 * phase's first line and closes after its last, so the phase's result line stays visible.
 */
export function gitLabSections(sink: EventSink, write: (text: string) => void, now = Date.now): EventSink {
  let open: string | undefined;
  return (event) => {
    if (event.type === 'phase' && event.status === 'running' && open !== event.id) {
      if (open !== undefined) write(sectionEnd(open, now()));
      open = event.id;
      write(sectionStart(event.id, event.title, now()));
    }
    const ends = event.type === 'phase' && open === event.id && event.status !== 'running';
    if (ends && open !== undefined) {
      write(sectionEnd(open, now()));
      open = undefined;
    }
    sink(event);
  };
}
