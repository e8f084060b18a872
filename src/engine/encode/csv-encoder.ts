/**
 * Encodes records into the CSV dialect every sink reads (see `SinkBatch` in core/component.ts):
 * header row of column names, `,` delimiter, every string quoted (`"` doubled inside), unquoted
 * empty = NULL, `""` = empty string, timestamps as `YYYY-MM-DD HH:MM:SS.ffffff` UTC, JSON columns
 * as a quoted JSON object. Runs on worker threads, on the hot path: one template per column type,
 * no regex per value.
 */
import type { ColumnSchema, ColumnType, RecordSchema } from '../../core/record.js';
import { LINEAGE_COLUMNS } from '../../core/record.js';

type Cell = (v: unknown) => string;

const quote = (s: string): string => (s.indexOf('"') === -1 ? `"${s}"` : `"${s.replaceAll('"', '""')}"`);

let cachedSec = Number.NaN;
let cachedPrefix = '';
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** Formats UTC epoch milliseconds (fraction = sub-millisecond) as `YYYY-MM-DD HH:MM:SS.ffffff`. */
export function formatTimestamp(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== cachedSec) {
    const d = new Date(sec * 1000);
    cachedPrefix = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.`;
    cachedSec = sec;
  }
  const micros = Math.round((ms - sec * 1000) * 1000);
  return cachedPrefix + (micros >= 1_000_000 ? '999999' : String(micros).padStart(6, '0'));
}

const CELLS: Readonly<Record<ColumnType, Cell>> = {
  varchar: (v) => (v === null || v === undefined ? '' : quote(typeof v === 'string' ? v : String(v))),
  integer: (v) => (typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : ''),
  bigint: (v) => (typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : typeof v === 'bigint' ? String(v) : ''),
  double: (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : ''),
  timestamp: (v) => (typeof v === 'number' && Number.isFinite(v) ? formatTimestamp(v) : ''),
  json: (v) => (v === null || v === undefined ? '' : quote(typeof v === 'string' ? v : JSON.stringify(v))),
};

/** The columns a stored row has: the schema's columns followed by the lineage columns. */
export function storedColumns(schema: RecordSchema): readonly ColumnSchema[] {
  return [...schema.columns, ...LINEAGE_COLUMNS];
}

/** The CSV header line (with trailing newline) for a schema. */
export function csvHeader(schema: RecordSchema): string {
  return `${storedColumns(schema).map((c) => c.name).join(',')}\n`;
}

/** A compiled encoder for one schema: `encode(records, stream, uri)` returns CSV rows (no header). */
export interface CsvEncoder {
  encode(records: readonly Record<string, unknown>[], stream: string, uri: string): string;
}

/**
 * Compiles an encoder for `schema`. Lineage values come from each record's `source_offset` /
 * `source_line` and the batch's stream and uri.
 */
export function createCsvEncoder(schema: RecordSchema): CsvEncoder {
  const cols = schema.columns.map((c) => ({ name: c.name, cell: CELLS[c.type] }));
  return {
    encode(records, stream, uri) {
      const tail = `,${quote(stream)}`;
      const uriCell = quote(uri);
      const parts: string[] = [];
      for (const r of records) {
        let line = '';
        for (let i = 0; i < cols.length; i++) {
          const c = cols[i]!;
          line += i === 0 ? c.cell(r[c.name]) : `,${c.cell(r[c.name])}`;
        }
        parts.push(`${line}${tail},${r.source_offset as number},${r.source_line as number},${uriCell}\n`);
      }
      return parts.join('');
    },
  };
}
