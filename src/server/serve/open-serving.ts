/**
 * The security and SQL seams of `tributary serve`, wired from the real components: API-key
 * authentication (security/apikeys) under the deployment's roles (security/rbac, built-in plus the
 * `roles_file`), the key administration functions, and the query engine both SQL interfaces share —
 * the secure DuckDB engine over a serving snapshot of the warehouse (refreshed when runs finish),
 * or the PostgreSQL engine over real PostgreSQL roles with row-level security. Also starts the
 * PostgreSQL wire gateway when `pgwire.enabled`.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import type { Logger } from '../../core/component.js';
import { Invariant } from '../../core/errors.js';
import type { Deployment } from '../../engine/bootstrap.js';
import { latestRunColumns } from '../../query/run-column-pii.js';
import type { QueryEngine } from '../../query/query-engine.js';
import { ReloadingQueryEngine } from '../../query/reloading-query-engine.js';
import { SecureDuckdbEngine } from '../../query/secure-duckdb-engine.js';
import type { QueryLimits } from '../../query/duckdb-query-stream.js';
import { applyPostgresRoles } from '../../query/postgres/apply-postgres-roles.js';
import { PostgresQueryEngine } from '../../query/postgres/postgres-query-engine.js';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey, type ApiKeyInfo } from '../../security/apikeys/api-key-admin.js';
import { ApiKeyAuthCache } from '../../security/apikeys/api-key-auth-cache.js';
import { looksLikeApiKey } from '../../security/apikeys/api-key-format.js';
import { authenticateApiKey, checkKeyStillValid, type ApiKeyAuthDeps } from '../../security/apikeys/authenticate-api-key.js';
import { WireUserNotFound } from '../../security/identity/errors.js';
import { wireUserIdentity } from '../../security/identity/wire-users.js';
import { loadRolesFile } from '../../security/rbac/load-roles.js';
import { roleCidrsOf, rolePermissionsOf } from '../../security/rbac/role-lookup.js';
import { assertAddressAllowed, BUILTIN_ROLE_SET, type RoleSet } from '../../security/rbac/role-set.js';
import type { ApiKeyAdmin, ApiKeySummary } from '../app-deps.js';
import type { ServerSection } from '../config/server-config.js';
import { startPgWireServer, type PgWireServer } from '../pgwire/start-pg-wire-server.js';
import type { PgWireConfig } from '../pgwire/pgwire-config.js';
import { createWarehouseQuarantine } from '../quarantine/warehouse-quarantine.js';
import type { ServerSeams } from './open-server-deps.js';
import { unavailableQueryEngine } from './pending-seams.js';
import { createWarehouseSnapshots, latestFinishedRun, type WarehouseSnapshot } from './warehouse-snapshots.js';

/** Options of {@link openServing}. */
export interface OpenServingOptions {
  readonly deployment: Deployment;
  readonly server: ServerSection;
  readonly pgwire?: PgWireConfig | undefined;
  /** Directory the config's relative paths resolve against. */
  readonly baseDir: string;
  readonly log: Logger;
  /** Secrets of a PostgreSQL warehouse, resolved from the vault. */
  readonly warehouseUrl?: string;
  readonly warehouseAdminUrl?: string;
  /** Key of an encrypted DuckDB warehouse, resolved from the vault. */
  readonly warehouseKey?: string;
}

/** The wired seams, the engine and what must be closed. */
export interface Serving {
  readonly seams: ServerSeams;
  readonly roles: RoleSet;
  readonly engine: ReloadingQueryEngine;
  /** The gateway when `pgwire.enabled`. */
  readonly pgwire?: PgWireServer;
  /**
   * Serves what a run finished since the last refresh wrote (true when there was one). DuckDB: a
   * fresh snapshot; PostgreSQL: the roles re-applied (new tables, recreated gold tables, new column
   * tags). Called on a timer by serve; tests call it.
   */
  refresh(): Promise<boolean>;
  close(): Promise<void>;
}

const summary = (k: ApiKeyInfo): ApiKeySummary => ({
  id: k.id, name: k.name, role: k.role, scopes: k.scopes, status: k.status, created_at: k.createdAt, created_by: k.createdBy,
  expires_at: k.expiresAt, revoked_at: k.revokedAt, replaced_by: k.replacedBy, last_used_at: k.lastUsedAt,
});

