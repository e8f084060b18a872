/**
 * DuckDB helpers shared by the lake and warehouse sinks: UTC connections and conversion of DuckDB
 * values into JSON-safe JavaScript values.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';
import {
  DuckDBDateValue, DuckDBDecimalValue, DuckDBListValue, DuckDBArrayValue, DuckDBMapValue, DuckDBStructValue,
  DuckDBTimestampMillisecondsValue, DuckDBTimestampNanosecondsValue, DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue, DuckDBTimestampValue,
} from '@duckdb/node-api';

/** A JSON-safe value. */
export type JsonSafe = string | number | boolean | null | readonly JsonSafe[] | { readonly [k: string]: JsonSafe };

/** Opens a connection on `instance` and runs `SET TimeZone='UTC'` on it before anything else. */
export async function connectUtc(instance: DuckDBInstance): Promise<DuckDBConnection> {
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return conn;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * Formats UTC epoch microseconds as ISO-8601 with microseconds and `Z`
 * (`2024-03-05T12:34:56.123456Z`); infinities print as `infinity` / `-infinity`.
 */
export function isoFromMicros(micros: bigint): string {
  if (micros >= DuckDBTimestampValue.PosInf.micros) return 'infinity';
  if (micros <= DuckDBTimestampValue.NegInf.micros) return '-infinity';
  let ms = micros / 1000n;
  let frac = micros % 1_000_000n;
  if (frac < 0n) { frac += 1_000_000n; }
  if (micros < 0n && micros % 1000n !== 0n) ms -= 1n;
  const d = new Date(Number(ms));
  const year = d.getUTCFullYear();
  const y = year >= 0 && year <= 9999 ? pad(year, 4) : (year < 0 ? '-' : '+') + pad(Math.abs(year), 6);
  return `${y}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(Number(frac), 6)}Z`;
}

/**
 * Converts one DuckDB value to a JSON-safe value: BIGINT/HUGEINT → number when safe, else string;
 * timestamps (any precision, with or without time zone) → ISO-8601 UTC strings with microseconds;
 * DATE → `YYYY-MM-DD`; DECIMAL → number; non-finite doubles → string; lists/structs/maps recurse;
 * anything else (UUID, INTERVAL, BLOB, ...) → its DuckDB text form.
 */
export function toJsonSafe(v: DuckDBValue): JsonSafe {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : String(v);
  if (v instanceof DuckDBTimestampValue || v instanceof DuckDBTimestampTZValue) return isoFromMicros(v.micros);
  if (v instanceof DuckDBTimestampMillisecondsValue) return isoFromMicros(v.millis * 1000n);
  if (v instanceof DuckDBTimestampSecondsValue) return isoFromMicros(v.seconds * 1_000_000n);
  if (v instanceof DuckDBTimestampNanosecondsValue) return isoFromMicros(v.nanos / 1000n);
  if (v instanceof DuckDBDateValue) return v.toString();
  if (v instanceof DuckDBDecimalValue) return v.toDouble();
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map(toJsonSafe);
  if (v instanceof DuckDBStructValue) {
    return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, toJsonSafe(x)]));
  }
  if (v instanceof DuckDBMapValue) return v.entries.map((e) => ({ key: toJsonSafe(e.key), value: toJsonSafe(e.value) }));
  return String(v);
}

/** Column names and DuckDB type names of a result. */
export function resultColumns(reader: DuckDBResultReader): { readonly name: string; readonly type: string }[] {
  const names = reader.columnNames();
  return names.map((name, i) => ({ name, type: reader.columnType(i).toString() }));
}

/** All rows of a fully read result as arrays of JSON-safe values. */
export function resultRows(reader: DuckDBResultReader): JsonSafe[][] {
  return reader.getRows().map((row) => row.map(toJsonSafe));
}

/** All rows of a fully read result as objects keyed by column name, values JSON-safe. */
export function resultObjects(reader: DuckDBResultReader): Record<string, JsonSafe>[] {
  const names = reader.columnNames();
  return reader.getRows().map((row) => Object.fromEntries(row.map((v, i) => [names[i] ?? `c${i}`, toJsonSafe(v)])));
}

/** Message of anything thrown (DuckDB throws plain Errors). */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
