/**
 * Encodes records into the CSV dialect every sink reads (see `SinkBatch` in core/component.ts):
 * header row of column names, `,` delimiter, every string quoted (`"` doubled inside), unquoted
 * empty = NULL, `""` = empty string, timestamps as `YYYY-MM-DD HH:MM:SS.ffffff` UTC, JSON columns
 * as a quoted JSON object.
 *
 * Runs on worker threads on the hot path (~1 µs per access record), so it never builds strings:
 * a per-schema row function (generated once from the column list) writes bytes straight into one
 * reusable buffer. Strings are copied char by char with the quote doubling and UTF-8 encoding done
 * in the same loop (ASCII is one compare per char), integers are written digit by digit, and the
 * `YYYY-MM-DD HH:MM:SS.` prefix of a timestamp is cached as bytes per second. The bytes are exactly
 * those of the string-based encoder (`Buffer.from(text, 'utf8')`, lone surrogates → U+FFFD).
 */
import type { ColumnSchema, ColumnType, RecordSchema } from '../../core/record.js';
import { LINEAGE_COLUMNS } from '../../core/record.js';

const QUOTE = 34;
const COMMA = 44;
const NL = 10;
const DOT = 46;
const ZERO = 48;
const COLON = 58;
const BACKSLASH = 92;
/** JSON short escapes by control character (`\b \t \n \f \r`), 0 = use `\u00XX`. */
const SHORT_ESCAPES = (() => {
  const t = new Uint8Array(32);
  t[8] = 98; t[9] = 116; t[10] = 110; t[12] = 102; t[13] = 114;
  return t;
})();
const HEX = new TextEncoder().encode('0123456789abcdef');

let cachedSec = Number.NaN;
let cachedPrefix = '';
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

