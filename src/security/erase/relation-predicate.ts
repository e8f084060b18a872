/**
 * The SQL that decides, row by row, whether a row of one table or file is the person's, and the
 * counts it gives: rows in total, rows matched (by any identifier and by each), and rows that only
 * share a truncated address prefix with the person (kept: they cannot be attributed to one person).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { identifyingColumns, type EraseRelation, type IdentifyingColumn } from './erase-relation.js';
import type { MatchSql } from './match-values.js';
import { asReader, type RowReader } from './row-reader.js';
import type { SubjectIdentifiers } from './subject-identifiers.js';

/** The row conditions of one relation. Every condition is a never-NULL boolean SQL expression. */
export interface RelationPredicate {
  /** Per identifying column the relation has and that has something to match, its condition. */
  readonly byColumn: readonly { readonly column: IdentifyingColumn; readonly sql: string }[];
  /** True for the person's rows: the OR of {@link byColumn} (`false` when it is empty). */
  readonly match: string;
  /** True for rows kept only because their truncated `client_ip` is shared by many people; null when the pipeline does not truncate. */
  readonly shared: string | null;
}

/** Counts of one relation under its predicate. */
export interface RelationCounts {
  readonly rows: number;
  /** The person's rows (what erasure removes). */
  readonly matched: number;
  /** Matched rows per identifying column that matched any (a row may be matched by several). */
  readonly byColumn: Readonly<Partial<Record<IdentifyingColumn, number>>>;
  /** Rows sharing a truncated prefix with the address that no identifier attributes to the person. */
  readonly shared: number;
}

/** Builds the predicate of `rel` from the values filed so far (call after every scan is done). */
export function relationPredicate(rel: EraseRelation, ids: SubjectIdentifiers, values: MatchSql): RelationPredicate {
  const byColumn: { column: IdentifyingColumn; sql: string }[] = [];
  for (const column of identifyingColumns(rel)) {
    const parts = [values.inPredicate(column, [`*:${column}`, `${rel.key}:${column}`])];
    if (column === 'raw') parts.push(values.patternPredicate('raw'));
    const present = parts.filter((p): p is string => p !== null);
    if (present.length > 0) byColumn.push({ column, sql: present.length === 1 ? present[0]! : `(${present.join(' OR ')})` });
  }
  const match = byColumn.length === 0 ? 'false' : `(${byColumn.map((c) => c.sql).join(' OR ')})`;
  const truncated = ids.truncationConfigured && rel.columns.has('client_ip') ? values.inPredicate('client_ip', ['*:truncated']) : null;
  return { byColumn, match, shared: truncated === null ? null : `(${truncated} AND NOT ${match})` };
}

/** Counts `rel`'s rows under `p` in one scan (the SQL is valid in DuckDB and PostgreSQL). */
export async function countRelation(conn: DuckDBConnection | RowReader, rel: EraseRelation, p: RelationPredicate): Promise<RelationCounts> {
  const cols = [`count(*) FILTER (WHERE ${p.match})`, `count(*) FILTER (WHERE ${p.shared ?? 'false'})`, ...p.byColumn.map((c) => `count(*) FILTER (WHERE ${c.sql})`)];
  let row: readonly unknown[] = [];
  for await (const chunk of asReader(conn).rows(`SELECT count(*), ${cols.join(', ')} FROM ${rel.from}`)) row = chunk[0] ?? row;
  const n = (i: number): number => Number(row[i] ?? 0);
  return {
    rows: n(0), matched: n(1), shared: n(2),
    byColumn: Object.fromEntries(p.byColumn.map((c, i) => [c.column, n(3 + i)] as const).filter(([, k]) => k > 0)),
  };
}
