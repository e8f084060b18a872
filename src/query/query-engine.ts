/**
 * The SQL access layer's contract: one engine behind `POST /v1/sql` and the PostgreSQL wire
 * gateway, so that both interfaces enforce the same grants, masks, row filters and limits, and audit
 * every query the same way. The DuckDB implementation runs on per-role secure views over a
 * hardened read-only connection (see secure-duckdb-engine.ts); the PostgreSQL one on real
 * PostgreSQL roles with row-level security.
 */
import type { Identity } from '../security/identity/identity.js';

/** Which interface a query came through (recorded in the audit log). */
export type QueryInterface = 'http' | 'pgwire' | 'cli';

/** A result column: name and a portable type name (`BOOLEAN`, `BIGINT`, `DOUBLE`, `VARCHAR`, `TIMESTAMP WITH TIME ZONE`, `DATE`, ...). */
export interface QueryColumn {
  readonly name: string;
  readonly type: string;
}

/** JSON-safe cell: numbers (BIGINT as string when unsafe), strings (timestamps as ISO-8601 UTC), booleans, null. */
export type Cell = string | number | boolean | null;

/** Options of one query. */
export interface QueryOptions {
  readonly via: QueryInterface;
  /** Positional parameters for `$1`, `$2`, ... (prepared statements on the wire). */
  readonly params?: readonly Cell[];
  /** Correlates the audit entry with the request. */
  readonly requestId?: string;
  /** Aborts the query (client went away, key revoked mid-stream). */
  readonly signal?: AbortSignal;
}

/** A running query: columns known up front, rows streamed in batches. */
export interface QueryStream {
  readonly columns: readonly QueryColumn[];
  /** Row batches; ends at the end of the result or throws a typed error (limit exceeded, timeout, aborted). */
  batches(): AsyncIterable<readonly (readonly Cell[])[]>;
  /** Stops early and releases the connection; the audit entry records the outcome. Safe to call twice. */
  close(): Promise<void>;
}

/** A statement's shape without running it (the wire protocol's Describe). */
export interface StatementDescription {
  readonly params: readonly QueryColumn[];
  readonly columns: readonly QueryColumn[];
}

/** A relation the identity may see. */
export interface VisibleRelation {
  readonly name: string;
  readonly columns: readonly (QueryColumn & { readonly pii: string; readonly masked: boolean })[];
}

/** The engine. */
export interface QueryEngine {
  /**
   * Checks `sql` (one SELECT; DuckDB's parser decides), runs it with the identity's grants and the
   * configured limits, and audits who, interface, SQL text, rows returned, duration and outcome.
   * Rejects with typed errors (codes in error-codes.ts): permission denied, statement refused,
   * timeout, row/size limit.
   */
  query(id: Identity, sql: string, opts: QueryOptions): Promise<QueryStream>;
  /** Parameter and result shapes of `sql` for the identity, without running it. Same checks as {@link query}. */
  describe(id: Identity, sql: string): Promise<StatementDescription>;
  /** The relations (and columns, with masking) the identity may query. */
  relations(id: Identity): Promise<readonly VisibleRelation[]>;
  /** Releases connections. */
  close(): Promise<void>;
}
