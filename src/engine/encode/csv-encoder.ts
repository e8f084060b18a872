/**
 * Encodes records into the CSV dialect every sink reads (see `SinkBatch` in core/component.ts):
 * header row of column names, `,` delimiter, every string quoted (`"` doubled inside), unquoted
 * empty = NULL, `""` = empty string, timestamps as `YYYY-MM-DD HH:MM:SS.ffffff` UTC, JSON columns
 * as a quoted JSON object. Runs on worker threads on the hot path, so it writes bytes straight into
 * one growing buffer instead of building strings (string concatenation made GC the bottleneck).
 */
import type { ColumnSchema, ColumnType, RecordSchema } from '../../core/record.js';
import { LINEAGE_COLUMNS } from '../../core/record.js';

const QUOTE = 34;
const COMMA = 44;
const NL = 10;

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

/** A growable byte buffer with the few writes the encoder needs. */
class ByteSink {
  buf: Buffer;
  pos = 0;
  constructor(initial: number) { this.buf = Buffer.allocUnsafeSlow(initial); }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  byte(b: number): void { this.ensure(1); this.buf[this.pos++] = b; }
  /** Writes a string as UTF-8 (a JS string of n UTF-16 units needs at most 3n bytes). */
  raw(s: string): void { this.ensure(s.length * 3); this.pos += this.buf.write(s, this.pos, 'utf8'); }
  quoted(s: string): void {
    this.ensure(s.length * 3 + 2);
    this.buf[this.pos++] = QUOTE;
    this.pos += this.buf.write(s.indexOf('"') === -1 ? s : s.replaceAll('"', '""'), this.pos, 'utf8');
    this.buf[this.pos++] = QUOTE;
  }
  /** A fresh, unpooled copy of what was written (transferable to another thread). */
  take(): Uint8Array {
    const out = new Uint8Array(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }
}

/** Renders one cell (without its separator); empty string = NULL. */
type Cell = (v: unknown) => string;

const q = (s: string): string => (s.indexOf('"') === -1 ? `"${s}"` : `"${s.replaceAll('"', '""')}"`);

const CELLS: Readonly<Record<ColumnType, Cell>> = {
  varchar: (v) => (v === null || v === undefined ? '' : q(typeof v === 'string' ? v : String(v))),
  integer: (v) => (typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : ''),
  bigint: (v) => (typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : typeof v === 'bigint' ? String(v) : ''),
  double: (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : ''),
  timestamp: (v) => (typeof v === 'number' && Number.isFinite(v) ? formatTimestamp(v) : ''),
  json: (v) => (v === null || v === undefined ? '' : q(typeof v === 'string' ? v : JSON.stringify(v))),
};

/** The columns a stored row has: the schema's columns followed by the lineage columns. */
export function storedColumns(schema: RecordSchema): readonly ColumnSchema[] {
  return [...schema.columns, ...LINEAGE_COLUMNS];
}

/** The CSV header line (with trailing newline) for a schema. */
export function csvHeader(schema: RecordSchema): string {
  return `${storedColumns(schema).map((c) => c.name).join(',')}\n`;
}

/** A compiled encoder for one schema. */
export interface CsvEncoder {
  /** CSV rows (no header) for `records`, as fresh transferable bytes. */
  encode(records: readonly Record<string, unknown>[], stream: string, uri: string): Uint8Array;
}

/**
 * Compiles an encoder for `schema`. Lineage values come from each record's `source_offset` /
 * `source_line` and the batch's stream and uri.
 */
export function createCsvEncoder(schema: RecordSchema): CsvEncoder {
  // One generated template literal per record: a single string per row, written with one call.
  const body = schema.columns.map((c, i) => `\${c${i}(r[${JSON.stringify(c.name)}])}`).join(',');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- code built only from schema column names (JSON-quoted)
  const row = new Function(...schema.columns.map((_c, i) => `c${i}`), `return (r, tail) => \`${body},\${tail}\${r.source_offset},\${r.source_line},\`;`)(
    ...schema.columns.map((c) => CELLS[c.type]),
  ) as (r: Record<string, unknown>, tail: string) => string;
  const out = new ByteSink(1 << 20);
  return {
    encode(records, stream, uri) {
      out.pos = 0;
      const tail = `${q(stream)},`;
      const end = `${q(uri)}\n`;
      for (const r of records) { out.raw(row(r, tail)); out.raw(end); }
      return out.take();
    },
  };
}
