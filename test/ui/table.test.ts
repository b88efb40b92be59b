import { stripVTControlCharacters } from 'node:util';

import { describe, expect, it } from 'vitest';

import type { Presentation } from '../../src/ui/mode.js';
import { renderTable, type Column } from '../../src/ui/table.js';

interface Row {
  app: string;
  url: string;
  running: number;
}
const rows: Row[] = [
  { app: 'whoami', url: 'http://whoami-v2.dev.example.com', running: 2 },
  { app: 'api', url: 'http://api-feature-x.dev.example.com', running: 10 },
];
const columns: Column<Row>[] = [
  { header: 'app', value: (r) => r.app },
  { header: 'url', value: (r) => r.url },
  { header: 'running', value: (r) => String(r.running), align: 'right' },
];
const terminal: Presentation = { mode: 'tty', stdoutIsTty: true, color: false, interactive: true };
const pipe: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };

describe('renderTable', () => {
  it('aligns columns under a header on a terminal', () => {
    expect(renderTable(rows, columns, terminal)).toBe(
      [
        'APP     URL                                   RUNNING',
        'whoami  http://whoami-v2.dev.example.com            2',
        'api     http://api-feature-x.dev.example.com       10',
        '',
      ].join('\n'),
    );
  });

  it('ends no line in spaces, in colour too, where the last column is the widest', () => {
    const wide: Column<Row>[] = [
      { header: 'app', value: (r) => r.app },
      { header: 'url', value: (r) => r.url },
    ];
    const text = renderTable(rows, wide, { ...terminal, color: true });
    expect(text).toContain('\x1b[1m'); // the header is bold
    expect(text.split('\n').filter((line) => /\s$/.test(stripVTControlCharacters(line)))).toEqual([]);
  });

  it('prints tab-separated rows without a header on a pipe', () => {
    expect(renderTable(rows, columns, pipe)).toBe(
      'whoami\thttp://whoami-v2.dev.example.com\t2\napi\thttp://api-feature-x.dev.example.com\t10\n',
    );
  });

  it('keeps a row on one line when a value holds a tab or newline', () => {
    expect(renderTable([{ app: 'a\tb', url: 'x\ny', running: 1 }], columns, pipe)).toBe('a b\tx y\t1\n');
  });
});
