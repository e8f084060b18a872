/**
 * The hardened DuckDB instance behind the secure engine: an in-memory database that attaches the
 * warehouse file read-only, holds one schema of secure views per role variant, and is then locked:
 * `enable_external_access=false` (no file, network or extension access, no further ATTACH of
 * files) and `lock_configuration=true` (no setting can change again), both set after the views
 * exist. Every connection is opened (through connectUtc) before the lock.
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { RoleSet } from '../security/rbac/role-set.js';
import type { Role } from '../security/rbac/role.js';
import { RowFilterInvalid } from '../security/rbac/errors.js';
import { loadDuckdbCrypto } from '../security/crypto/duckdb-encryption.js';
import { connectUtc, messageOf } from '../sinks/_shared/duckdb-values.js';
import { quoteIdent, quoteLiteral } from '../sinks/_shared/sql.js';
import type { StatementScope } from './check-statement.js';
import type { PiiSources } from './column-pii.js';
import { ConnectionPool } from './connection-pool.js';
import { readDatasetCatalog, type Dataset } from './dataset-catalog.js';
import { QueryEngineUnavailable } from './errors.js';
import { checkRowFilter } from './row-filter-check.js';
import { createViewSql, secureViewsFor, type SecureView } from './secure-views.js';

/** Alias of the attached warehouse inside the instance. */
export const WAREHOUSE_ALIAS = '__trb_wh';

/** What one role sees, masked or unmasked: its schema of views and the names a statement may use. */
export interface RoleVariant {
  readonly role: Role;
  readonly unmasked: boolean;
  readonly schema: string;
  readonly views: readonly SecureView[];
  readonly scope: StatementScope;
}

/** Options of {@link openSecureInstance}. */
export interface SecureInstanceOptions {
  readonly warehouse: string;
  readonly roles: RoleSet;
  readonly pii: PiiSources;
  readonly connections: number;
  readonly threads?: number;
  readonly memoryLimit?: string;
  /** The key of an encrypted warehouse (the duckdb sink's `encryption_key`); never in an error. */
  readonly encryptionKey?: string;
}

/** An open hardened instance. */
export interface SecureInstance {
  readonly datasets: readonly Dataset[];
  readonly pool: ConnectionPool;
  /** By `variantKey(role, unmasked)`; roles without `sql:query` have none. */
  readonly variants: ReadonlyMap<string, RoleVariant>;
  close(): void;
}

/** What {@link probeHardening} found on a live connection of the instance. */
export interface HardeningReport {
  readonly externalAccess: boolean;
  readonly configurationLocked: boolean;
  /** True when `SET enable_external_access = true` was refused by DuckDB itself. */
  readonly changeRefused: boolean;
}

/**
 * Reads the hardening settings on a pooled connection and tries to undo them (for tests and
 * `tributary doctor`): the answer should be external access off, configuration locked, change refused.
 */
export async function probeHardening(inst: SecureInstance): Promise<HardeningReport> {
  const lease = await inst.pool.acquire();
  try {
    const r = await lease.conn.runAndReadAll("SELECT current_setting('enable_external_access'), current_setting('lock_configuration')");
    const [ext, lock] = r.getRows()[0] as [boolean, boolean];
    let changeRefused = false;
    try {
      await lease.conn.run('SET enable_external_access = true');
      // It should never get here; if it did, the lock was not in effect: undo the probe at once.
      await lease.conn.run('SET enable_external_access = false');
    } catch {
      changeRefused = true;
    }
    return { externalAccess: ext, configurationLocked: lock, changeRefused };
  } finally {
    lease.release();
  }
}

/** Key of a role variant. */
export const variantKey = (role: string, unmasked: boolean): string => `${role}\u0000${unmasked ? 'u' : 'm'}`;

/**
 * Opens the instance. Throws `TRB_QUERY_ENGINE_UNAVAILABLE` when the warehouse is missing or
 * cannot be attached, `TRB_RBAC_ROW_FILTER_INVALID` when a role's row filter is unusable.
 */
