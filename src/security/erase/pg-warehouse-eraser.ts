/**
 * Erasure in one PostgreSQL warehouse (a `postgres` sink): its data table, its quarantine table
 * and the tables of the pipeline's additional datasets (such as `security_events`) in the sink's
 * schema are examined with their own columns; the person's rows are deleted from all of them in ONE
 * transaction (a DELETE on a day-partitioned table reaches every partition), and the partitions and
 * tables that lost rows are then rewritten with `VACUUM FULL`, so the deleted tuples' bytes leave
 * the table files too (the counterpart of the DuckDB warehouse's compaction), and their column
 * statistics are recomputed. A marker file (as for DuckDB) makes an interrupted vacuum happen at
 * the next erasure.
 *
 * The session is the sink's own (`connectPostgres`: the vault password, TLS as configured, UTC).
 */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import { failpoint } from '../../core/failpoint.js';
import { fsyncDir } from '../../sinks/_shared/durable-fs.js';
import { quoteIdent } from '../../sinks/_shared/sql.js';
import type { PostgresConfig } from '../../sinks/postgres/config.js';
import { connectPostgres, serverLabel } from '../../sinks/postgres/connect-postgres.js';
import { qualified } from '../../sinks/postgres/pg-sql.js';
import { compactionMarker, compactionPending, markCompactionPending } from './compact-warehouse.js';
import { identifyingColumns, type EraseRelation } from './erase-relation.js';
import { EraseWarehouseFailed } from './errors.js';
import { postgresReader, type RowReader } from './row-reader.js';
import { EXTRA_TABLES } from './warehouse-eraser.js';

/** A PostgreSQL warehouse as the pipeline config describes it (secrets resolved). */
export interface PgWarehouseTarget {
  readonly sink: string;
  /** The sink's parsed options (connection, revealed-on-use password, TLS, schema, tables). */
  readonly config: PostgresConfig;
  /** Directory relative `tls.ca` paths resolve against (the pipeline file's). */
  readonly baseDir: string;
  /** Tables of the pipeline's additional datasets (keyed stages' outputs). */
  readonly outputTables: readonly string[];
  /** Where the "vacuum owed" marker of this warehouse lives (under the data directory). */
  readonly markerBase: string;
}

/** `postgres://host:port/database#schema`: how reports and errors name a PostgreSQL warehouse (never a password). */
export const pgWarehouseLabel = (t: Pick<PgWarehouseTarget, 'config'>): string => `postgres://${serverLabel(t.config)}#${t.config.schema}`;

/** The marker base of sink `sink` in `dataDir`: `<dataDir>/<sink>.postgres` (the marker adds `.erase-compact`). */
export const pgMarkerBase = (dataDir: string, sink: string): string => join(dataDir, `${sink}.postgres`);

/** A PostgreSQL warehouse opened for erasure. Same surface as the DuckDB `WarehouseEraser`. */
export class PgWarehouseEraser {
  readonly target: PgWarehouseTarget;
  /** The examined tables, as relations (keys `<alias>.<table>`). */
  readonly relations: readonly (EraseRelation & { readonly table: string })[];
  /** Other tables of the schema with identifying columns (gold models among them): reported, not changed. */
  readonly unexamined: readonly string[];
  /** True when an earlier erasure deleted rows and was interrupted before vacuuming. */
  readonly compactionPending: boolean;
  /** Reads rows on this warehouse's session. */
  readonly reader: RowReader;
  /** The session (match values live in its temporary table). */
  readonly client: pg.Client;

  private constructor(client: pg.Client, target: PgWarehouseTarget, relations: PgWarehouseEraser['relations'], unexamined: readonly string[]) {
    this.client = client;
    this.target = target;
    this.relations = relations;
    this.unexamined = unexamined;
    this.compactionPending = compactionPending(target.markerBase);
    this.reader = postgresReader(client);
  }

