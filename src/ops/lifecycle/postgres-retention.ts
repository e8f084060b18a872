/**
 * Warehouse retention in a PostgreSQL warehouse (a `postgres` sink), the counterpart of
 * warehouse-retention.ts: the same tables and cutoffs (silver: the sink's table, the pipeline's
 * additional datasets and `security_events` by `ts`; quarantine by `quarantined_at`; gold tables
 * matching `retention.gold_tables` by their time column), but a day partition (`<table>_pYYYYMMDD`,
 * the sink's and the gold models' daily partitions) that lies wholly before the cutoff is DROPPED
 * — instant, and its space goes back to the system at once — and only rows outside such
 * partitions (the default partition, unpartitioned tables) are DELETEd. Every change of one
 * warehouse runs in ONE transaction, under the schema's DDL advisory lock: all or nothing.
 */
import type pg from 'pg';
import { quoteIdent, quoteLiteral } from '../../sinks/_shared/sql.js';
import { PostgresConfig } from '../../sinks/postgres/config.js';
import { connectPostgres, serverLabel } from '../../sinks/postgres/connect-postgres.js';
import { withDdlLock } from '../../sinks/postgres/ensure-pg-warehouse.js';
import { qualified } from '../../sinks/postgres/pg-sql.js';
import { LifecycleWarehouseFailed } from './errors.js';
import type { WarehouseTableExpiry } from './lifecycle-report.js';
import { cutoffDay, type RetentionCutoffs } from './retention-cutoffs.js';
import { EXTRA_SILVER_TABLES, GOLD_TIME_COLUMNS, matchesTablePattern } from './warehouse-retention.js';

/** A planned expiry of one table: partitions to drop and the predicate of rows to delete elsewhere. */
export interface PgPlannedExpiry extends WarehouseTableExpiry {
  /** Day partitions (table names) wholly before the cutoff. */
  readonly dropPartitions: readonly string[];
  /** Rows before the cutoff outside those partitions (deleted). */
  readonly deleteRows: number;
  readonly predicate: string;
}

const TIME_TYPES = /^(date|timestamp.*)$/;
const PARTITION = /_p(\d{4})(\d{2})(\d{2})$/;

/** One PostgreSQL warehouse opened for retention. */
export class PostgresRetention {
  readonly sink: string;
  /** `host:port/database schema <schema>`, the report's `path`. */
  readonly label: string;
  readonly #client: pg.Client;
  readonly #config: PostgresConfig;
  readonly #outputTables: readonly string[];

  private constructor(sink: string, client: pg.Client, config: PostgresConfig, outputTables: readonly string[]) {
    this.sink = sink;
    this.#client = client;
    this.#config = config;
    this.#outputTables = outputTables;
    this.label = `${serverLabel(config)} schema ${config.schema}`;
  }

  /** Connects to the warehouse of sink `sink` (options `options`, secrets resolved). Throws `TRB_CONNECT_POSTGRES_*`. */
  static async open(sink: string, options: Readonly<Record<string, unknown>>, baseDir: string, outputTables: readonly string[]): Promise<PostgresRetention> {
    const config = PostgresConfig.parse(options);
    const client = await connectPostgres(`lifecycle:${sink}`, config, baseDir, () => undefined);
    return new PostgresRetention(sink, client, config, outputTables);
  }

