/**
 * Warehouse retention in one DuckDB warehouse (a `duckdb` sink), ATTACHed to a private DuckDB:
 * silver tables (the sink's table, the pipeline's additional datasets and `security_events`) lose
 * the rows whose `ts` is before the silver cutoff, the quarantine table those whose
 * `quarantined_at` is before the quarantine cutoff, and gold tables (`retention.gold_tables`) those
 * whose time column is before the gold cutoff. Every delete of one warehouse runs in ONE
 * transaction: all or nothing; with `--compact` the file is then rewritten without their bytes.
 * Failpoint `lifecycle.warehouse.after_delete`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { failpoint } from '../../core/failpoint.js';
import { compactionPending, compactWarehouse, markCompactionPending } from '../../security/erase/compact-warehouse.js';
import type { WarehouseTarget } from '../../security/erase/warehouse-eraser.js';
import { messageOf } from '../../sinks/_shared/duckdb-values.js';
import { quoteIdent, quoteLiteral } from '../../sinks/_shared/sql.js';
import { LifecycleWarehouseFailed } from './errors.js';
import type { WarehouseTableExpiry } from './lifecycle-report.js';
import type { RetentionCutoffs } from './retention-cutoffs.js';

/** A warehouse as the pipeline config describes it (the same description erasure uses). */
export type WarehouseRetentionTarget = WarehouseTarget;

/** Silver tables besides the sink's own and the pipeline's outputs, when they exist. */
export const EXTRA_SILVER_TABLES: readonly string[] = Object.freeze(['security_events']);
/** Preferred time columns of gold tables, in order. */
export const GOLD_TIME_COLUMNS: readonly string[] = Object.freeze(['ts', 'day', 'date', 'hour', 'bucket']);

const TIME_TYPES = /^(DATE|TIMESTAMP.*)$/;

/** True when `table` matches one of `patterns` (names, or prefixes ending with `*`). */
export function matchesTablePattern(table: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? table.startsWith(p.slice(0, -1)) : table === p));
}

/** A planned delete: the report entry plus its predicate. */
export interface PlannedDelete extends WarehouseTableExpiry {
  readonly predicate: string;
}

/** One warehouse attached for retention. */
export class WarehouseRetention {
  readonly target: WarehouseRetentionTarget;
  readonly #conn: DuckDBConnection;
  readonly #alias: string;
  /** ATTACH options of the file's key, for the compacted copy. */
  readonly #attachOptions: string;

  private constructor(conn: DuckDBConnection, target: WarehouseRetentionTarget, alias: string) {
    this.#conn = conn;
    this.target = target;
    this.#alias = alias;
    this.#attachOptions = target.encryptionKey === undefined ? '' : ` (ENCRYPTION_KEY ${quoteLiteral(target.encryptionKey)})`;
  }

  /** ATTACHes the warehouse file as `alias` (read-only for a dry run). Throws `TRB_LIFECYCLE_WAREHOUSE_FAILED` (key never in the message) when it cannot be opened. */
  static async attach(conn: DuckDBConnection, target: WarehouseRetentionTarget, alias: string, readOnly = false): Promise<WarehouseRetention> {
    const options = [...(readOnly ? ['READ_ONLY'] : []), ...(target.encryptionKey === undefined ? [] : [`ENCRYPTION_KEY ${quoteLiteral(target.encryptionKey)}`])];
    const opts = options.length === 0 ? '' : ` (${options.join(', ')})`;
    try {
      await conn.run(`ATTACH ${quoteLiteral(target.path)} AS ${quoteIdent(alias)}${opts}`);
    } catch (err) {
      const reason = redact(messageOf(err), target.encryptionKey);
      throw LifecycleWarehouseFailed({ path: target.path, step: 'opening it', reason }, target.encryptionKey === undefined ? err : undefined);
    }
    return new WarehouseRetention(conn, target, alias);
  }

