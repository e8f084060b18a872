/**
 * The roles on a PostgreSQL warehouse, as real PostgreSQL objects (the counterpart of the DuckDB
 * secure views): per Tributary role variant (masked; unmasked with `pii:read`)
 * - a NOLOGIN group role `<prefix><role>` (`..._pii` for the unmasked variant), never superuser,
 *   never BYPASSRLS;
 * - column GRANTs on the warehouse tables for exactly the granted, unmasked columns;
 * - row-level security on every table some role filters, with one policy per group role (its row
 *   filter, or `true`);
 * - a schema `<group>_v` of `security_invoker` views: granted columns, masks as constants, so the
 *   group's own column privileges and RLS policies apply when it reads them.
 * The serving login role becomes a NOINHERIT member of every group (it can `SET ROLE` to one, and
 * holds no privilege of its own) and is checked to be neither owner of a warehouse table (nor able
 * to become one), superuser, nor BYPASSRLS.
 */
import type pg from 'pg';
import { ServingRoleUnsafe } from '../../security/rbac/errors.js';
import type { RoleSet } from '../../security/rbac/role-set.js';
import { quoteIdent, quoteLiteral } from '../../sinks/_shared/sql.js';
import { columnPii, type PiiSources } from '../column-pii.js';
import type { CatalogColumn, Dataset } from '../dataset-catalog.js';
import { secureViewsFor, type SecureView, MASK_TEXT } from '../secure-views.js';

/** One applied variant: the group role to `SET ROLE` to and the schema of its views. */
export interface PostgresRoleVariant {
  readonly role: string;
  readonly unmasked: boolean;
  readonly group: string;
  readonly viewSchema: string;
  readonly views: readonly SecureView[];
}

/** Options of {@link applyPostgresRoles}. */
export interface ApplyPostgresRolesOptions {
  /** The warehouse schema (tables written by the `postgres` sink and gold models). */
  readonly schema: string;
  readonly roles: RoleSet;
  readonly pii?: PiiSources;
  /** The login role the query engine connects as. */
  readonly loginRole: string;
  /** Prefix of the group roles and view schemas (default `trb_`); cluster-wide names, keep it unique per deployment. */
  readonly prefix?: string;
}

/**
 * Applies `opts.roles` on the database `client` is connected to (as the warehouse owner or a role
 * with CREATEROLE), idempotently, in one transaction. Returns the variants for the query engine.
 * Throws `TRB_RBAC_SERVING_ROLE_UNSAFE` before changing anything when the login role could bypass it.
 */