export async function openSecureInstance(opts: SecureInstanceOptions): Promise<SecureInstance> {
  if (!existsSync(opts.warehouse)) throw QueryEngineUnavailable({ reason: 'the warehouse file does not exist yet; run a pipeline first' });
  const config: Record<string, string> = {};
  if (opts.threads !== undefined) config['threads'] = String(opts.threads);
  if (opts.memoryLimit !== undefined) config['memory_limit'] = opts.memoryLimit;
  const instance = await DuckDBInstance.create(':memory:', config);
  const conns: DuckDBConnection[] = [];
  try {
    const setup = await connectUtc(instance);
    conns.push(setup);
    const key = opts.encryptionKey;
    try {
      if (key === undefined) {
        await setup.run(`ATTACH ${quoteLiteral(opts.warehouse)} AS ${WAREHOUSE_ALIAS} (READ_ONLY)`);
      } else {
        // Before hardening: the crypto extension loads now, external access is cut afterwards.
        await loadDuckdbCrypto(setup);
        await setup.run(`ATTACH ${quoteLiteral(opts.warehouse)} AS ${WAREHOUSE_ALIAS} (READ_ONLY, ENCRYPTION_KEY ${quoteLiteral(key)})`);
        await setup.run('SET temp_file_encryption = true');
      }
    } catch (err) {
      const reason = messageOf(err).split('\n')[0] ?? '';
      // DuckDB may quote the failing statement: the key never reaches a message or a cause.
      const safe = key === undefined ? reason : reason.replaceAll(key, '[redacted]');
      throw QueryEngineUnavailable({ reason: `cannot open the warehouse read-only (${safe})` }, key === undefined ? err : new Error(safe));
    }
    const datasets = await readDatasetCatalog(setup, WAREHOUSE_ALIAS, opts.pii);
    const variants = await createVariants(setup, opts.roles, datasets);
    const reserved = await systemRelationNames(setup);
    for (let i = 1; i < opts.connections; i++) conns.push(await connectUtc(instance));
    await harden(setup);
    const scoped = new Map([...variants].map(([k, v]) => [k, { ...v, scope: { ...v.scope, reserved } }]));
    const pool = new ConnectionPool(conns);
    return {
      datasets, pool, variants: scoped,
      close() {
        pool.close();
        instance.closeSync();
      },
    };
  } catch (err) {
    for (const c of conns) c.disconnectSync();
    instance.closeSync();
    throw err;
  }
}

async function createVariants(conn: DuckDBConnection, roles: RoleSet, datasets: readonly Dataset[]): Promise<Map<string, RoleVariant>> {
  const out = new Map<string, RoleVariant>();
  const checked = new Set<string>();
  let n = 0;
  for (const role of roles.roles) {
    if (!role.permissions.has('sql:query')) continue;
    for (const unmasked of role.permissions.has('pii:read') ? [false, true] : [false]) {
      const schema = `trb_r${n++}`;
      const views = secureViewsFor(role, datasets, unmasked);
      await conn.run(`CREATE SCHEMA ${quoteIdent(schema)}`);
      for (const v of views) {
        const source = `${WAREHOUSE_ALIAS}.main.${quoteIdent(v.dataset)}`;
        if (v.rowFilter !== undefined && !checked.has(`${role.name}.${v.dataset}`)) {
          await checkRowFilter(conn, role.name, v.dataset, v.rowFilter);
          checked.add(`${role.name}.${v.dataset}`);
        }
        try {
          await conn.run(createViewSql(schema, v, source));
        } catch (err) {
          throw RowFilterInvalid({ role: role.name, dataset: v.dataset, reason: messageOf(err).split('\n')[0]! }, err);
        }
      }
      const relations = new Set(views.map((v) => v.dataset.toLowerCase()));
      out.set(variantKey(role.name, unmasked), Object.freeze({ role, unmasked, schema, views, scope: { relations, reserved: new Set<string>() } }));
    }
  }
  return out;
}

/** Names of the system relations reachable by an unqualified name (catalog views, pg_catalog, information_schema). */
async function systemRelationNames(conn: DuckDBConnection): Promise<ReadonlySet<string>> {
  const reader = await conn.runAndReadAll(
    `SELECT lower(view_name) FROM duckdb_views() WHERE NOT starts_with(schema_name, 'trb_r')
     UNION SELECT lower(table_name) FROM duckdb_tables() WHERE database_name <> '${WAREHOUSE_ALIAS}'`);
  return new Set(reader.getRows().map((r) => String(r[0])));
}

async function harden(conn: DuckDBConnection): Promise<void> {
  await conn.run('SET autoinstall_known_extensions = false');
  await conn.run('SET autoload_known_extensions = false');
  await conn.run('SET enable_external_access = false');
  await conn.run('SET lock_configuration = true');
}
