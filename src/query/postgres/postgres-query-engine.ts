/**
 * The SQL access layer on a PostgreSQL warehouse: the same contract and checks as the DuckDB
 * engine, enforced by PostgreSQL itself. Each query runs on the serving login role's pool inside
 * `BEGIN READ ONLY` with `SET LOCAL ROLE <group>` (the NOLOGIN role applyPostgresRoles made for the
 * identity's role variant), `search_path` on that group's secure views and a `statement_timeout`,
 * through a server-side cursor fetched in batches. The DuckDB parser check runs first as well, so
 * the statement is one SELECT over granted names and cannot call `set_config('role', ...)`.
 */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import type { TributaryError } from '../../core/errors.js';
import type { AuditTrail } from '../../security/audit/audit-trail.js';
import type { Identity } from '../../security/identity/identity.js';
import { BUILTIN_ROLE_SET, type RoleSet } from '../../security/rbac/role-set.js';
import { connectUtc } from '../../sinks/_shared/duckdb-values.js';
import { checkStatementTree } from '../check-statement.js';
import { ConnectionPool } from '../connection-pool.js';
import type { QueryLimits } from '../duckdb-query-stream.js';
import { QueryAborted, QueryPermissionDenied, QueryRowLimit, QuerySizeLimit, QueryTimeout } from '../errors.js';
import { parseTree } from '../parse-tree.js';
import { auditQuery, resolveQueryAccess, visibleRelations, type QueryEnd } from '../query-access.js';
import type { Cell, QueryColumn, QueryEngine, QueryOptions, QueryStream, StatementDescription, VisibleRelation } from '../query-engine.js';
import { DEFAULT_QUERY_LIMITS } from '../secure-duckdb-engine.js';
import type { PostgresRoleVariant } from './apply-postgres-roles.js';
import { CELL_TYPES, pgCell, portableType } from './pg-cells.js';
import { pgQueryError } from './pg-errors.js';
import { endSession, openRoleSession } from './pg-session.js';

/** Options of {@link PostgresQueryEngine.open}. */
export interface PostgresQueryEngineOptions {
  /** Connections as the serving login role (never owner, superuser or BYPASSRLS). */
  readonly pool: pg.Pool;
  /** What {@link import('./apply-postgres-roles.js').applyPostgresRoles} returned. */
  readonly variants: readonly PostgresRoleVariant[];
  readonly roles?: RoleSet;
  readonly audit: AuditTrail;
  readonly limits?: Partial<QueryLimits>;
  /** Rows per FETCH (default 2048). */
  readonly batchRows?: number;
}

const CURSOR = 'trb_cursor';

/** The engine. */
export class PostgresQueryEngine implements QueryEngine {
  readonly #opts: PostgresQueryEngineOptions;
  readonly #limits: QueryLimits;
  readonly #parser: ConnectionPool;
  readonly #db: DuckDBInstance;
  readonly #reserved: ReadonlySet<string>;

  private constructor(opts: PostgresQueryEngineOptions, db: DuckDBInstance, parser: ConnectionPool, reserved: ReadonlySet<string>) {
    this.#opts = opts;
    this.#limits = Object.freeze({ ...DEFAULT_QUERY_LIMITS, ...opts.limits });
    this.#db = db;
    this.#parser = parser;
    this.#reserved = reserved;
  }

  /** Opens the engine: an in-memory DuckDB for the parser check, and the names of pg_catalog's relations (no CTE may take them). */
  static async open(opts: PostgresQueryEngineOptions): Promise<PostgresQueryEngine> {
    const r = await opts.pool.query("SELECT lower(relname) AS n FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace");
    const reserved = new Set((r.rows as { n: string }[]).map((x) => x.n));
    const db = await DuckDBInstance.create(':memory:');
    const conns = [await connectUtc(db), await connectUtc(db)];
    for (const c of conns) await c.run('SET enable_external_access = false');
    return new PostgresQueryEngine(opts, db, new ConnectionPool(conns), reserved);
  }

  #variant(id: Identity): PostgresRoleVariant {
    const { role, unmasked } = resolveQueryAccess(this.#opts.roles ?? BUILTIN_ROLE_SET, id);
    const v = this.#opts.variants.find((x) => x.role === role.name && x.unmasked === unmasked);
    if (v === undefined) throw QueryPermissionDenied({ permission: 'sql:query' });
    return v;
  }

