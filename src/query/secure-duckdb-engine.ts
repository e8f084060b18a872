/**
 * The SQL access layer on DuckDB: every query runs against the secure views of the identity's role
 * (granted datasets and columns, masks, row filters) on a hardened, read-only, locked DuckDB
 * instance (secure-instance.ts), after DuckDB's own parser has shown it to be one SELECT that
 * refers only to those views, CTEs and allowed table functions (check-statement.ts). Results stream
 * in batches under a statement timeout and row/size limits; every query is audited.
 */
import { performance } from 'node:perf_hooks';
import { TributaryError } from '../core/errors.js';
import type { AuditTrail } from '../security/audit/audit-trail.js';
import type { Identity } from '../security/identity/identity.js';
import { BUILTIN_ROLE_SET, type RoleSet } from '../security/rbac/role-set.js';
import { auditQuery, resolveQueryAccess, visibleRelations } from './query-access.js';
import type { DataKeys } from '../security/vault/data-keys.js';
import { StatementType, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';
import { checkStatementTree } from './check-statement.js';
import type { PiiSources } from './column-pii.js';
import type { Lease } from './connection-pool.js';
import { DuckdbQueryStream, type QueryLimits, type StreamEnd } from './duckdb-query-stream.js';
import { QueryInvalid, QueryPermissionDenied, QueryRefused } from './errors.js';
import { parseTree } from './parse-tree.js';
import type { QueryEngine, QueryOptions, QueryStream, StatementDescription, VisibleRelation } from './query-engine.js';
import { createRowDecryptor } from './result-decryptor.js';
import { prepareError, runError } from './safe-error.js';
import { openSecureInstance, probeHardening, variantKey, type HardeningReport, type RoleVariant, type SecureInstance } from './secure-instance.js';

/** Default limits: 30 s, 100 000 rows, 64 MiB. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = Object.freeze({ timeoutMs: 30_000, maxRows: 100_000, maxBytes: 64 * 1024 * 1024 });

/** Options of {@link SecureDuckdbEngine.open}. */
export interface SecureDuckdbEngineOptions {
  /** The warehouse DuckDB file (opened read-only). */
  readonly warehouse: string;
  /** Where every query is recorded (`sql.query`). */
  readonly audit: AuditTrail;
  /** Built-in plus custom roles (default: built-in only). */
  readonly roles?: RoleSet;
  /** Column classifications (run summary, declarations); unclassified columns are masked. */
  readonly pii?: PiiSources;
  readonly limits?: Partial<QueryLimits>;
  /** Concurrent queries (connections; default 4). */
  readonly connections?: number;
  readonly threads?: number;
  readonly memoryLimit?: string;
  /** The key of an encrypted warehouse file (the duckdb sink's `encryption_key`). */
  readonly encryptionKey?: string;
  /** Field keys: when given, encrypted tokens in results are decrypted for identities holding `pii:read`. */
  readonly keys?: DataKeys;
}

const TREE_CACHE_SIZE = 1000;
const PREPARED_CACHE_SIZE = 200;

/** The engine. Open with {@link SecureDuckdbEngine.open}; `close` when done. */
export class SecureDuckdbEngine implements QueryEngine {
  readonly #inst: SecureInstance;
  readonly #opts: SecureDuckdbEngineOptions;
  readonly #roles: RoleSet;
  readonly #limits: QueryLimits;
  /** Parse trees by SQL text (dashboards repeat their queries); role-independent, checked per query. */
  readonly #trees = new Map<string, unknown>();
  /** Prepared statements per connection, by schema and SQL (binding a view costs more than many queries). */
  readonly #prepared = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();
  /** The search path each connection was last given, to skip repeating it. */
  readonly #paths = new WeakMap<DuckDBConnection, string>();

  private constructor(inst: SecureInstance, opts: SecureDuckdbEngineOptions) {
    this.#inst = inst;
    this.#opts = opts;
    this.#roles = opts.roles ?? BUILTIN_ROLE_SET;
    this.#limits = Object.freeze({ ...DEFAULT_QUERY_LIMITS, ...opts.limits });
  }

  /**
   * Opens the warehouse read-only and builds every role's secure views. Throws
   * `TRB_QUERY_ENGINE_UNAVAILABLE` (missing or locked warehouse) and `TRB_RBAC_ROW_FILTER_INVALID`.
   * The views reflect the warehouse's relations at open time: open a new engine after the schema changes.
   */
  static async open(opts: SecureDuckdbEngineOptions): Promise<SecureDuckdbEngine> {
    const inst = await openSecureInstance({
      warehouse: opts.warehouse, roles: opts.roles ?? BUILTIN_ROLE_SET, pii: opts.pii ?? {}, connections: opts.connections ?? 4,
      ...(opts.threads === undefined ? {} : { threads: opts.threads }),
      ...(opts.memoryLimit === undefined ? {} : { memoryLimit: opts.memoryLimit }),
      ...(opts.encryptionKey === undefined ? {} : { encryptionKey: opts.encryptionKey }),
    });
    return new SecureDuckdbEngine(inst, opts);
  }

  /** The variant the identity queries through. Throws the permission, role and address errors. */
  #variant(id: Identity): RoleVariant {
    const { role, unmasked } = resolveQueryAccess(this.#roles, id);
    const v = this.#inst.variants.get(variantKey(role.name, unmasked));
    if (v === undefined) throw QueryPermissionDenied({ permission: 'sql:query' });
    return v;
  }

  /** Parses, checks and prepares `sql` on `conn` for `v`. */
  async #prepare(conn: DuckDBConnection, v: RoleVariant, sql: string): Promise<DuckDBPreparedStatement> {
    let tree = this.#trees.get(sql);
    if (tree === undefined) {
      tree = await parseTree(conn, sql);
      if (this.#trees.size >= TREE_CACHE_SIZE) this.#trees.clear();
      this.#trees.set(sql, tree);
    }
    checkStatementTree(tree, v.scope);
    if (this.#paths.get(conn) !== v.schema) {
      await conn.run(`SET search_path = '${v.schema}'`);
      this.#paths.set(conn, v.schema);
    }
    let cache = this.#prepared.get(conn);
    if (cache === undefined) this.#prepared.set(conn, cache = new Map());
    const key = `${v.schema}\u0000${sql}`;
    const hit = cache.get(key);
    if (hit !== undefined) {
      hit.clearBindings();
      return hit;
    }
    let prepared: DuckDBPreparedStatement;
    try {
      const ex = await conn.extractStatements(sql);
      if (ex.count !== 1) throw QueryRefused({ reason: 'exactly one statement is allowed' });
      prepared = await ex.prepare(0);
    } catch (err) {
      throw prepareError(err);
    }
    if (prepared.statementType !== StatementType.SELECT) throw QueryRefused({ reason: 'not a SELECT statement' });
    if (cache.size >= PREPARED_CACHE_SIZE) cache.clear();
    cache.set(key, prepared);
    return prepared;
  }

  async query(id: Identity, sql: string, opts: QueryOptions): Promise<QueryStream> {
    const started = performance.now();
    const finish = (end: StreamEnd): void => void auditQuery(this.#opts.audit, id, sql, opts, started, end);
    let lease: Lease | undefined;
    let streamOwns = false;
    try {
      const v = this.#variant(id);
      lease = await this.#inst.pool.acquire();
      const prepared = await this.#prepare(lease.conn, v, sql);
      try {
        if (opts.params && opts.params.length > 0) prepared.bind(opts.params as DuckDBValue[]);
      } catch (err) {
        throw QueryInvalid({ reason: 'the parameters do not match the statement' }, err);
      }
      const decrypt = v.unmasked && this.#opts.keys ? createRowDecryptor(this.#opts.keys, v.views) : undefined;
      const stream = new DuckdbQueryStream(lease, this.#limits, decrypt, finish);
      streamOwns = true;
      stream.arm(this.#limits.timeoutMs - (performance.now() - started), opts.signal);
      await stream.start(prepared);
      return stream;
    } catch (err) {
      if (streamOwns) throw err;
      lease?.release();
      const e = err instanceof TributaryError ? err : runError(err);
      finish({ rows: 0, complete: false, error: e });
      throw e;
    }
  }

  async describe(id: Identity, sql: string): Promise<StatementDescription> {
    const v = this.#variant(id);
    const lease = await this.#inst.pool.acquire();
    try {
      const p = await this.#prepare(lease.conn, v, sql);
      const params = Array.from({ length: p.parameterCount }, (_, i) => ({ name: `$${i + 1}`, type: p.parameterType(i + 1).toString() }));
      const columns = Array.from({ length: p.columnCount }, (_, i) => ({ name: p.columnName(i), type: p.columnType(i).toString() }));
      return { params, columns };
    } finally {
      lease.release();
    }
  }

  async relations(id: Identity): Promise<readonly VisibleRelation[]> {
    return visibleRelations(() => this.#variant(id).views);
  }


  /** The instance's hardening as DuckDB reports it (see {@link probeHardening}). */
  async hardening(): Promise<HardeningReport> {
    return probeHardening(this.#inst);
  }

  async close(): Promise<void> {
    this.#inst.close();
  }

}