  /**
   * Counts the expired rows of every table retention applies to, and lists gold-pattern tables
   * without a time column in `notes`. Changes nothing.
   */
  async plan(cutoffs: RetentionCutoffs, goldTables: readonly string[], notes: string[]): Promise<PlannedDelete[]> {
    const columns = await this.#columns();
    const silver = new Set([this.target.table, ...this.target.outputTables, ...EXTRA_SILVER_TABLES]);
    const out: PlannedDelete[] = [];
    const add = async (table: string, layer: PlannedDelete['layer'], column: string, cutoff: string): Promise<void> => {
      const predicate = `CAST(${quoteIdent(column)} AS TIMESTAMP) < CAST(${quoteLiteral(cutoff.slice(0, 19))} AS TIMESTAMP)`;
      const rows = Number((await this.#conn.runAndReadAll(`SELECT count(*) FROM ${this.#from(table)} WHERE ${predicate}`)).getRows()[0]?.[0] ?? 0);
      out.push({ sink: this.target.sink, path: this.target.path, table, layer, column, cutoff, rows, predicate });
    };
    for (const [table, cols] of columns) {
      const time = (name: string): boolean => TIME_TYPES.test(cols.get(name) ?? '');
      if (table === this.target.quarantineTable) {
        if (time('quarantined_at')) await add(table, 'quarantine', 'quarantined_at', cutoffs.quarantine);
      } else if (silver.has(table)) {
        if (time('ts')) await add(table, 'silver', 'ts', cutoffs.silver);
        else notes.push(`Warehouse table \`${table}\` of sink \`${this.target.sink}\` has no \`ts\` timestamp column: kept.`);
      } else if (matchesTablePattern(table, goldTables)) {
        const column = GOLD_TIME_COLUMNS.find(time) ?? [...cols.keys()].find(time);
        if (column !== undefined) await add(table, 'gold', column, cutoffs.gold);
        else notes.push(`Gold table \`${table}\` of sink \`${this.target.sink}\` has no date or timestamp column: kept.`);
      }
    }
    return out;
  }

  /**
   * Deletes the planned rows of every table with expired rows in ONE transaction and returns the
   * rows deleted per table. With `compact`, the file is then rewritten without the deleted rows'
   * bytes (erasure's compaction: a marker written before the delete makes an interrupted compaction
   * finish at the next `lifecycle run --compact` or `erase`); a compaction owed from before is done
   * even when nothing is deleted now. Throws `TRB_LIFECYCLE_WAREHOUSE_FAILED`: a failed delete is
   * rolled back, a failed compaction leaves the rows deleted.
   */
  async apply(planned: readonly PlannedDelete[], compact: boolean): Promise<{ deleted: Map<string, number>; compacted: boolean }> {
    const deleted = new Map<string, number>();
    const todo = planned.filter((p) => p.rows > 0);
    const owed = compactionPending(this.target.path);
    if (todo.length > 0) await this.#delete(todo, deleted, compact);
    if (!compact || (todo.length === 0 && !owed)) return { deleted, compacted: false };
    try {
      await compactWarehouse(this.#conn, this.#alias, this.target.path, this.#attachOptions);
    } catch (err) {
      throw LifecycleWarehouseFailed({ path: this.target.path, step: 'compacting (the expired rows are deleted; their bytes stay until the next `lifecycle run --compact`)', reason: this.#redact(messageOf(err)) });
    }
    return { deleted, compacted: true };
  }

  async #delete(todo: readonly PlannedDelete[], deleted: Map<string, number>, compact: boolean): Promise<void> {
    try {
      if (compact) await markCompactionPending(this.target.path);
      await this.#conn.run('BEGIN TRANSACTION');
      for (const p of todo) deleted.set(p.table, (await this.#conn.run(`DELETE FROM ${this.#from(p.table)} WHERE ${p.predicate}`)).rowsChanged);
      await this.#conn.run('COMMIT');
    } catch (err) {
      await this.#conn.run('ROLLBACK').catch(() => undefined);
      throw LifecycleWarehouseFailed({ path: this.target.path, step: 'deleting expired rows (rolled back)', reason: messageOf(err) }, err);
    }
    await this.#conn.run(`CHECKPOINT ${quoteIdent(this.#alias)}`);
    failpoint('lifecycle.warehouse.after_delete');
  }

  /** DETACHes the warehouse. Safe to call twice. */
  async detach(): Promise<void> {
    await this.#conn.run(`DETACH ${quoteIdent(this.#alias)}`).catch(() => undefined);
  }

  /** Base tables (not `_tributary*`) with their columns' types. */
  async #columns(): Promise<Map<string, Map<string, string>>> {
    const rows = (await this.#conn.runAndReadAll('SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c '
      + 'JOIN information_schema.tables t ON t.table_catalog = c.table_catalog AND t.table_schema = c.table_schema AND t.table_name = c.table_name '
      + `WHERE c.table_catalog = ${quoteLiteral(this.#alias)} AND c.table_schema = 'main' AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`)).getRows();
    const out = new Map<string, Map<string, string>>();
    for (const [t, c, type] of rows) {
      const table = String(t);
      if (table.startsWith('_tributary')) continue;
      if (!out.has(table)) out.set(table, new Map());
      out.get(table)!.set(String(c), String(type));
    }
    return out;
  }

  #redact(message: string): string {
    return redact(message, this.target.encryptionKey);
  }

  #from(table: string): string {
    return `${quoteIdent(this.#alias)}.main.${quoteIdent(table)}`;
  }
}

const redact = (message: string, secret: string | undefined): string => (secret === undefined ? message : message.replaceAll(secret, '[redacted]'));