const DAY_MS = 86_400_000;

/** Wires everything (see the module doc). Rejects when the roles file or the warehouse cannot be opened. */
export async function openServing(o: OpenServingOptions): Promise<Serving> {
  const d = o.deployment;
  const roles = o.server.roles_file ? await loadRolesFile(resolve(o.baseDir, o.server.roles_file)) : BUILTIN_ROLE_SET;
  const rolePermissions = rolePermissionsOf(roles);
  const auth: ApiKeyAuthDeps = { store: d.control.apiKeys, rolePermissions, audit: d.audit, cache: new ApiKeyAuthCache() };
  const admin = { store: d.control.apiKeys, audit: d.audit, rolePermissions };
  const apiKeys: ApiKeyAdmin = {
    async create(input, actor) {
      const k = await createApiKey({
        role: input.role, actor, ...(input.name !== undefined ? { name: input.name } : {}), scopes: input.scopes ?? [],
        expiresAt: input.expiresInDays === undefined ? null : new Date(Date.now() + input.expiresInDays * DAY_MS),
      }, admin);
      return { key: k.key, summary: summary(k) };
    },
    list: async () => (await listApiKeys(admin)).map(summary),
    async revoke(id, actor) { await revokeApiKey(id, actor, admin); },
    async rotate(id, actor, opts) {
      const k = await rotateApiKey(id, { actor, ...(opts?.graceMs !== undefined ? { graceMs: opts.graceMs } : {}) }, admin);
      return { key: k.key, summary: summary(k) };
    },
  };
  const limits: QueryLimits = { timeoutMs: o.server.query.timeout_secs * 1000, maxRows: o.server.query.max_rows, maxBytes: o.server.query.max_result_bytes };
  const source = await openEngineSource(o, roles, limits);
  const engine = await ReloadingQueryEngine.open(source.open);
  await source.settled();
  let pgwire: PgWireServer | undefined;
  try {
    if (o.pgwire?.enabled) pgwire = await startGateway(o, o.pgwire, engine, roles);
  } catch (err) {
    await engine.close();
    throw err;
  }
  const seams: ServerSeams = {
    authenticate: (req) => authenticateApiKey(req.authorization, auth, { address: req.address, requestId: req.requestId }),
    keyStillValid: (id) => checkKeyStillValid(id, auth),
    looksLikeApiKey,
    roles: { permissions: rolePermissions, allowedCidrs: roleCidrsOf(roles) },
    queryEngine: engine,
    apiKeys,
    ...(source.quarantine ? { quarantine: source.quarantine } : {}),
  };
  return {
    seams, roles, engine, ...(pgwire ? { pgwire } : {}),
    async refresh() {
      if (!(await source.stale())) return false;
      await engine.reload();
      await source.settled();
      return true;
    },
    async close() {
      await pgwire?.close();
      await engine.close();
      await source.close();
    },
  };
}

interface EngineSource {
  readonly open: () => Promise<QueryEngine>;
  stale(): Promise<boolean>;
  /** After a successful reload: drop what the previous engine used. */
  settled(): Promise<void>;
  readonly quarantine?: ServerSeams['quarantine'];
  close(): Promise<void>;
}