  /** Counts what `cutoffs` expire (changes nothing); tables of the gold patterns without a time column are named in `notes`. */
  async plan(cutoffs: RetentionCutoffs, goldTables: readonly string[], notes: string[]): Promise<PgPlannedExpiry[]> {
    const c = this.#config;
    const silver = new Set([c.table, ...this.#outputTables, ...EXTRA_SILVER_TABLES]);
    const out: PgPlannedExpiry[] = [];
    for (const [table, cols] of await this.#tables()) {
      const time = (name: string): boolean => TIME_TYPES.test(cols.get(name) ?? '');
      let layer: WarehouseTableExpiry['layer'] | undefined;
      let column: string | undefined;
      if (table === c.quarantine_table) { layer = 'quarantine'; column = time('quarantined_at') ? 'quarantined_at' : undefined; }
      else if (silver.has(table)) { layer = 'silver'; column = time('ts') ? 'ts' : undefined; }
      else if (matchesTablePattern(table, goldTables)) { layer = 'gold'; column = GOLD_TIME_COLUMNS.find(time) ?? [...cols.keys()].find(time); }
      if (layer === undefined) continue;
      if (column === undefined) { notes.push(`Warehouse table \`${table}\` of sink \`${this.sink}\` has no date or timestamp column to expire by: kept.`); continue; }
      out.push(await this.#planTable(table, layer, column, cutoffs[layer]));
    }
    return out;
  }

  async #planTable(table: string, layer: WarehouseTableExpiry['layer'], column: string, cutoff: string): Promise<PgPlannedExpiry> {
    const day = cutoffDay(cutoff);
    const parts = (await this.#client.query<{ relname: string }>(
      'SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass', [this.#qualified(table)])).rows.map((r) => r.relname);
    const dropPartitions = parts.filter((p) => {
      const m = PARTITION.exec(p);
      return m !== null && p === `${table}_p${m[1]}${m[2]}${m[3]}` && `${m[1]}-${m[2]}-${m[3]}` < day;
    }).sort();
    let dropped = 0;
    for (const p of dropPartitions) dropped += Number((await this.#client.query(`SELECT count(*) AS n FROM ${this.#qualified(p)}`)).rows[0].n);
    const predicate = `${quoteIdent(column)} < ${quoteLiteral(day)}`;
    const keep = new Set(dropPartitions);
    const exclude = keep.size === 0 ? '' : ` AND tableoid NOT IN (${[...keep].map((p) => `${quoteLiteral(this.#qualified(p))}::regclass`).join(', ')})`;
    const deleteRows = Number((await this.#client.query(`SELECT count(*) AS n FROM ${this.#qualified(table)} WHERE ${predicate}${exclude}`)).rows[0].n);
    return { sink: this.sink, path: this.label, table, layer, column, cutoff, rows: dropped + deleteRows, dropPartitions, deleteRows, predicate };
  }

  /**
   * Drops the planned partitions and deletes the other expired rows, in ONE transaction under the
   * DDL lock; returns the rows removed per table. Throws `TRB_LIFECYCLE_WAREHOUSE_FAILED` (rolled back).
   */
  async apply(planned: readonly PgPlannedExpiry[]): Promise<Map<string, number>> {
    const removed = new Map<string, number>();
    const todo = planned.filter((p) => p.rows > 0);
    if (todo.length === 0) return removed;
    try {
      await withDdlLock(this.#client, this.#config.schema, async () => {
        for (const p of todo) {
          let n = 0;
          for (const part of p.dropPartitions) {
            n += Number((await this.#client.query(`SELECT count(*) AS n FROM ${this.#qualified(part)}`)).rows[0].n);
            await this.#client.query(`DROP TABLE ${this.#qualified(part)}`);
          }
          if (p.deleteRows > 0) n += (await this.#client.query(`DELETE FROM ${this.#qualified(p.table)} WHERE ${p.predicate}`)).rowCount ?? 0;
          removed.set(p.table, n);
        }
      });
    } catch (err) {
      throw LifecycleWarehouseFailed({ path: this.label, step: 'dropping expired partitions and deleting expired rows (rolled back)', reason: (err as Error).message }, err);
    }
    return removed;
  }

  /** Closes the connection. Safe to call twice. */
  async close(): Promise<void> {
    await this.#client.end().catch(() => undefined);
  }

  /** Tables of the schema that are not partitions themselves nor `_tributary*`, with their columns' types. */
  async #tables(): Promise<Map<string, Map<string, string>>> {
    const r = await this.#client.query<{ table: string; column: string; type: string }>(
      "SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type FROM pg_class c "
      + 'JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped '
      + "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname, a.attnum", [this.#config.schema]);
    const out = new Map<string, Map<string, string>>();
    for (const { table, column, type } of r.rows) {
      if (table.startsWith('_tributary')) continue;
      if (!out.has(table)) out.set(table, new Map());
      out.get(table)!.set(column, type);
    }
    return out;
  }

  #qualified(name: string): string {
    return qualified(this.#config.schema, name);
  }
}
