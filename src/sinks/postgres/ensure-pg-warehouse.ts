/**
 * DDL of the PostgreSQL warehouse: data tables (record schema + lineage columns) partitioned by day
 * on `ts` with a default partition and dashboard indexes, the quarantine, watermark and load-ledger
 * tables, and the access views. Idempotent (IF NOT EXISTS, missing columns added), serialised across
 * processes by an advisory lock, so every `open()` may run it.
 */
import type pg from 'pg';
import type { OutputDataset } from '../../core/component.js';
import type { RecordSchema } from '../../core/record.js';
import { quoteIdent, storedColumns } from '../_shared/sql.js';
import { pgAccessViews } from './pg-access-views.js';
import { defaultPartitionName, pgType, qualified } from './pg-sql.js';

/** The per-(dataset, stream) watermark table: rows below `next_offset` are stored already. */
export const WATERMARK_TABLE = '_tributary_watermarks';

/** The load ledger: one row per (table, commit id) loaded, written in the load's transaction. */
export const LOAD_LEDGER_TABLE = '_tributary_loads';

/** Quarantine table columns and their PostgreSQL types, in order (the DuckDB sink's, same names). */
export const PG_QUARANTINE_COLUMNS: readonly (readonly [string, string])[] = Object.freeze([
  ['source', 'text'], ['uri', 'text'], ['stream', 'text'], ['line', 'bigint'], ['offset', 'bigint'],
  ['code', 'text'], ['reason', 'text'], ['field', 'text'], ['stage', 'text'], ['raw', 'text'],
  ['quarantined_at', 'timestamptz'], ['commit_id', 'text'],
] as const);

/** Columns that get a b-tree index when a table has them (dashboard filters and group-bys). */
export const INDEXED_COLUMNS: readonly string[] = Object.freeze(['path', 'status', 'client_ip', 'client_id', 'session_id']);

/** True when rows of `schema` can be partitioned by day (it has a `ts` timestamp column). */
export const isPartitionable = (schema: RecordSchema): boolean => schema.columns.some((c) => c.name === 'ts' && c.type === 'timestamp');

/** Runs `fn` in a transaction holding the schema's DDL advisory lock. */
export async function withDdlLock<T>(client: pg.Client, pgSchema: string, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('tributary.ddl:' || $1, 0))", [pgSchema]);
    const out = await fn();
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

async function existingColumns(client: pg.Client, pgSchema: string, table: string): Promise<Set<string>> {
  const r = await client.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [pgSchema, table]);
  return new Set(r.rows.map((row) => row.column_name));
}

async function ensureColumns(client: pg.Client, pgSchema: string, table: string, cols: readonly (readonly [string, string])[]): Promise<void> {
  const have = await existingColumns(client, pgSchema, table);
  for (const [n, t] of cols) {
    if (!have.has(n)) await client.query(`ALTER TABLE ${qualified(pgSchema, table)} ADD COLUMN ${quoteIdent(n)} ${t}`);
  }
}

/**
 * Creates (or completes) the table of a dataset: partitioned by range on `ts` with a default
 * partition when the schema has `ts`, a plain table otherwise; BRIN on `ts`, b-tree on
 * {@link INDEXED_COLUMNS} present. A pre-existing unpartitioned table is used as it is.
 */
export async function ensureDataTable(client: pg.Client, pgSchema: string, table: string, schema: RecordSchema): Promise<void> {
  const cols = storedColumns(schema).map((c) => [c.name, pgType(c.type)] as const);
  const t = qualified(pgSchema, table);
  const partitioned = isPartitionable(schema);
  await client.query(`CREATE TABLE IF NOT EXISTS ${t} (${cols.map(([n, ty]) => `${quoteIdent(n)} ${ty}`).join(', ')})`
    + (partitioned ? ' PARTITION BY RANGE (ts)' : ''));
  await ensureColumns(client, pgSchema, table, cols);
  const kind = await client.query<{ relkind: string }>('SELECT relkind FROM pg_class WHERE oid = $1::regclass', [t]);
  if (kind.rows[0]?.relkind === 'p') {
    await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(pgSchema, defaultPartitionName(table))} PARTITION OF ${t} DEFAULT`);
  }
  const names = new Set(cols.map(([n]) => n));
  if (names.has('ts')) await client.query(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_ts_brin`)} ON ${t} USING brin (ts)`);
  for (const c of INDEXED_COLUMNS) {
    if (names.has(c)) await client.query(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_${c}_idx`)} ON ${t} (${quoteIdent(c)})`);
  }
}

/** What {@link ensurePgWarehouse} creates. */
export interface PgWarehouseLayout {
  readonly pgSchema: string;
  readonly table: string;
  readonly quarantine: string;
  readonly schema: RecordSchema;
  readonly outputs: readonly OutputDataset[];
}

async function ensureView(client: pg.Client, name: string, select: string): Promise<void> {
  await client.query('SAVEPOINT trb_view');
  try {
    await client.query(`CREATE OR REPLACE VIEW ${name} AS ${select}`);
  } catch (err) {
    // 42P16: CREATE OR REPLACE cannot drop or retype columns of an older view definition.
    if ((err as { code?: unknown }).code !== '42P16') throw err;
    await client.query('ROLLBACK TO SAVEPOINT trb_view');
    await client.query(`DROP VIEW ${name}`);
    await client.query(`CREATE VIEW ${name} AS ${select}`);
  }
  await client.query('RELEASE SAVEPOINT trb_view');
}

/** Creates the schema, every table and the views of a layout (one transaction, under the DDL lock). */
export async function ensurePgWarehouse(client: pg.Client, l: PgWarehouseLayout): Promise<void> {
  await withDdlLock(client, l.pgSchema, async () => {
    // CREATE SCHEMA IF NOT EXISTS checks CREATE on the database even when the schema exists: a role
    // given only a schema made by an administrator must not need it.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [l.pgSchema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(l.pgSchema)}`);
    await ensureDataTable(client, l.pgSchema, l.table, l.schema);
    for (const o of l.outputs) await ensureDataTable(client, l.pgSchema, o.dataset, o.schema);
    const q = qualified(l.pgSchema, l.quarantine);
    await client.query(`CREATE TABLE IF NOT EXISTS ${q} (${PG_QUARANTINE_COLUMNS.map(([n, t]) => `${quoteIdent(n)} ${t}`).join(', ')})`);
    await ensureColumns(client, l.pgSchema, l.quarantine, PG_QUARANTINE_COLUMNS);
    await client.query(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${l.quarantine}_at_brin`)} ON ${q} USING brin (quarantined_at)`);
    await client.query(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${l.quarantine}_code_idx`)} ON ${q} (code)`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(l.pgSchema, WATERMARK_TABLE)} (dataset text NOT NULL, stream text NOT NULL, `
      + 'next_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (dataset, stream))');
    await client.query(`CREATE TABLE IF NOT EXISTS ${qualified(l.pgSchema, LOAD_LEDGER_TABLE)} (dataset text NOT NULL, commit_id text NOT NULL, `
      + 'rows bigint NOT NULL, rejections bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (dataset, commit_id))');
    for (const v of pgAccessViews(l.schema, l.pgSchema, l.table, l.quarantine)) await ensureView(client, qualified(l.pgSchema, v.name), v.select);
  });
}
