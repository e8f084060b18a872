/**
 * What erasure reads and changes: a warehouse table or one lake Parquet file, seen as a DuckDB
 * relation with the column names it actually has (old files lack columns later stages added, so
 * every relation is examined with its own columns).
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** Columns that can identify a person, in the order they are reported. */
export const IDENTIFYING_COLUMNS = ['client_ip', 'client_id', 'visitor_id', 'x_forwarded_for', 'raw'] as const;
/** One of {@link IDENTIFYING_COLUMNS}. */
export type IdentifyingColumn = (typeof IDENTIFYING_COLUMNS)[number];

/** A table or file erasure works on. */
export interface EraseRelation {
  /** Short unique key of this relation within one erasure (files its values in `MatchValues`). */
  readonly key: string;
  /** Where it is, for people: `<warehouse path>#<table>` or the lake path. */
  readonly label: string;
  /** SQL table expression: a qualified table name or a `read_parquet(...)` call. */
  readonly from: string;
  /** Column names it has. */
  readonly columns: ReadonlySet<string>;
  /** Dataset names field tokens stored in it may be bound to (its own table or dataset name first). */
  readonly datasets: readonly string[];
}

/** Column names of the relation `from` (its schema only; no rows are read). */
export async function relationColumns(conn: DuckDBConnection, from: string): Promise<Set<string>> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`);
  return new Set(r.getRows().map((row) => String(row[0])));
}

/** The identifying columns `rel` has. */
export function identifyingColumns(rel: Pick<EraseRelation, 'columns'>): IdentifyingColumn[] {
  return IDENTIFYING_COLUMNS.filter((c) => rel.columns.has(c));
}
