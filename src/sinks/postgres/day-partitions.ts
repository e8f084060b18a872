/**
 * Daily range partitions of a data table. A day's partition is created (under the DDL advisory
 * lock, outside any load transaction) by making a table LIKE the parent, moving into it whatever
 * rows of that day already sit in the default partition, and attaching it — ATTACH takes only a
 * SHARE UPDATE EXCLUSIVE lock on the parent, so readers and loads into other days go on.
 */
import type pg from 'pg';
import { Invariant } from '../../core/errors.js';
import { quoteIdent, quoteLiteral } from '../_shared/sql.js';
import { withDdlLock } from './ensure-pg-warehouse.js';
import { dayPartitionName, defaultPartitionName, nextDay, qualified } from './pg-sql.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC days (`YYYY-MM-DD`) that have a partition of `table`, read from the catalog. */
export async function listDayPartitions(client: pg.Client, pgSchema: string, table: string): Promise<Set<string>> {
  const r = await client.query<{ relname: string }>(
    'SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass',
    [qualified(pgSchema, table)]);
  const prefix = `${table}_p`;
  const out = new Set<string>();
  for (const { relname } of r.rows) {
    const digits = relname.startsWith(prefix) ? relname.slice(prefix.length) : '';
    if (/^\d{8}$/.test(digits)) out.add(`${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`);
  }
  return out;
}

async function createDayPartition(client: pg.Client, pgSchema: string, table: string, day: string): Promise<void> {
  if (!DAY.test(day)) throw Invariant({ reason: `partition day \`${day}\` is not YYYY-MM-DD` });
  const parent = qualified(pgSchema, table);
  const part = qualified(pgSchema, dayPartitionName(table, day));
  const lo = quoteLiteral(`${day} 00:00:00+00`);
  const hi = quoteLiteral(`${nextDay(day)} 00:00:00+00`);
  const cols = await client.query<{ attname: string }>(
    'SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum', [parent]);
  const list = cols.rows.map((c) => quoteIdent(c.attname)).join(', ');
  await client.query(`CREATE TABLE ${part} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  await client.query(`WITH moved AS (DELETE FROM ${qualified(pgSchema, defaultPartitionName(table))} WHERE ts >= ${lo} AND ts < ${hi} `
    + `RETURNING ${list}) INSERT INTO ${part} (${list}) SELECT ${list} FROM moved`);
  await client.query(`ALTER TABLE ${parent} ATTACH PARTITION ${part} FOR VALUES FROM (${lo}) TO (${hi})`);
}

/**
 * Makes sure every day of `days` (`YYYY-MM-DD`) has its partition of `table`. `known` caches the days
 * seen to exist (updated in place), so a day is looked up in the catalog once per sink. Returns the
 * days created. Must not run inside an open transaction of `client`.
 */
export async function ensureDayPartitions(
  client: pg.Client, pgSchema: string, table: string, days: Iterable<string>, known: Set<string>,
): Promise<string[]> {
  const missing = [...new Set(days)].filter((d) => !known.has(d)).sort();
  if (missing.length === 0) return [];
  const created = await withDdlLock(client, pgSchema, async () => {
    const present = await listDayPartitions(client, pgSchema, table);
    for (const d of present) known.add(d);
    const made: string[] = [];
    for (const day of missing) {
      if (known.has(day)) continue;
      await createDayPartition(client, pgSchema, table, day);
      made.push(day);
    }
    return made;
  });
  for (const d of created) known.add(d);
  return created;
}
