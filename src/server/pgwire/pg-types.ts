/**
 * Maps the engine's portable column types (`QueryEngine` `QueryColumn.type`, DuckDB spelling) to
 * PostgreSQL type OIDs and encodes the engine's JSON-safe cells in PostgreSQL's text format (and
 * binary format for the fixed-width types clients ask for in binary), so that psql, node-postgres
 * and JDBC parse them into their native types.
 */
import type { Cell } from '../../query/query-engine.js';

/** A PostgreSQL type as the wire protocol describes it. */
export interface PgType {
  readonly oid: number;
  /** Name as `format_type` prints it. */
  readonly name: string;
  /** pg_type.typlen: bytes, or -1 for variable length. */
  readonly size: number;
  /** atttypmod (-1 when none). */
  readonly modifier: number;
  /** Whether {@link encodeBinary} supports it. */
  readonly binary: boolean;
}

/** Type OIDs used by the gateway. */
export const OID = {
  bool: 16, bytea: 17, int8: 20, int2: 21, int4: 23, text: 25, oid: 26, json: 114,
  float4: 700, float8: 701, varchar: 1043, date: 1082, time: 1083, timestamp: 1114,
  timestamptz: 1184, interval: 1186, numeric: 1700, uuid: 2950, name: 19, char: 18,
} as const;

const t = (oid: number, name: string, size: number, binary: boolean, modifier = -1): PgType =>
  ({ oid, name, size, modifier, binary });

const TEXT = t(OID.text, 'text', -1, true);
const BY_NAME: Readonly<Record<string, PgType>> = {
  BOOLEAN: t(OID.bool, 'boolean', 1, true),
  TINYINT: t(OID.int2, 'smallint', 2, true), SMALLINT: t(OID.int2, 'smallint', 2, true),
  UTINYINT: t(OID.int2, 'smallint', 2, true), USMALLINT: t(OID.int4, 'integer', 4, true),
  INTEGER: t(OID.int4, 'integer', 4, true), UINTEGER: t(OID.int8, 'bigint', 8, true),
  BIGINT: t(OID.int8, 'bigint', 8, true),
  UBIGINT: t(OID.numeric, 'numeric', -1, false), HUGEINT: t(OID.numeric, 'numeric', -1, false),
  UHUGEINT: t(OID.numeric, 'numeric', -1, false),
  FLOAT: t(OID.float4, 'real', 4, true), REAL: t(OID.float4, 'real', 4, true),
  DOUBLE: t(OID.float8, 'double precision', 8, true),
  VARCHAR: TEXT, TEXT, STRING: TEXT,
  DATE: t(OID.date, 'date', 4, true), TIME: t(OID.time, 'time without time zone', 8, false),
  TIMESTAMP: t(OID.timestamp, 'timestamp without time zone', 8, true),
  TIMESTAMP_S: t(OID.timestamp, 'timestamp without time zone', 8, true),
  TIMESTAMP_MS: t(OID.timestamp, 'timestamp without time zone', 8, true),
  TIMESTAMP_NS: t(OID.timestamp, 'timestamp without time zone', 8, true),
  'TIMESTAMP WITH TIME ZONE': t(OID.timestamptz, 'timestamp with time zone', 8, true),
  TIMESTAMPTZ: t(OID.timestamptz, 'timestamp with time zone', 8, true),
  INTERVAL: t(OID.interval, 'interval', 16, false),
  UUID: t(OID.uuid, 'uuid', 16, true), JSON: t(OID.json, 'json', -1, true),
  BLOB: t(OID.bytea, 'bytea', -1, false),
};

/** The PostgreSQL type for an engine type name; DECIMAL(p,s) keeps its precision; lists, structs and unknown types are text. */
export function pgTypeOf(engineType: string): PgType {
  const up = engineType.trim().toUpperCase();
  const dec = /^(?:DECIMAL|NUMERIC)(?:\((\d+),\s*(\d+)\))?$/.exec(up);
  if (dec) {
    const mod = dec[1] === undefined ? -1 : ((Number(dec[1]) << 16) | Number(dec[2])) + 4;
    return t(OID.numeric, dec[1] === undefined ? 'numeric' : `numeric(${dec[1]},${dec[2]})`, -1, false, mod);
  }
  return BY_NAME[up] ?? TEXT;
}

/** The PostgreSQL type for a type OID a client declared (Parse), for parameter decoding. */
export function pgTypeByOid(oid: number): PgType | undefined {
  return Object.values(BY_NAME).find((p) => p.oid === oid);
}

const utf8 = new TextEncoder();

/** ISO-8601 UTC (`2024-01-02T03:04:05.123Z`) → PostgreSQL text (`2024-01-02 03:04:05.123`). */
function pgTimestamp(v: string, withZone: boolean): string {
  if (v === 'infinity' || v === '-infinity') return v;
  const s = v.replace('T', ' ').replace(/(?:Z|[+-]00(?::?00)?)$/, '').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return withZone ? `${s}+00` : s;
}

