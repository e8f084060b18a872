/**
 * DuckDB helpers shared by the lake and warehouse sinks: UTC connections and conversion of DuckDB
 * values into JSON-safe JavaScript values.
 */
import { isoFromMicros } from './timestamps.js';
import type { DuckDBConnection, DuckDBInstance, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';
import {
  DuckDBDateValue, DuckDBDecimalValue, DuckDBListValue, DuckDBArrayValue, DuckDBMapValue, DuckDBStructValue,
  DuckDBTimestampMillisecondsValue, DuckDBTimestampNanosecondsValue, DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue, DuckDBTimestampValue,
} from '@duckdb/node-api';

export { isoFromMicros } from './timestamps.js';

/** A JSON-safe value. */
export type JsonSafe = string | number | boolean | null | readonly JsonSafe[] | { readonly [k: string]: JsonSafe };

/** Opens a connection on `instance` and runs `SET TimeZone='UTC'` on it before anything else. */
export async function connectUtc(instance: DuckDBInstance): Promise<DuckDBConnection> {
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return conn;
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
