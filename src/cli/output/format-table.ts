/** Renders query results as an aligned text table, CSV or JSON lines. */

/** A result set: column names and rows of JSON-safe values. */
export interface ResultSet {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

const cell = (v: unknown): string => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** An aligned table with a header rule; long cells are cut at `maxWidth` characters. */
export function formatTable(rs: ResultSet, maxWidth = 60): string {
  const cut = (s: string): string => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const body = rs.rows.map((r) => r.map((v) => cut(cell(v))));
  const widths = rs.columns.map((c, i) => Math.max(c.length, ...body.map((r) => r[i]?.length ?? 0)));
  const isNum = rs.columns.map((_c, i) => rs.rows.every((r) => r[i] === null || typeof r[i] === 'number'));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (isNum[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(rs.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), `(${rs.rows.length} row${rs.rows.length === 1 ? '' : 's'})`].join('\n');
}

/** RFC 4180 CSV with a header row. */
export function formatCsv(rs: ResultSet): string {
  const q = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [rs.columns.map(q).join(','), ...rs.rows.map((r) => r.map(q).join(','))].join('\n');
}

/** One JSON object per row. */
export function formatJsonLines(rs: ResultSet): string {
  return rs.rows.map((r) => JSON.stringify(Object.fromEntries(rs.columns.map((c, i) => [c, r[i] ?? null])))).join('\n');
}