/** Text format of one cell for a column of `type` (SQL NULL → null). */
export function encodeText(cell: Cell | readonly unknown[] | object, type: PgType): Uint8Array | null {
  if (cell === null || cell === undefined) return null;
  let s: string;
  if (typeof cell === 'boolean') s = cell ? 't' : 'f';
  else if (typeof cell === 'number') s = Number.isFinite(cell) ? numberText(cell, type) : cell > 0 ? 'Infinity' : cell < 0 ? '-Infinity' : 'NaN';
  else if (typeof cell === 'object') s = JSON.stringify(cell);
  else if (type.oid === OID.timestamp || type.oid === OID.timestamptz) s = pgTimestamp(cell, type.oid === OID.timestamptz);
  else if (type.oid === OID.bool) s = cell === 'true' ? 't' : cell === 'false' ? 'f' : cell;
  else s = cell;
  return utf8.encode(s);
}

/** A finite number as PostgreSQL prints it; numeric(p,s) keeps its scale (`0.10`). */
function numberText(n: number, type: PgType): string {
  if (type.oid === OID.numeric && type.modifier > 4) {
    const scale = (type.modifier - 4) & 0xffff;
    if (Math.abs(n) < 1e15) return n.toFixed(scale);
  }
  return String(n);
}

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);

/** Binary format of one cell (only for types whose {@link PgType.binary} is true). */
export function encodeBinary(cell: Cell | object, type: PgType): Uint8Array | null {
  if (cell === null || cell === undefined) return null;
  const fixed = (n: number, put: (v: DataView) => void): Uint8Array => {
    const b = new Uint8Array(n);
    put(new DataView(b.buffer));
    return b;
  };
  switch (type.oid) {
    case OID.bool: return Uint8Array.of(cell === true || cell === 'true' || cell === 't' ? 1 : 0);
    case OID.int2: return fixed(2, (d) => d.setInt16(0, Number(cell)));
    case OID.int4: return fixed(4, (d) => d.setInt32(0, Number(cell)));
    case OID.int8: return fixed(8, (d) => d.setBigInt64(0, BigInt(cell as string | number)));
    case OID.float4: return fixed(4, (d) => d.setFloat32(0, Number(cell)));
    case OID.float8: return fixed(8, (d) => d.setFloat64(0, Number(cell)));
    case OID.date: {
      const days = Math.round((Date.parse(`${String(cell)}T00:00:00Z`) - PG_EPOCH_MS) / 86_400_000);
      return fixed(4, (d) => d.setInt32(0, days));
    }
    case OID.timestamp: case OID.timestamptz: return fixed(8, (d) => d.setBigInt64(0, microsSincePgEpoch(String(cell))));
    case OID.uuid: return Uint8Array.from(Buffer.from(String(cell).replace(/-/g, ''), 'hex'));
    default: return encodeText(cell, type);
  }
}

/** Microseconds since 2000-01-01 UTC of an ISO-8601 UTC timestamp (sub-millisecond digits kept). */
function microsSincePgEpoch(iso: string): bigint {
  const m = /\.(\d+)/.exec(iso);
  const frac = m?.[1] ?? '';
  const base = iso.replace(' ', 'T').replace(/\.\d+/, '');
  const ms = Date.parse(/(?:Z|[+-]\d\d(?::?\d\d)?)$/.test(base) ? base : `${base}Z`);
  return BigInt(ms - PG_EPOCH_MS) * 1000n + BigInt((frac + '000000').slice(0, 6));
}

/**
 * Decodes one bound parameter into an engine cell: text as the client sent it (numbers and
 * booleans converted for numeric/boolean parameters), binary for the fixed-width types.
 */
export function decodeParam(raw: Uint8Array | null, format: number, type: PgType | undefined): Cell {
  if (raw === null) return null;
  if (format === 1) {
    const d = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    switch (type?.oid) {
      case OID.bool: return raw[0] === 1;
      case OID.int2: return d.getInt16(0);
      case OID.int4: return d.getInt32(0);
      case OID.int8: { const v = d.getBigInt64(0); return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString(); }
      case OID.float4: return d.getFloat32(0);
      case OID.float8: return d.getFloat64(0);
      default: return new TextDecoder().decode(raw);
    }
  }
  const s = new TextDecoder().decode(raw);
  switch (type?.oid) {
    case OID.bool: return /^(t|true|y|yes|on|1)$/i.test(s.trim());
    case OID.int2: case OID.int4: case OID.float4: case OID.float8: {
      const n = Number(s);
      return Number.isNaN(n) && s.trim() !== 'NaN' ? s : n;
    }
    case OID.int8: { const n = Number(s); return Number.isSafeInteger(n) ? n : s; }
    default: return s;
  }
}
