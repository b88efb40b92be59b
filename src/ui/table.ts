import { stripVTControlCharacters } from 'node:util';

import type { Presentation } from './mode.js';
import { stylist } from './style.js';

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** Styled text for a terminal; the plain value is used for width and for pipes. */
  styled?: (row: Row, s: ReturnType<typeof stylist>) => string;
  align?: 'left' | 'right';
}

/**
 * Rows for stdout. A terminal gets a header and aligned columns; a pipe gets tab-separated values
 * without a header, one row per line, ready for `cut`, `awk` or `while read`.
 */
export function renderTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  presentation: Presentation,
): string {
  if (!presentation.stdoutIsTty) {
    return rows
      .map((row) => columns.map((c) => c.value(row).replaceAll(/[\t\n]/g, ' ')).join('\t') + '\n')
      .join('');
  }
  const s = stylist(presentation.color);
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((r) => visibleLength(r[i] ?? ''))),
  );
  const pad = (text: string, width: number, align: 'left' | 'right' = 'left') => {
    const gap = ' '.repeat(Math.max(0, width - visibleLength(text)));
    return align === 'right' ? gap + text : text + gap;
  };
  const lines = [
    columns
      .map((c, i) => s.bold(pad(c.header.toUpperCase(), widths[i] ?? 0, c.align)))
      .join('  ')
      .trimEnd(),
  ];
  rows.forEach((row, r) => {
    lines.push(
      columns
        .map((c, i) => {
          const plain = cells[r]?.[i] ?? '';
          const text = c.styled ? c.styled(row, s) : plain;
          return pad(text, widths[i] ?? 0, c.align);
        })
        .join('  ')
        .trimEnd(),
    );
  });
  return `${lines.join('\n')}\n`;
}

function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}
