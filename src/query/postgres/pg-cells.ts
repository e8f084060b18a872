/** PostgreSQL values and types as the query contract's cells and portable type names. */
import pg from 'pg';
import type { Cell } from '../query-engine.js';

const PORTABLE: Readonly<Record<number, string>> = Object.freeze({
  16: 'BOOLEAN', 20: 'BIGINT', 21: 'SMALLINT', 23: 'INTEGER', 700: 'FLOAT', 701: 'DOUBLE', 1700: 'DECIMAL',
  25: 'VARCHAR', 1043: 'VARCHAR', 18: 'VARCHAR', 19: 'VARCHAR', 1082: 'DATE', 1114: 'TIMESTAMP',
  1184: 'TIMESTAMP WITH TIME ZONE', 114: 'JSON', 3802: 'JSON', 2950: 'UUID', 869: 'VARCHAR', 1186: 'INTERVAL',
});

/** Portable type name of a PostgreSQL type OID (`VARCHAR` for anything unlisted: it arrives as text). */
export const portableType = (oid: number): string => PORTABLE[oid] ?? 'VARCHAR';

/** `2024-03-05 12:00:00.5+00` / `2024-03-05 12:00:00.5` → `2024-03-05T12:00:00.500000Z` (sessions run in UTC). */
function isoMicros(text: string): string {
  const m = /^(-?\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:\+00)?$/.exec(text);
  return m ? `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0')}Z` : text;
}

const asNumber = (v: string): Cell => {
  const n = Number(v);
  return Number.isSafeInteger(n) || (!Number.isInteger(n) && Number.isFinite(n)) ? n : v;
};

/** Per-query type parsers: BIGINT/NUMERIC as numbers when safe, timestamps as ISO-8601 UTC text, JSON as text, the rest as text. */
export const CELL_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === 20 || oid === 1700) return asNumber;
    if (oid === 1114 || oid === 1184) return isoMicros;
    if (oid === 114 || oid === 3802 || oid === 1082) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/** A parsed value as a cell (arrays and other objects as JSON text). */
export function pgCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v);
}