function prefixOf(sec: number): string {
  const d = new Date(sec * 1000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.`;
}

/** Microseconds within the second of `ms` (epoch milliseconds, fraction = sub-millisecond), clamped to 999999. */
function microsOf(ms: number, sec: number): number {
  const micros = Math.round((ms - sec * 1000) * 1000);
  return micros >= 1_000_000 ? 999_999 : micros;
}

/** Formats UTC epoch milliseconds (fraction = sub-millisecond) as `YYYY-MM-DD HH:MM:SS.ffffff`. */
export function formatTimestamp(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== cachedSec) { cachedPrefix = prefixOf(sec); cachedSec = sec; }
  return cachedPrefix + String(microsOf(ms, sec)).padStart(6, '0');
}

/** How a lone surrogate is written: U+FFFD as UTF-8 (like Buffer), or a `\udXXX` escape (like JSON.stringify). */
const LONE_AS_REPLACEMENT = 0;
const LONE_AS_JSON_ESCAPE = 1;
/** Extra UTF-16 units the last {@link writeNonAscii} call consumed (1 after a surrogate pair). */
let lastExtraUnits = 0;

/**
 * Writes the non-ASCII code unit `c` = `s[i]` (with `s[i + 1]` when they form a surrogate pair) as
 * UTF-8 into `b` at `p` and returns the new position; sets {@link lastExtraUnits}. Shared by the
 * CSV and JSON string writers, whose ASCII fast paths stay inline.
 */
function writeNonAscii(b: Buffer, p: number, s: string, i: number, c: number, lone: number): number {
  lastExtraUnits = 0;
  if (c < 0x800) {
    b[p++] = 0xc0 | (c >> 6);
    b[p++] = 0x80 | (c & 0x3f);
  } else if (c >= 0xd800 && c <= 0xdfff) {
    const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
      lastExtraUnits = 1;
      b[p++] = 0xf0 | (cp >> 18);
      b[p++] = 0x80 | ((cp >> 12) & 0x3f);
      b[p++] = 0x80 | ((cp >> 6) & 0x3f);
      b[p++] = 0x80 | (cp & 0x3f);
    } else if (lone === LONE_AS_REPLACEMENT) {
      b[p++] = 0xef; b[p++] = 0xbf; b[p++] = 0xbd;
    } else {
      b[p++] = BACKSLASH; b[p++] = 117;
      b[p++] = HEX[c >> 12]!; b[p++] = HEX[(c >> 8) & 15]!; b[p++] = HEX[(c >> 4) & 15]!; b[p++] = HEX[c & 15]!;
    }
  } else {
    b[p++] = 0xe0 | (c >> 12);
    b[p++] = 0x80 | ((c >> 6) & 0x3f);
    b[p++] = 0x80 | (c & 0x3f);
  }
  return p;
}

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
  /**
   * With deferred columns (see {@link createCsvEncoder}): the rows without them, plus for each row
   * the byte offset where they belong ({@link spliceDeferred} fills them in on the engine thread).
   */
  encodeDeferred(records: readonly Record<string, unknown>[], stream: string, uri: string): { readonly bytes: Uint8Array; readonly marks: Uint32Array };
}

/** Byte writers over one growable buffer; each writes a cell without its separator (nothing = NULL). */
interface Writers {
  readonly varchar: (v: unknown) => void;
  readonly integer: (v: unknown) => void;
  readonly bigint: (v: unknown) => void;
  readonly double: (v: unknown) => void;
  readonly boolean: (v: unknown) => void;
  readonly timestamp: (v: unknown) => void;
  readonly json: (v: unknown) => void;
  readonly comma: () => void;
  readonly bytes: (b: Uint8Array) => void;
  readonly reset: () => void;
  readonly take: () => Uint8Array;
  /** Notes the current position (one per row with deferred columns). */
  readonly mark: () => void;
  /** The positions noted since the last call. */
  readonly takeMarks: () => Uint32Array;
}

function createWriters(initial: number): Writers {
  let cap = initial;
  let buf: Buffer = Buffer.allocUnsafeSlow(cap);
  let pos = 0;
  // Timestamp cache (per encoder, so per worker thread): the `YYYY-MM-DD ` bytes of the current UTC
  // day; hours, minutes and seconds are computed from the second within that day.
  let dayStart = Number.NaN;
  const dayPrefix = new Uint8Array(32);
  let dayLen = 0;
  let marks = new Uint32Array(1024);
  let nMarks = 0;

  const ensure = (n: number): void => {
    if (pos + n <= buf.length) return;
    cap = Math.max(buf.length * 2, pos + n);
    const next = Buffer.allocUnsafeSlow(cap);
    next.set(buf.subarray(0, pos));
    buf = next;
  };

  /** Writes `"s"` with `"` doubled, UTF-8 encoded (same bytes as Buffer.from(s, 'utf8')). */
  const quoted = (s: string): void => {
    const n = s.length;
    ensure(n * 3 + 2);
    const b = buf;
    let p = pos;
    b[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c === QUOTE) b[p++] = QUOTE;
        b[p++] = c;
      } else {
        p = writeNonAscii(b, p, s, i, c, LONE_AS_REPLACEMENT);
        i += lastExtraUnits;
      }
    }
    b[p++] = QUOTE;
    pos = p;
  };

  /**
   * Writes `s` as a JSON string literal inside a quoted CSV cell: the JSON quotes come out as `""`,
   * escapes exactly as JSON.stringify makes them (`\"`, `\\`, `\n`..., `\u00XX`, lone surrogates as
   * `\udXXX`), everything else as UTF-8.
   */
  const jsonText = (s: string): void => {
    const n = s.length;
    ensure(n * 6 + 4);
    const b = buf;
    let p = pos;
    b[p++] = QUOTE; b[p++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0x80) {
        if (c === QUOTE) { b[p++] = BACKSLASH; b[p++] = QUOTE; b[p++] = QUOTE; } else if (c === BACKSLASH) { b[p++] = BACKSLASH; b[p++] = BACKSLASH; } else b[p++] = c;
      } else if (c < 0x20) {
        b[p++] = BACKSLASH;
        const e = SHORT_ESCAPES[c]!;
        if (e !== 0) b[p++] = e;
        else { b[p++] = 117; b[p++] = ZERO; b[p++] = ZERO; b[p++] = HEX[c >> 4]!; b[p++] = HEX[c & 15]!; }
      } else {
        p = writeNonAscii(b, p, s, i, c, LONE_AS_JSON_ESCAPE);
        i += lastExtraUnits;
      }
    }
    b[p++] = QUOTE; b[p++] = QUOTE;
    pos = p;
  };

  /** A plain object whose own enumerable values are all strings (the `extras` shape), else null. */
  const flatStringKeys = (v: object): string[] | null => {
    if (Array.isArray(v)) return null;
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return null;
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) if (typeof (v as Record<string, unknown>)[keys[i]!] !== 'string') return null;
    return keys;
  };

  /** Writes an ASCII string as is (number text). */
  const ascii = (s: string): void => {
    const n = s.length;
    ensure(n);
    for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
  };

  /** Writes a safe integer in decimal without building a string. */
  const digits = (v: number): void => {
    ensure(24);
    if (v < 0) { buf[pos++] = 45; v = -v; }
    if (v < 10) { buf[pos++] = ZERO + v; return; }
    let len = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) len++;
    let p = pos + len;
    pos = p;
    while (v >= 10) { const q = Math.floor(v / 10); buf[--p] = ZERO + (v - q * 10); v = q; }
    buf[--p] = ZERO + v;
  };

  const int = (v: number): void => {
    const t = Math.trunc(v);
    if (t <= Number.MAX_SAFE_INTEGER && t >= -Number.MAX_SAFE_INTEGER) digits(t === 0 ? 0 : t); // -0 → 0
    else ascii(String(t));
  };

  return {
    varchar: (v) => {
      if (v === null || v === undefined) return;
      quoted(typeof v === 'string' ? v : String(v));
    },
    integer: (v) => { if (typeof v === 'number' && Number.isFinite(v)) int(v); },
    bigint: (v) => {
      if (typeof v === 'number') { if (Number.isFinite(v)) int(v); } else if (typeof v === 'bigint') ascii(String(v));
    },
    double: (v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return;
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) digits(v); else ascii(String(v));
    },
    boolean: (v) => { if (v === true) ascii('true'); else if (v === false) ascii('false'); },
    timestamp: (v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return;
      const sec = Math.floor(v / 1000);
      let sod = sec - dayStart; // second of the cached day
      if (!(sod >= 0 && sod < 86_400)) {
        dayStart = Math.floor(sec / 86_400) * 86_400;
        const pre = prefixOf(dayStart); // `YYYY-MM-DD 00:00:00.`
        const n = pre.length - 9;
        if (n > dayPrefix.length || pre.charCodeAt(n - 1) !== 32) { dayStart = Number.NaN; ascii(formatTimestamp(v)); return; }
        dayLen = n;
        for (let i = 0; i < n; i++) dayPrefix[i] = pre.charCodeAt(i);
        sod = sec - dayStart;
      }
      const u = microsOf(v, sec);
      if (u < 0) { ascii(formatTimestamp(v)); return; } // float edge case: same text as formatTimestamp
      ensure(dayLen + 16);
      const b = buf;
      let p = pos;
      for (let i = 0; i < dayLen; i++) b[p++] = dayPrefix[i]!;
      const h = Math.floor(sod / 3600);
      const m = Math.floor((sod - h * 3600) / 60);
      const s = sod - h * 3600 - m * 60;
      b[p] = ZERO + Math.floor(h / 10); b[p + 1] = ZERO + (h % 10); b[p + 2] = COLON;
      b[p + 3] = ZERO + Math.floor(m / 10); b[p + 4] = ZERO + (m % 10); b[p + 5] = COLON;
      b[p + 6] = ZERO + Math.floor(s / 10); b[p + 7] = ZERO + (s % 10); b[p + 8] = DOT;
      p += 9;
      let x = u;
      for (let i = 5; i >= 0; i--) { const q = Math.floor(x / 10); b[p + i] = ZERO + (x - q * 10); x = q; }
      pos = p + 6;
    },
    json: (v) => {
      if (v === null || v === undefined) return;
      if (typeof v === 'string') { quoted(v); return; }
      const keys = typeof v === 'object' ? flatStringKeys(v) : null;
      if (keys === null) { quoted(JSON.stringify(v)); return; }
      // {"k":"v",...} written directly: same bytes as quoted(JSON.stringify(v)), no intermediate string.
      ensure(2);
      buf[pos++] = QUOTE; buf[pos++] = 123;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if (i > 0) { ensure(1); buf[pos++] = COMMA; }
        jsonText(k);
        ensure(1); buf[pos++] = 58;
        jsonText((v as Record<string, string>)[k]!);
      }
      ensure(2);
      buf[pos++] = 125; buf[pos++] = QUOTE;
    },
    comma: () => { ensure(1); buf[pos++] = COMMA; },
    bytes: (b) => {
      ensure(b.length);
      buf.set(b, pos);
      pos += b.length;
    },
    reset: () => { pos = 0; nMarks = 0; },
    mark: () => {
      if (nMarks === marks.length) { const m = new Uint32Array(marks.length * 2); m.set(marks); marks = m; }
      marks[nMarks++] = pos;
    },
    takeMarks: () => { const out = marks.slice(0, nMarks); nMarks = 0; return out; },
    // Hands the buffer over (no copy: it is transferred to the engine thread) and starts a new one
    // of the same capacity (allocUnsafeSlow: unpooled, so transferable, and not zero-filled).
    take: () => {
      const out = buf.subarray(0, pos);
      buf = Buffer.allocUnsafeSlow(cap);
      pos = 0;
      return out;
    },
  };
}

