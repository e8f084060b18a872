/**
 * The exact values that mark a person's rows, held in a temporary DuckDB table of the erasure's
 * connection, so every DELETE and Parquet rewrite can test `column IN (...)` by a semi-join however
 * many values there are (an encrypted column yields one distinct token per row). Values are filed
 * under keys: `*:<column>` for values that hold in every table (pseudonyms, visitor ids), and
 * `<relation>:<column>` for values found in one table or file (raw addresses, tokens). The pattern
 * that finds the address in text is a session variable. So no personal value is ever part of an
 * SQL text, which DuckDB may quote in an error message.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../../sinks/_shared/sql.js';

const TABLE = 'trb_erase_values';
const PATTERN = 'trb_erase_line_pattern';

/** Files match values (see the module doc). */
export interface MatchValueSink {
  /** Files `values` under `key` (duplicates are harmless). Returns how many were added. */
  add(key: string, values: Iterable<string>): Promise<number>;
}

/** The SQL conditions over filed values, in the dialect of the connection that holds them. */
export interface MatchSql {
  /** SQL true exactly when `column` matches the line pattern (never NULL), or null when no pattern is set. */
  patternPredicate(column: string): string | null;
  /** SQL true exactly when `column` holds a value filed under one of `keys` (never NULL), or null when none of the keys has values. */
  inPredicate(column: string, keys: readonly string[]): string | null;
}

/** The match-value table of one DuckDB connection. */
export class MatchValues implements MatchValueSink, MatchSql {
  readonly #conn: DuckDBConnection;
  readonly #counts = new Map<string, number>();
  #pattern = false;

  private constructor(conn: DuckDBConnection) { this.#conn = conn; }

  /** Creates the (empty) temporary table on `conn`. */
  static async create(conn: DuckDBConnection): Promise<MatchValues> {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${TABLE} (k VARCHAR NOT NULL, v VARCHAR NOT NULL)`);
    return new MatchValues(conn);
  }

  /** Files `values` under `key` (duplicates are harmless). Returns how many were added. */
  async add(key: string, values: Iterable<string>): Promise<number> {
    const app = await this.#conn.createAppender(TABLE, 'main', 'temp');
    let n = 0;
    try {
      for (const v of values) { app.appendVarchar(key); app.appendVarchar(v); app.endRow(); n++; }
      app.flushSync();
    } finally { app.closeSync(); }
    if (n > 0) this.#counts.set(key, (this.#counts.get(key) ?? 0) + n);
    return n;
  }

  /** Sets the (case-insensitive) pattern {@link patternPredicate} tests text against. */
  async setPattern(pattern: string): Promise<void> {
    await this.#conn.run(`SET VARIABLE ${PATTERN} = ${quoteLiteral(pattern)}`);
    this.#pattern = true;
  }

  /** SQL that is true exactly when `column` matches the pattern (never NULL), or null when no pattern is set. */
  patternPredicate(column: string): string | null {
    return this.#pattern ? `coalesce(regexp_matches(${quoteIdent(column)}, getvariable('${PATTERN}'), 'i'), false)` : null;
  }

  /** Number of values filed under `key`. */
  count(key: string): number { return this.#counts.get(key) ?? 0; }

  /**
   * SQL that is true exactly when `column` holds a value filed under one of `keys` (never NULL, so
   * `NOT (...)` keeps rows whose column is NULL), or null when none of the keys has values.
   */
  inPredicate(column: string, keys: readonly string[]): string | null {
    const used = keys.filter((k) => this.count(k) > 0);
    if (used.length === 0) return null;
    return `coalesce(${quoteIdent(column)} IN (SELECT v FROM temp.main.${TABLE} WHERE k IN (${used.map(quoteLiteral).join(', ')})), false)`;
  }
}
