/**
 * The PostgreSQL counterpart of {@link MatchValues}: the values that mark a person's rows, in a
 * temporary table of the erasure's PostgreSQL session (dropped with the session), and the line
 * pattern in a session setting, so no personal value is ever part of an SQL text (PostgreSQL
 * quotes statements in its server log and in some error messages). The pattern of
 * `ipLinePattern` is valid in PostgreSQL's regular expressions too.
 */
import type pg from 'pg';
import { quoteIdent, quoteLiteral } from '../../sinks/_shared/sql.js';
import type { MatchSql, MatchValueSink } from './match-values.js';

const TABLE = 'trb_erase_values';
const PATTERN = 'tributary.erase_line_pattern';
/** Values sent per INSERT. */
const CHUNK = 5_000;

/** The match-value table of one PostgreSQL session. */
export class PgMatchValues implements MatchValueSink, MatchSql {
  readonly #client: pg.Client;
  readonly #counts = new Map<string, number>();
  #pattern = false;

  private constructor(client: pg.Client) { this.#client = client; }

  /** Creates the (empty) temporary table on `client` (replacing one left by an earlier plan on the same session). */
  static async create(client: pg.Client): Promise<PgMatchValues> {
    // A failing statement's bound values (which may be the address) are then not quoted in the server log.
    await client.query('SET log_parameter_max_length_on_error = 0');
    await client.query(`DROP TABLE IF EXISTS pg_temp.${TABLE}`);
    await client.query(`CREATE TEMP TABLE ${TABLE} (k text NOT NULL, v text NOT NULL)`);
    return new PgMatchValues(client);
  }

  /** Files `values` under `key` (bound parameters; duplicates are harmless). Returns how many were added. */
  async add(key: string, values: Iterable<string>): Promise<number> {
    const all = [...values];
    for (let i = 0; i < all.length; i += CHUNK) {
      await this.#client.query(`INSERT INTO pg_temp.${TABLE} (k, v) SELECT $1, unnest($2::text[])`, [key, all.slice(i, i + CHUNK)]);
    }
    if (all.length > 0) {
      this.#counts.set(key, (this.#counts.get(key) ?? 0) + all.length);
      await this.#client.query(`ANALYZE pg_temp.${TABLE}`);
    }
    return all.length;
  }

  /** Sets the (case-insensitive) pattern {@link patternPredicate} tests text against (a bound parameter). */
  async setPattern(pattern: string): Promise<void> {
    await this.#client.query('SELECT set_config($1, $2, false)', [PATTERN, pattern]);
    this.#pattern = true;
  }

  /** See {@link MatchSql.patternPredicate}. */
  patternPredicate(column: string): string | null {
    return this.#pattern ? `coalesce(${quoteIdent(column)}::text ~* current_setting(${quoteLiteral(PATTERN)}), false)` : null;
  }

  /** Number of values filed under `key`. */
  count(key: string): number { return this.#counts.get(key) ?? 0; }

  /** See {@link MatchSql.inPredicate}. Columns are compared as text (a `jsonb` or numeric column never equals an identifier). */
  inPredicate(column: string, keys: readonly string[]): string | null {
    const used = keys.filter((k) => this.count(k) > 0);
    if (used.length === 0) return null;
    return `coalesce(${quoteIdent(column)}::text IN (SELECT v FROM pg_temp.${TABLE} WHERE k IN (${used.map(quoteLiteral).join(', ')})), false)`;
  }
}
