import { describe, expect, it } from 'vitest';

import { formatLogLine, localTime } from '../../src/ui/app-logs.js';
import type { Presentation } from '../../src/ui/mode.js';

const line = {
  timestamp: Date.parse('2026-08-22T12:03:05.042Z'),
  stream: 'whoami-v2/whoami/0123456789abcdef0123456789abcdef',
  task: '0123456789abcdef0123456789abcdef',
  message: 'GET / 200\n',
};

describe('formatLogLine', () => {
  it('is ISO time, task id and message, tab-separated, in a pipe', () => {
    const pipe: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };
    expect(formatLogLine(line, pipe)).toBe(
      '2026-08-22T12:03:05.042Z\t0123456789abcdef0123456789abcdef\tGET / 200\n',
    );
  });

  it('is local time, a short task id and the message on a terminal', () => {
    const terminal: Presentation = { mode: 'tty', stdoutIsTty: true, color: false, interactive: true };
    expect(formatLogLine(line, terminal)).toBe(`${localTime(line.timestamp)} 01234567 GET / 200\n`);
    expect(localTime(line.timestamp)).toMatch(/^2026-08-2\d \d\d:03:05\.042$/);
  });
});