const textEncoder = new TextEncoder();

/** Bytes of the quoted cell `s` (lineage constants of a batch). */
function quotedBytes(s: string): Uint8Array {
  return textEncoder.encode(s.indexOf('"') === -1 ? `"${s}"` : `"${s.replaceAll('"', '""')}"`);
}

const WRITER_OF: Readonly<Record<ColumnType, keyof Writers>> = {
  varchar: 'varchar', integer: 'integer', bigint: 'bigint', double: 'double', boolean: 'boolean', timestamp: 'timestamp', json: 'json',
};

/**
 * Compiles an encoder for `schema`. Lineage values come from each record's `source_offset` /
 * `source_line` and the batch's stream and uri. The last `deferred` columns of the schema (those a
 * keyed stage fills on the engine thread) are left out by `encodeDeferred`, which notes where each
 * row's values go instead.
 */
export function createCsvEncoder(schema: RecordSchema, deferred = 0): CsvEncoder {
  const w = createWriters(1 << 20);
  const written = schema.columns.slice(0, schema.columns.length - deferred);
  // Straight-line row code: one writer call per column, property names JSON-quoted (no code injection).
  const body = written.map((c, i) => `${i > 0 ? 'comma();' : ''}${WRITER_OF[c.type]}(r[${JSON.stringify(c.name)}]);`).join('')
    + (deferred > 0 ? 'mark();' : '');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- code built only from schema column names (JSON-quoted)
  const row = new Function('w', [
    'const { varchar, integer, bigint, double, boolean, timestamp, json, comma, bytes, mark } = w;',
    'return (r, mid, end) => {',
    `  ${body}`,
    '  bytes(mid); bigint(r.source_offset); comma(); bigint(r.source_line); comma(); bytes(end);',
    '};',
  ].join('\n'))(w) as (r: Record<string, unknown>, mid: Uint8Array, end: Uint8Array) => void;
  return {
    encode(records, stream, uri) {
      w.reset();
      // `,"<stream>",` between the schema columns and the offsets; `"<uri>"\n` closes the row.
      const q = quotedBytes(stream);
      const mid = new Uint8Array(q.length + 2);
      mid[0] = COMMA; mid.set(q, 1); mid[q.length + 1] = COMMA;
      const u = quotedBytes(uri);
      const end = new Uint8Array(u.length + 1);
      end.set(u); end[u.length] = NL;
      for (let i = 0; i < records.length; i++) row(records[i]!, mid, end);
      return w.take();
    },
    encodeDeferred(records, stream, uri) {
      const bytes = this.encode(records, stream, uri);
      return { bytes, marks: w.takeMarks() };
    },
  };
}

let spliceWriters: Writers | undefined;

/**
 * Inserts the deferred columns' cells into rows made by {@link CsvEncoder.encodeDeferred}: before
 * `marks[i]` go `,<cell>` for each of `columns`, valued `values[c][i]`. Returns fresh bytes.
 */
export function spliceDeferred(
  bytes: Uint8Array, marks: Uint32Array, columns: readonly ColumnSchema[], values: readonly (readonly unknown[])[],
): Uint8Array {
  const w = (spliceWriters ??= createWriters(1 << 20));
  w.reset();
  const write = columns.map((c) => w[WRITER_OF[c.type]] as (v: unknown) => void);
  let prev = 0;
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i]!;
    w.bytes(bytes.subarray(prev, m));
    for (let c = 0; c < write.length; c++) { w.comma(); write[c]!(values[c]![i]); }
    prev = m;
  }
  w.bytes(bytes.subarray(prev));
  return w.take();
}