async function openEngineSource(o: OpenServingOptions, roles: RoleSet, limits: QueryLimits): Promise<EngineSource> {
  const d = o.deployment;
  const wh = o.server.warehouse;
  const connections = o.server.query.connections;
  if (wh?.type === 'postgres') {
    if (!o.warehouseUrl || !o.warehouseAdminUrl) {
      o.log.warn({}, 'A PostgreSQL warehouse is served only with `admin_url` (to apply the roles); SQL access is off');
      return { open: async () => unavailableQueryEngine(), stale: async () => false, settled: async () => {}, close: async () => {} };
    }
    const pool = new pg.Pool({ connectionString: o.warehouseUrl, max: connections });
    // Re-applied after every finished run: a gold model whose columns changed is recreated
    // (dropping the views and policies over it), and new tables or column tags need grants.
    let appliedRun: string | undefined;
    const apply = async (): Promise<QueryEngine> => {
      const through = await latestFinishedRun(d.control);
      const runColumns = await latestRunColumns(d.control);
      const login = String((await pool.query('SELECT current_user AS u')).rows[0].u);
      const adminClient = new pg.Client({ connectionString: o.warehouseAdminUrl });
      await adminClient.connect();
      try {
        const variants = await applyPostgresRoles(adminClient, { schema: wh.schema, roles, loginRole: login, prefix: wh.role_prefix, ...(runColumns ? { pii: { runColumns } } : {}) });
        const engine = await PostgresQueryEngine.open({ pool, variants, roles, audit: d.audit, limits });
        appliedRun = through;
        return engine;
      } finally {
        await adminClient.end().catch(() => undefined);
      }
    };
    return {
      open: apply,
      stale: async () => (await latestFinishedRun(d.control)) !== appliedRun,
      settled: async () => {},
      close: () => pool.end(),
    };
  }
  if (wh?.type === 'duckdb' && wh.encryption_key !== undefined && o.warehouseKey === undefined) {
    throw Invariant({ reason: 'the warehouse `encryption_key` must be resolved before serving' });
  }
  if (wh?.type !== 'duckdb') return { open: async () => unavailableQueryEngine(), stale: async () => false, settled: async () => {}, close: async () => {} };
  const live = resolve(o.baseDir, wh.path);
  const snapshots = createWarehouseSnapshots({ warehouse: live, dataDir: d.dataDir, runs: d.control });
  let current: WarehouseSnapshot | undefined;
  let next: WarehouseSnapshot | undefined;
  return {
    async open() {
      next = undefined;
      if (!existsSync(live)) return unavailableQueryEngine();
      try {
        next = await snapshots.take();
      } catch (err) {
        // A run holds its lock: keep serving the current snapshot (reload fails and is retried),
        // or start without SQL until the next refresh when there is none yet.
        if ((err as { code?: string }).code === 'TRB_PIPELINE_BUSY' && current === undefined) return unavailableQueryEngine();
        throw err;
      }
      const runColumns = await latestRunColumns(d.control);
      return SecureDuckdbEngine.open({
        warehouse: next.path, audit: d.audit, roles, limits, connections, keys: d.keys, ...(runColumns ? { pii: { runColumns } } : {}),
        ...(o.warehouseKey === undefined ? {} : { encryptionKey: o.warehouseKey }),
      });
    },
    async stale() {
      if (!existsSync(live)) return false;
      if (current === undefined) return true;
      const latest = await snapshots.latestFinishedRun();
      return latest !== current.throughRun;
    },
    async settled() {
      current = next;
      // Files of retired snapshots may still be attached by their engine until its last query
      // ends; on POSIX an unlinked file stays readable to those who hold it open.
      await snapshots.prune(current ? [current.path] : []);
    },
    quarantine: createWarehouseQuarantine(() => current?.path ?? next?.path ?? live, 'quarantine', o.warehouseKey),
    close: async () => { await snapshots.prune([]); },
  };
}

async function startGateway(o: OpenServingOptions, cfg: PgWireConfig, engine: QueryEngine, roles: RoleSet): Promise<PgWireServer> {
  const rolePermissions = rolePermissionsOf(roles);
  const d = o.deployment;
  const tls = cfg.tls
    ? { cert: await readFile(resolve(o.baseDir, cfg.tls.cert_file)), key: await readFile(resolve(o.baseDir, cfg.tls.key_file)), minVersion: cfg.tls.min_version }
    : undefined;
  return startPgWireServer({
    host: cfg.host, port: cfg.port, ...(tls ? { tls } : {}), insecureNoTls: cfg.insecure_no_tls,
    scram: {
      lookup: async (user) => {
        const row = await d.control.wireUsers.get(user).catch(() => undefined);
        return row ? { data: row.verifier, role: row.role } : undefined;
      },
      iterations: cfg.scram_iterations,
    },
    engine,
    identityFor: async (user, _role, address) => {
      const id = await wireUserIdentity(user, { store: d.control.wireUsers, rolePermissions }, address);
      if (!id) throw WireUserNotFound({ user });
      assertAddressAllowed(roles.resolve(id.role), address); // the role's allowed_cidrs, as on HTTP
      return id;
    },
    audit: d.audit,
    maxConnections: cfg.max_connections, idleTimeoutMs: cfg.idle_timeout_secs * 1000, authTimeoutMs: cfg.auth_timeout_secs * 1000, maxMessageBytes: cfg.max_message_bytes,
  });
}
