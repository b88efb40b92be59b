import { stripVTControlCharacters } from 'node:util';

import type { Presentation } from './mode.js';
import { stylist, type Stylist } from './style.js';
import { visible } from './visible.js';

export interface Column<Row> {
  header: string;
  /** The cell's text; its control characters are made visible here (src/ui/visible.ts). */
  value: (row: Row) => string;
  /**
   * The cell on a terminal: `text` (the value, made visible) with colour around it. Paint `text`,
   * not the row's fields, so that no outside text reaches the terminal as it came.
   */
  styled?: (row: Row, s: Stylist, text: string) => string;
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
      .map((row) => columns.map((c) => visible(c.value(row).replaceAll(/[\t\n]/g, ' '))).join('\t') + '\n')
      .join('');
  }
  const s = stylist(presentation.color);
  const cells = rows.map((row) => columns.map((c) => visible(c.value(row))));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((r) => visibleLength(r[i] ?? ''))),
  );
  const pad = (text: string, width: number, align: 'left' | 'right' = 'left') => {
    const gap = ' '.repeat(Math.max(0, width - visibleLength(text)));
    return align === 'right' ? gap + text : text + gap;
  };
  const lines = [
    columns
      // Padded outside the bold, so that trimEnd() takes the last header's padding too.
      .map((c, i) => pad(s.bold(c.header.toUpperCase()), widths[i] ?? 0, c.align))
      .join('  ')
      .trimEnd(),
  ];
  rows.forEach((row, r) => {
    lines.push(
      columns
        .map((c, i) => {
          const plain = cells[r]?.[i] ?? '';
          const text = c.styled ? c.styled(row, s, plain) : plain;
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
