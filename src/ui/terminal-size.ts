/**
 * The size a full-screen view draws in. A terminal that doesn't report one (`script` without a
 * size, `docker run -t` before the first resize, some CI log viewers) says 0 columns and 0 rows, or
 * nothing: both mean "unknown", not "no room", and get the classic 80x24.
 */
export function terminalSize(stream: { columns?: number | undefined; rows?: number | undefined }): {
  columns: number;
  rows: number;
} {
  return { columns: known(stream.columns) ?? 80, rows: known(stream.rows) ?? 24 };
}

function known(size: number | undefined): number | undefined {
  return size !== undefined && Number.isFinite(size) && size > 0 ? size : undefined;
}