export async function applyPostgresRoles(client: pg.ClientBase, opts: ApplyPostgresRolesOptions): Promise<readonly PostgresRoleVariant[]> {
  const prefix = opts.prefix ?? 'trb_';
  await assertServingRoleSafe(client, opts.loginRole, opts.schema);
  // A member inherits its groups' privileges by default: the login role must hold none of its own,
  // only what `SET ROLE` to one group gives for one transaction.
  await client.query(`ALTER ROLE ${quoteIdent(opts.loginRole)} NOINHERIT`);
  const datasets = await readPgDatasets(client, opts.schema, opts.pii ?? {});
  const tables = new Set(datasets.filter((d) => d.kind === 'table').map((d) => d.name));
  const variants: PostgresRoleVariant[] = [];
  await client.query('BEGIN');
  try {
    for (const role of opts.roles.roles) {
      if (!role.permissions.has('sql:query')) continue;
      for (const unmasked of role.permissions.has('pii:read') ? [false, true] : [false]) {
        const group = `${prefix}${role.name}${unmasked ? '_pii' : ''}`.replaceAll('-', '_');
        const viewSchema = `${group}_v`;
        const views = secureViewsFor(role, datasets, unmasked);
        await ensureGroup(client, group, opts);
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(viewSchema)} CASCADE`);
        await client.query(`CREATE SCHEMA ${quoteIdent(viewSchema)}`);
        await client.query(`GRANT USAGE ON SCHEMA ${quoteIdent(viewSchema)}, ${quoteIdent(opts.schema)} TO ${quoteIdent(group)}`);
        for (const v of views) await applyView(client, opts.schema, viewSchema, group, v, tables.has(v.dataset));
        variants.push({ role: role.name, unmasked, group, viewSchema, views });
      }
    }
    await applyPolicies(client, opts.schema, variants, tables);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
  return Object.freeze(variants);
}

async function assertServingRoleSafe(client: pg.ClientBase, login: string, schema: string): Promise<void> {
  const r = await client.query('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1', [login]);
  const row = r.rows[0] as { rolsuper: boolean; rolbypassrls: boolean } | undefined;
  if (row === undefined) throw ServingRoleUnsafe({ role: login, reason: 'it does not exist' });
  if (row.rolsuper) throw ServingRoleUnsafe({ role: login, reason: 'it is a superuser' });
  if (row.rolbypassrls) throw ServingRoleUnsafe({ role: login, reason: 'it has BYPASSRLS' });
  const owned = await client.query(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND pg_has_role($2, c.relowner, 'MEMBER') LIMIT 1`, [schema, login]);
  if (owned.rows.length > 0) throw ServingRoleUnsafe({ role: login, reason: `it owns (or may become the owner of) \`${schema}.${String(owned.rows[0].relname)}\`` });
}

async function ensureGroup(client: pg.ClientBase, group: string, opts: ApplyPostgresRolesOptions): Promise<void> {
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [group]);
  if (exists.rows.length === 0) await client.query(`CREATE ROLE ${quoteIdent(group)} NOLOGIN`);
  await client.query(`ALTER ROLE ${quoteIdent(group)} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT`);
  await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${quoteIdent(opts.schema)} FROM ${quoteIdent(group)}`);
  await client.query(`GRANT ${quoteIdent(group)} TO ${quoteIdent(opts.loginRole)}`);
}

async function applyView(client: pg.ClientBase, schema: string, viewSchema: string, group: string, v: SecureView, isTable: boolean): Promise<void> {
  const src = `${quoteIdent(schema)}.${quoteIdent(v.dataset)}`;
  const readable = v.columns.filter((c) => !c.masked).map((c) => quoteIdent(c.name));
  if (readable.length > 0) await client.query(`GRANT SELECT (${readable.join(', ')}) ON ${src} TO ${quoteIdent(group)}`);
  const cols = v.columns.map((c) => (c.masked ? `${pgMask(c)} AS ${quoteIdent(c.name)}` : quoteIdent(c.name)));
  // Tables filter through RLS; a derived view cannot carry a policy, so its filter goes in the view.
  const where = !isTable && v.rowFilter !== undefined ? ` WHERE (${v.rowFilter})` : '';
  await client.query(`CREATE VIEW ${quoteIdent(viewSchema)}.${quoteIdent(v.dataset)} WITH (security_invoker = true) AS SELECT ${cols.join(', ')} FROM ${src}${where}`);
  await client.query(`GRANT SELECT ON ${quoteIdent(viewSchema)}.${quoteIdent(v.dataset)} TO ${quoteIdent(group)}`);
}

/** RLS on every table some variant filters; then each variant that reads it gets its policy. */
async function applyPolicies(client: pg.ClientBase, schema: string, variants: readonly PostgresRoleVariant[], tables: ReadonlySet<string>): Promise<void> {
  const filtered = new Set(variants.flatMap((v) => v.views.filter((x) => x.rowFilter !== undefined && tables.has(x.dataset)).map((x) => x.dataset)));
  for (const t of filtered) {
    const src = `${quoteIdent(schema)}.${quoteIdent(t)}`;
    await client.query(`ALTER TABLE ${src} ENABLE ROW LEVEL SECURITY`);
    const old = await client.query('SELECT policyname FROM pg_policies WHERE schemaname = $1 AND tablename = $2 AND policyname LIKE $3', [schema, t, 'trb:%']);
    for (const p of old.rows as { policyname: string }[]) await client.query(`DROP POLICY ${quoteIdent(p.policyname)} ON ${src}`);
    for (const v of variants) {
      const view = v.views.find((x) => x.dataset === t);
      if (view === undefined) continue;
      await client.query(`CREATE POLICY ${quoteIdent(`trb:${v.group}`)} ON ${src} FOR SELECT TO ${quoteIdent(v.group)} USING (${view.rowFilter ?? 'true'})`);
    }
  }
}

function pgMask(c: CatalogColumn): string {
  return /^(text|character varying.*)$/.test(c.type) ? `${quoteLiteral(MASK_TEXT)}::text` : `NULL::${c.type}`;
}

/** Tables (not partitions), partitioned tables, views and materialized views of `schema`, with `format_type` column types. */
async function readPgDatasets(client: pg.ClientBase, schema: string, pii: PiiSources): Promise<readonly Dataset[]> {
  const r = await client.query(
    `SELECT c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition AND left(c.relname, 1) <> '_'
      ORDER BY c.relname, a.attnum`, [schema]);
  const by = new Map<string, { kind: 'table' | 'view'; columns: CatalogColumn[] }>();
  for (const row of r.rows as { relname: string; relkind: string; attname: string; type: string }[]) {
    let d = by.get(row.relname);
    if (d === undefined) by.set(row.relname, d = { kind: row.relkind === 'r' || row.relkind === 'p' ? 'table' : 'view', columns: [] });
    d.columns.push({ name: row.attname, type: row.type, pii: columnPii(row.relname, row.attname, pii) });
  }
  return [...by].map(([name, d]) => ({ name, kind: d.kind, columns: d.columns }));
}
