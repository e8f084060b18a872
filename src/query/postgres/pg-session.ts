/** A pooled PostgreSQL session for one query: read-only transaction as one group role. */
import type pg from 'pg';
import { quoteIdent } from '../../sinks/_shared/sql.js';
import type { PostgresRoleVariant } from './apply-postgres-roles.js';

/**
 * A client from `pool` inside `BEGIN READ ONLY` with `SET LOCAL ROLE` to the variant's group, its
 * views first on the search path, `statement_timeout` of `timeoutMs` and UTC; end it with
 * {@link endSession}. Throws what PostgreSQL threw (after returning the client).
 */
export async function openRoleSession(pool: pg.Pool, v: PostgresRoleVariant, timeoutMs: number): Promise<pg.PoolClient> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL ROLE ${quoteIdent(v.group)}`);
    await client.query(`SET LOCAL search_path = ${quoteIdent(v.viewSchema)}`);
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    await client.query("SET LOCAL TimeZone = 'UTC'");
    return client;
  } catch (err) {
    await endSession(client);
    throw err;
  }
}

/** Rolls the transaction back and returns the client to its pool (discarding it when the rollback fails). */
export async function endSession(client: pg.PoolClient): Promise<void> {
  try {
    await client.query('ROLLBACK');
    client.release();
  } catch (err) {
    client.release(err as Error);
  }
}