  /**
   * Connects and lists the tables to examine, or returns null when the sink's schema does not exist
   * yet (nothing was ever loaded). Throws `TRB_CONNECT_POSTGRES_*` when the server cannot be
   * reached or refuses the login, `TRB_ERASE_WAREHOUSE_FAILED` when the tables cannot be listed.
   */
  static async open(target: PgWarehouseTarget, alias: string): Promise<PgWarehouseEraser | null> {
    const client = await connectPostgres(`erase:${target.sink}`, target.config, target.baseDir, () => undefined);
    try {
      const schema = target.config.schema;
      const ns = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (ns.rowCount === 0) { await client.end(); return null; }
      // Base and partitioned tables, not partitions (a DELETE on the parent reaches them) nor views.
      const cols = await client.query<{ table_name: string; column_name: string }>(
        `SELECT c.relname AS table_name, a.attname AS column_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname, a.attnum`, [schema]);
      const tables = new Map<string, Set<string>>();
      for (const r of cols.rows) tables.set(r.table_name, (tables.get(r.table_name) ?? new Set()).add(r.column_name));
      const c = target.config;
      const wanted = [...new Set([c.table, c.quarantine_table, ...target.outputTables, ...EXTRA_TABLES])];
      const relations: (EraseRelation & { table: string })[] = [];
      const unexamined: string[] = [];
      for (const [table, columns] of tables) {
        if (wanted.includes(table)) {
          relations.push({ key: `${alias}.${table}`, label: `${pgWarehouseLabel(target)}.${table}`, from: qualified(schema, table), columns, table, datasets: [table, c.table] });
        } else if (!table.startsWith('_tributary') && identifyingColumns({ columns }).length > 0) unexamined.push(table);
      }
      relations.sort((a, b) => wanted.indexOf(a.table) - wanted.indexOf(b.table));
      return new PgWarehouseEraser(client, target, relations, unexamined);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw EraseWarehouseFailed({ path: pgWarehouseLabel(target), step: 'listing its tables', reason: (err as Error).message }, err);
    }
  }

  /**
   * Deletes the rows matching `match.get(relation key)` from every examined table in ONE
   * transaction (all or nothing), then, unless `compact` is false, runs `VACUUM FULL` on every
   * partition or table that lost rows. Returns the rows deleted per table and whether it vacuumed.
   * A vacuum owed by an earlier, interrupted erasure is done (on every partition of the examined
   * tables) even when nothing is deleted now.
   */
  async apply(match: ReadonlyMap<string, string>, compact: boolean): Promise<{ deleted: Map<string, number>; compacted: boolean }> {
    const deleted = new Map<string, number>();
    const touched = new Set<string>();
    const todo = this.relations.filter((r) => (match.get(r.key) ?? 'false') !== 'false');
    const label = pgWarehouseLabel(this.target);
    if (todo.length > 0) {
      try {
        await markCompactionPending(this.target.markerBase);
        await this.client.query('BEGIN');
        for (const r of todo) {
          const where = match.get(r.key)!;
          // The leaf tables (day partitions) that hold the rows: what VACUUM FULL must rewrite.
          const leaves = await this.client.query<{ oid: number }>(`SELECT DISTINCT tableoid::oid AS oid FROM ${r.from} WHERE ${where}`);
          for (const l of await this.#names(leaves.rows.map((x) => x.oid))) touched.add(l);
          deleted.set(r.table, (await this.client.query(`DELETE FROM ${r.from} WHERE ${where}`)).rowCount ?? 0);
        }
        await this.client.query('COMMIT');
      } catch (err) {
        await this.client.query('ROLLBACK').catch(() => undefined);
        throw EraseWarehouseFailed({ path: label, step: 'deleting rows (rolled back: nothing was deleted)', reason: (err as Error).message }, err);
      }
      failpoint('erase.warehouse.after_delete');
    }
    if (!compact || (todo.length === 0 && !this.compactionPending)) return { deleted, compacted: false };
    try {
      if (this.compactionPending) for (const l of await this.#leaves()) touched.add(l);
      // FULL rewrites the table file and its indexes without the dead tuples; ANALYZE replaces the
      // column statistics (most common values, histogram bounds), which may quote the erased values.
      for (const t of [...touched].sort()) await this.client.query(`VACUUM (FULL, ANALYZE) ${t}`);
      for (const r of this.relations) if (todo.includes(r) || this.compactionPending) await this.client.query(`ANALYZE ${r.from}`);
      await rm(compactionMarker(this.target.markerBase), { force: true });
      await fsyncDir(dirname(this.target.markerBase));
    } catch (err) {
      throw EraseWarehouseFailed({ path: label, step: 'vacuuming (the rows are deleted; their bytes may remain in the table files until the next `tributary erase`)',
        reason: (err as Error).message }, err);
    }
    return { deleted, compacted: true };
  }

  /** Ends the session. Safe to call twice. */
  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  /** Qualified, quoted names of the tables with `oids`. */
  async #names(oids: readonly number[]): Promise<string[]> {
    if (oids.length === 0) return [];
    const r = await this.client.query<{ nspname: string; relname: string }>(
      'SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1::oid[])', [oids]);
    return r.rows.map((x) => `${quoteIdent(x.nspname)}.${quoteIdent(x.relname)}`);
  }

  /** Every leaf table (partition, or the table itself) of the examined tables. */
  async #leaves(): Promise<string[]> {
    const out: string[] = [];
    for (const r of this.relations) {
      const leaves = await this.client.query<{ oid: number }>('SELECT relid::oid AS oid FROM pg_partition_tree($1::regclass) WHERE isleaf', [r.from]);
      out.push(...await this.#names(leaves.rows.map((x) => x.oid)));
    }
    return out;
  }
}
