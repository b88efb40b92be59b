import type { LogLine } from '../lib/app/logs.js';
import type { Presentation } from './mode.js';
import { stylist } from './style.js';
import { visible } from './visible.js';

/**
 * One log line for stdout. A terminal gets the local time to the millisecond, a short task id and
 * the message; a pipe gets `ISO 8601 <tab> task id <tab> message`, for `cut`, `awk` and `grep`.
 */
export function formatLogLine(line: LogLine, presentation: Presentation): string {
  // An app's output: its tabs and line breaks kept, any escape sequence shown rather than obeyed.
  const message = visible(line.message.replace(/\r?\n$/, ''), { layout: true });
  const task = visible(line.task);
  if (!presentation.stdoutIsTty) {
    return `${new Date(line.timestamp).toISOString()}\t${task}\t${message}\n`;
  }
  const s = stylist(presentation.color);
  return `${s.dim(localTime(line.timestamp))} ${s.cyan(task.slice(0, 8))} ${message}\n`;
}

/** `2026-08-22 14:03:05.123` in the local time zone. */
export function localTime(timestamp: number): string {
  const date = new Date(timestamp);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}
