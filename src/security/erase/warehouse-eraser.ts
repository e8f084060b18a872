/**
 * Erasure in one DuckDB warehouse (a `duckdb` sink): its data table, its quarantine table and the
 * tables of the pipeline's additional datasets (such as `security_events`) are examined with their
 * own columns; the person's rows are deleted
 * from all of them in ONE transaction, and the file is then compacted so their bytes are gone too.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { failpoint } from '../../core/failpoint.js';
import { messageOf } from '../../sinks/_shared/duckdb-values.js';
import { quoteIdent, quoteLiteral } from '../../sinks/_shared/sql.js';
import { compactionPending, compactWarehouse, markCompactionPending } from './compact-warehouse.js';
import { relationColumns, identifyingColumns, type EraseRelation } from './erase-relation.js';
import { EraseWarehouseFailed } from './errors.js';

/** Tables erasure examines besides the sink's data and quarantine tables and the pipeline's output datasets, when they exist (written by earlier configs too). */
export const EXTRA_TABLES: readonly string[] = Object.freeze(['security_events']);

/** A warehouse as the pipeline config describes it. */
export interface WarehouseTarget {
  readonly sink: string;
  readonly path: string;
  readonly table: string;
  readonly quarantineTable: string;
  /** Tables of the pipeline's additional datasets (keyed stages' outputs). */
  readonly outputTables: readonly string[];
  /** The revealed `encryption_key`, when the file is encrypted. */
  readonly encryptionKey?: string;
}

/** A warehouse attached to the erasure's connection. */
export class WarehouseEraser {
  readonly target: WarehouseTarget;
  /** The examined tables, as relations. */
  readonly relations: readonly (EraseRelation & { readonly table: string })[];
  /** Other base tables with identifying columns (reported, not changed). */
  readonly unexamined: readonly string[];
  /** True when an earlier erasure deleted rows and was interrupted before compacting. */
  readonly compactionPending: boolean;
  readonly #conn: DuckDBConnection;
  readonly #alias: string;
  #attached = true;

  private constructor(conn: DuckDBConnection, target: WarehouseTarget, alias: string, relations: WarehouseEraser['relations'], unexamined: readonly string[]) {
    this.#conn = conn;
    this.target = target;
    this.#alias = alias;
    this.relations = relations;
    this.unexamined = unexamined;
    this.compactionPending = compactionPending(target.path);
  }

  /**
   * ATTACHes the warehouse file as `alias` and lists the tables to examine (relation keys
   * `<alias>.<table>`). Throws `TRB_ERASE_WAREHOUSE_FAILED` when it cannot be opened (locked by
   * another process, wrong key); the key never appears in the message.
   */
  static async attach(conn: DuckDBConnection, target: WarehouseTarget, alias: string): Promise<WarehouseEraser> {
    const fail = (step: string, err: unknown): Error => EraseWarehouseFailed({ path: target.path, step, reason: redact(messageOf(err), target.encryptionKey) }, target.encryptionKey === undefined ? err : undefined);
    try {
      await conn.run(`ATTACH ${quoteLiteral(target.path)} AS ${quoteIdent(alias)}${attachOptions(target)}`);
    } catch (err) { throw fail('opening it', err); }
    try {
      const tables = (await conn.runAndReadAll('SELECT table_name FROM information_schema.tables ' +
        `WHERE table_catalog = ${quoteLiteral(alias)} AND table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name`)).getRows().map((r) => String(r[0]));
      const wanted = [...new Set([target.table, target.quarantineTable, ...target.outputTables, ...EXTRA_TABLES])];
      const relations: (EraseRelation & { table: string })[] = [];
      const unexamined: string[] = [];
      for (const table of tables) {
        const from = `${quoteIdent(alias)}.main.${quoteIdent(table)}`;
        const columns = await relationColumns(conn, from);
        if (wanted.includes(table)) {
          relations.push({ key: `${alias}.${table}`, label: `${target.path}#${table}`, from, columns, table, datasets: [table, target.table] });
        } else if (!table.startsWith('_tributary') && identifyingColumns({ columns }).length > 0) unexamined.push(table);
      }
      relations.sort((a, b) => wanted.indexOf(a.table) - wanted.indexOf(b.table));
      return new WarehouseEraser(conn, target, alias, relations, unexamined);
    } catch (err) {
      await conn.run(`DETACH ${quoteIdent(alias)}`).catch(() => undefined);
      throw fail('listing its tables', err);
    }
  }

  /**
   * Deletes the rows matching `match.get(relation key)` from every examined table in ONE
   * transaction (all or nothing), then, unless `compact` is false, compacts the file. Returns the
   * rows deleted per table and whether the file was compacted. A compaction owed by an earlier,
   * interrupted erasure is done even when nothing is deleted now.
   */
  async apply(match: ReadonlyMap<string, string>, compact: boolean): Promise<{ deleted: Map<string, number>; compacted: boolean }> {
    const deleted = new Map<string, number>();
    const todo = this.relations.filter((r) => (match.get(r.key) ?? 'false') !== 'false');
    if (todo.length > 0) {
      try {
        await markCompactionPending(this.target.path);
        await this.#conn.run('BEGIN TRANSACTION');
        for (const r of todo) deleted.set(r.table, (await this.#conn.run(`DELETE FROM ${r.from} WHERE ${match.get(r.key)!}`)).rowsChanged);
        await this.#conn.run('COMMIT');
      } catch (err) {
        await this.#conn.run('ROLLBACK').catch(() => undefined);
        throw EraseWarehouseFailed({ path: this.target.path, step: 'deleting rows (rolled back: nothing was deleted)', reason: messageOf(err) }, err);
      }
      failpoint('erase.warehouse.after_delete');
    }
    if (!compact || (todo.length === 0 && !this.compactionPending)) return { deleted, compacted: false };
    try {
      this.#attached = false;
      await compactWarehouse(this.#conn, this.#alias, this.target.path, attachOptions(this.target));
    } catch (err) {
      throw EraseWarehouseFailed({ path: this.target.path, step: 'compacting (the rows are deleted; their bytes may remain until the next `tributary erase`)',
        reason: redact(messageOf(err), this.target.encryptionKey) }, this.target.encryptionKey === undefined ? err : undefined);
    }
    return { deleted, compacted: true };
  }

  /** DETACHes the warehouse (no-op after a compaction, which detaches it). */
  async detach(): Promise<void> {
    if (!this.#attached) return;
    this.#attached = false;
    await this.#conn.run(`DETACH ${quoteIdent(this.#alias)}`).catch(() => undefined);
  }
}

function attachOptions(t: WarehouseTarget): string {
  return t.encryptionKey === undefined ? '' : ` (ENCRYPTION_KEY ${quoteLiteral(t.encryptionKey)})`;
}

const redact = (message: string, secret: string | undefined): string => (secret === undefined ? message : message.replaceAll(secret, '[redacted]'));
