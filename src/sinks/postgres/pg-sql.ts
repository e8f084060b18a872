/** PostgreSQL SQL helpers of the `postgres` sink: storage types, qualified names, day partitions. */
import type { ColumnType } from '../../core/record.js';
import { quoteIdent } from '../_shared/sql.js';

/**
 * PostgreSQL storage type of a column type, the counterpart of DuckDB's `duckdbType`. Timestamps
 * are `timestamptz` (an instant; the sink's sessions run in UTC, views bucket in UTC) and JSON is
 * `jsonb` (queryable and indexable; key order and duplicate keys are not kept).
 */
export function pgType(type: ColumnType): string {
  switch (type) {
    case 'varchar': return 'text';
    case 'integer': return 'integer';
    case 'bigint': return 'bigint';
    case 'double': return 'double precision';
    case 'boolean': return 'boolean';
    case 'timestamp': return 'timestamptz';
    case 'json': return 'jsonb';
  }
}

/** `"schema"."name"`. */
export const qualified = (schema: string, name: string): string => `${quoteIdent(schema)}.${quoteIdent(name)}`;

/** Name of the daily partition of `table` holding UTC day `day` (`YYYY-MM-DD`): `<table>_pYYYYMMDD`. */
export const dayPartitionName = (table: string, day: string): string => `${table}_p${day.replaceAll('-', '')}`;

/** Name of the default partition of `table` (NULL `ts` and days outside the partition window). */
export const defaultPartitionName = (table: string): string => `${table}_default`;

const DAY_MS = 86_400_000;

/** The UTC day (`YYYY-MM-DD`) `offsetDays` after the day of `nowMs`. */
export function utcDay(nowMs: number, offsetDays = 0): string {
  return new Date(Math.floor(nowMs / DAY_MS) * DAY_MS + offsetDays * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC day after `day` (`YYYY-MM-DD`). */
export const nextDay = (day: string): string => utcDay(Date.parse(`${day}T00:00:00Z`), 1);
