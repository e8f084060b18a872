/**
 * The seam between the gold model runner and the warehouse it builds in. Models, staging views and
 * model tests are SQL; what differs between DuckDB and PostgreSQL is only how a relation is
 * replaced, whether a table is partitioned, and a few expressions of the staging views. Each
 * adapter (duckdb-gold-warehouse.ts, postgres-gold-warehouse.ts) answers those; the runner
 * (run-models.ts) is one code path for both. Dependencies are always read by DuckDB's
 * `json_serialize_sql`, through {@link GoldWarehouse.parser} (the warehouse's own connection on
 * DuckDB, a private in-memory DuckDB on PostgreSQL).
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** The SQL dialect of a warehouse; also the suffix of dialect variants of a model (`name.postgres.sql`). */
export type GoldDialect = 'duckdb' | 'postgres';

/** The dialects, in the order variants are looked up. */
export const GOLD_DIALECTS: readonly GoldDialect[] = Object.freeze(['duckdb', 'postgres']);

/** What a name is in the warehouse: a view, a plain table, or a table partitioned by day. */
export type RelationKind = 'view' | 'table' | 'partitioned';

/** Partitioning of a table a model replaces: range partitions of `column`, one per day of `days` (`YYYY-MM-DD`). */
export interface DayPartitioning {
  readonly column: string;
  readonly days: readonly string[];
}

/** A warehouse session the gold layer builds in. Not safe for concurrent use; close when done. */
export interface GoldWarehouse {
  readonly dialect: GoldDialect;
  /** Where it is, for reports (a file path, or `host:port/database schema`); never a password. */
  readonly label: string;
  /** A DuckDB connection used only to parse SQL (`json_serialize_sql`). */
  readonly parser: DuckDBConnection;
  /** Runs one statement. */
  exec(sql: string): Promise<void>;
  /** Rows of a query, as arrays (counts may come back as number, bigint or numeric text). */
  rows(sql: string): Promise<readonly (readonly unknown[])[]>;
  /** What `name` is in the gold schema, or undefined when nothing has that name. */
  relationKind(name: string): Promise<RelationKind | undefined>;
  /** Column names of `table` (or view) in the gold schema. */
  columns(table: string): Promise<Set<string>>;
  /** Drops `name`, a view or table. */
  drop(name: string, kind: RelationKind): Promise<void>;
  /** Creates or replaces view `name` as `sql`. */
  replaceView(name: string, sql: string): Promise<void>;
  /**
   * Replaces table `name` by the rows of `sql` (which may read `name` itself). Run inside the
   * caller's transaction. With `partition`, PostgreSQL makes it a table partitioned by day (one
   * partition per day given plus a default one); DuckDB ignores it.
   */
  replaceTable(name: string, sql: string, partition?: DayPartitioning): Promise<void>;
  /** Makes sure partitioned table `name` has a partition for each day (PostgreSQL; no-op on DuckDB). Run inside the caller's transaction. */
  ensurePartitions(name: string, partition: DayPartitioning): Promise<void>;
  /** Refreshes planner statistics of `name` after a build (PostgreSQL; no-op on DuckDB). */
  analyze(name: string): Promise<void>;
  close(): Promise<void>;
}