  /** The parser check; returns the number of distinct `$n` parameters. */
  async #check(v: PostgresRoleVariant, sql: string): Promise<number> {
    const lease = await this.#parser.acquire();
    let tree: unknown;
    try {
      tree = await parseTree(lease.conn, sql);
    } finally {
      lease.release();
    }
    checkStatementTree(tree, { relations: new Set(v.views.map((x) => x.dataset.toLowerCase())), reserved: this.#reserved });
    return new Set([...JSON.stringify(tree).matchAll(/"class":"PARAMETER"[^}]*"identifier":"([^"]+)"/g)].map((m) => m[1])).size;
  }

  async query(id: Identity, sql: string, opts: QueryOptions): Promise<QueryStream> {
    const started = performance.now();
    const finish = (end: QueryEnd): void => void auditQuery(this.#opts.audit, id, sql, opts, started, end);
    let client: pg.PoolClient | undefined;
    try {
      const v = this.#variant(id);
      await this.#check(v, sql);
      client = await openRoleSession(this.#opts.pool, v, this.#limits.timeoutMs);
      // The extended protocol: one statement, whatever the text holds.
      await client.query(extended({ text: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${sql}`, values: [...(opts.params ?? [])] }));
      const first = await fetch(client, this.#opts.batchRows ?? 2048);
      const stream = new PgQueryStream(client, first, this.#limits, this.#opts.batchRows ?? 2048, started, opts.signal, finish);
      client = undefined;
      return stream;
    } catch (err) {
      if (client) await endSession(client);
      const e = pgQueryError(err, this.#limits.timeoutMs);
      finish({ rows: 0, complete: false, error: e });
      throw e;
    }
  }

  async describe(id: Identity, sql: string): Promise<StatementDescription> {
    const v = this.#variant(id);
    const n = await this.#check(v, sql);
    const client = await openRoleSession(this.#opts.pool, v, this.#limits.timeoutMs);
    try {
      const r = await client.query(extended({ text: `SELECT * FROM (${sql}) AS trb_q LIMIT 0`, values: Array.from({ length: n }, () => null) }));
      return {
        // node-postgres does not expose the server's parameter types: they are reported as UNKNOWN.
        params: Array.from({ length: n }, (_, i) => ({ name: `$${i + 1}`, type: 'UNKNOWN' })),
        columns: r.fields.map((f) => ({ name: f.name, type: portableType(f.dataTypeID) })),
      };
    } catch (err) {
      throw pgQueryError(err, this.#limits.timeoutMs);
    } finally {
      await endSession(client);
    }
  }

  async relations(id: Identity): Promise<readonly VisibleRelation[]> {
    return visibleRelations(() => this.#variant(id).views);
  }


  /** Closes the parser instance; the pool belongs to the caller. */
  async close(): Promise<void> {
    this.#parser.close();
    this.#db.closeSync();
  }
}

/** A query config forced onto the extended protocol (node-postgres's `queryMode`, missing from its types). */
function extended(q: pg.QueryConfig): pg.QueryConfig {
  return { ...q, queryMode: 'extended' } as pg.QueryConfig;
}

interface Fetched { readonly columns: readonly QueryColumn[]; readonly rows: Cell[][] }

async function fetch(client: pg.ClientBase, n: number): Promise<Fetched> {
  const r = await client.query({ text: `FETCH ${n} FROM ${CURSOR}`, rowMode: 'array', types: CELL_TYPES });
  return {
    columns: r.fields.map((f) => Object.freeze({ name: f.name, type: portableType(f.dataTypeID) })),
    rows: (r.rows as unknown[][]).map((row) => row.map(pgCell)),
  };
}

/** Batches of a cursor; the transaction ends (and the client returns to the pool) however the stream ends. */
class PgQueryStream implements QueryStream {
  readonly columns: readonly QueryColumn[];
  #client: pg.PoolClient | undefined;
  #first: Cell[][] | undefined;
  #rows = 0;
  #bytes = 0;
  readonly #limits: QueryLimits;
  readonly #batch: number;
  readonly #started: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onEnd: (end: QueryEnd) => void;

  constructor(client: pg.PoolClient, first: Fetched, limits: QueryLimits, batch: number, started: number, signal: AbortSignal | undefined, onEnd: (end: QueryEnd) => void) {
    this.#client = client;
    this.columns = first.columns;
    this.#first = first.rows;
    this.#limits = limits;
    this.#batch = batch;
    this.#started = started;
    this.#signal = signal;
    this.#onEnd = onEnd;
  }

  async #end(complete: boolean, error?: TributaryError): Promise<void> {
    const c = this.#client;
    if (c === undefined) return;
    this.#client = undefined;
    await endSession(c);
    this.#onEnd({ rows: this.#rows, complete, ...(error === undefined ? {} : { error }) });
  }

  async *batches(): AsyncIterable<readonly (readonly Cell[])[]> {
    try {
      for (;;) {
        if (this.#client === undefined || this.#signal?.aborted) throw QueryAborted({});
        if (performance.now() - this.#started > this.#limits.timeoutMs) throw QueryTimeout({ timeoutMs: this.#limits.timeoutMs });
        let rows: Cell[][];
        if (this.#first !== undefined) {
          rows = this.#first;
          this.#first = undefined;
        } else {
          try {
            rows = (await fetch(this.#client, this.#batch)).rows;
          } catch (err) {
            throw pgQueryError(err, this.#limits.timeoutMs);
          }
        }
        if (rows.length === 0) break;
        this.#rows += rows.length;
        if (this.#rows > this.#limits.maxRows) throw QueryRowLimit({ maxRows: this.#limits.maxRows });
        for (const r of rows) for (const c of r) this.#bytes += typeof c === 'string' ? c.length : typeof c === 'number' ? 8 : 1;
        if (this.#bytes > this.#limits.maxBytes) throw QuerySizeLimit({ maxBytes: this.#limits.maxBytes });
        yield rows;
      }
      await this.#end(true);
    } catch (err) {
      const e = err as TributaryError;
      await this.#end(false, e);
      throw e;
    } finally {
      await this.#end(false);
    }
  }

  async close(): Promise<void> {
    await this.#end(false);
  }
}
