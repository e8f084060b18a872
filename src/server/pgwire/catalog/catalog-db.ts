/**
 * A session's catalog database: an in-memory DuckDB (through `connectUtc`) holding the synthetic
 * PostgreSQL catalog of {@link CATALOG_DDL}, filled with ONLY the relations the identity may see
 * (`QueryEngine.relations`). Catalog queries (psql's `\dt`/`\d`/`\l`, BI probes) run here after
 * {@link rewriteCatalogSql}; it holds no data, its configuration is locked with external access
 * off, and only single SELECT statements run, under a row cap and a timeout.
 */
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { connectUtc, resultColumns, resultRows } from '../../../sinks/_shared/duckdb-values.js';
import type { Cell, QueryColumn, VisibleRelation } from '../../../query/query-engine.js';
import { CATALOG_DDL, EMPTY_CATALOGS } from './catalog-schema.js';
import { OID, pgTypeOf } from '../pg-types.js';

/** A fully read catalog result. */
export interface CatalogResult {
  readonly columns: readonly QueryColumn[];
  readonly rows: readonly (readonly Cell[])[];
}

/** A catalog query that is not a single SELECT (SQLSTATE 42501 at the caller). */
export class CatalogStatementRefused extends Error {
  override readonly name = 'CatalogStatementRefused';
}

const NS = { pg_catalog: 11, public: 2200, information_schema: 13_000 } as const;
const FIRST_REL_OID = 16_384;
const MAX_ROWS = 50_000;
const TIMEOUT_MS = 5_000;

/** Built-in types listed in pg_type: [oid, typname, typlen, typcategory, format_type name]. */
const TYPES: readonly (readonly [number, string, number, string, string])[] = [
  [OID.bool, 'bool', 1, 'B', 'boolean'], [OID.bytea, 'bytea', -1, 'U', 'bytea'], [OID.char, 'char', 1, 'S', '"char"'],
  [OID.name, 'name', 64, 'S', 'name'], [OID.int8, 'int8', 8, 'N', 'bigint'], [OID.int2, 'int2', 2, 'N', 'smallint'],
  [OID.int4, 'int4', 4, 'N', 'integer'], [OID.text, 'text', -1, 'S', 'text'], [OID.oid, 'oid', 4, 'N', 'oid'],
  [OID.json, 'json', -1, 'U', 'json'], [OID.float4, 'float4', 4, 'N', 'real'], [OID.float8, 'float8', 8, 'N', 'double precision'],
  [OID.varchar, 'varchar', -1, 'S', 'character varying'], [OID.date, 'date', 4, 'D', 'date'],
  [OID.time, 'time', 8, 'D', 'time without time zone'], [OID.timestamp, 'timestamp', 8, 'D', 'timestamp without time zone'],
  [OID.timestamptz, 'timestamptz', 8, 'D', 'timestamp with time zone'], [OID.interval, 'interval', 16, 'T', 'interval'],
  [OID.numeric, 'numeric', -1, 'N', 'numeric'], [OID.uuid, 'uuid', 16, 'U', 'uuid'],
];

/** Session facts shown through version(), current_setting(), current_database(), pg_backend_pid(). */
export interface CatalogFacts {
  readonly database: string;
  readonly user: string;
  readonly backendPid: number;
  readonly settings: ReadonlyMap<string, string>;
  readonly versionString: string;
}

/** A session's catalog database; see the file comment. Close it with the session. */
export class CatalogDb {
  readonly #instance: DuckDBInstance;
  readonly #conn: DuckDBConnection;
  readonly #settings: Map<string, string>;
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(instance: DuckDBInstance, conn: DuckDBConnection, settings: Map<string, string>) {
    this.#instance = instance;
    this.#conn = conn;
    this.#settings = settings;
  }

  /** Creates and fills the catalog for `relations`; the database is locked before it is returned. */
  static async open(relations: readonly VisibleRelation[], facts: CatalogFacts): Promise<CatalogDb> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '64MB' });
    const conn = await connectUtc(instance);
    const settings = new Map([...facts.settings].map(([k, v]) => [k.toLowerCase(), v]));
    try {
      for (const ddl of CATALOG_DDL) await conn.run(ddl);
      await fill(conn, relations, facts);
      for (const sql of sessionMacros(facts, settings)) await conn.run(sql);
      await conn.run("SET search_path = 'pgcat'");
      await conn.run('SET enable_external_access = false');
      await conn.run('SET lock_configuration = true');
    } catch (err) {
      conn.closeSync();
      instance.closeSync();
      throw err;
    }
    return new CatalogDb(instance, conn, settings);
  }

  /** Records a session SET so that current_setting() and SHOW agree. */
  async setSetting(name: string, value: string): Promise<void> {
    await this.#serial(async () => {
      await this.#conn.run('DELETE FROM pgcat.pg_settings WHERE lower(name) = lower($1)', [name]);
      await this.#conn.run("INSERT INTO pgcat.pg_settings(name, setting, source) VALUES ($1, $2, 'session')", [name, value]);
      this.#settings.set(name.toLowerCase(), value);
      await this.#conn.run(settingMacro(this.#settings));
    });
  }

  /**
   * Runs one rewritten catalog SELECT with positional parameters. A query over the always-empty
   * catalogs that DuckDB cannot bind (PostgreSQL-only syntax in psql's footers) returns no rows.
   */
  async query(sql: string, params: readonly Cell[] = []): Promise<CatalogResult> {
    return this.#serial(async () => {
      const extracted = await this.#conn.extractStatements(sql);
      if (extracted.count !== 1) throw new CatalogStatementRefused('Only one statement at a time is accepted');
      const prepared = await extracted.prepare(0);
      if (prepared.statementType !== StatementType.SELECT) throw new CatalogStatementRefused('Only SELECT statements are accepted');
      if (params.length > 0) prepared.bind(params as DuckDBValue[]);
      const timer = setTimeout(() => this.#conn.interrupt(), TIMEOUT_MS);
      try {
        const reader = await prepared.runAndReadUntil(MAX_ROWS);
        const columns = resultColumns(reader).map((c) => ({ ...c, name: pgColumnName(c.name) }));
        return { columns, rows: resultRows(reader).slice(0, MAX_ROWS) as Cell[][] };
      } finally {
        clearTimeout(timer);
      }
    }).catch((err: unknown) => {
      if (!(err instanceof CatalogStatementRefused) && mentionsEmptyCatalog(sql)) return { columns: [], rows: [] };
      throw err;
    });
  }

  /** Releases the database. Safe to call twice. */
  close(): void {
    try { this.#conn.closeSync(); this.#instance.closeSync(); } catch { /* already closed */ }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn, fn);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}

const lit = (v: string): string => `'${v.replace(/'/g, "''")}'`;

/**
 * current_setting() as a constant CASE (not a subquery: DuckDB refuses subqueries inside table
 * functions such as generate_series, which Grafana's table listing feeds with current_setting).
 */
function settingMacro(settings: ReadonlyMap<string, string>): string {
  const cases = [...settings].map(([k, v]) => `WHEN ${lit(k)} THEN ${lit(v)}`).join(' ');
  const body = `CASE lower(n) ${cases} ELSE NULL END`;
  return `CREATE OR REPLACE MACRO pgcat.current_setting(n) AS ${body}, (n, missing_ok) AS ${body}`;
}

/** The session's constant functions. */
function sessionMacros(facts: CatalogFacts, settings: ReadonlyMap<string, string>): string[] {
  return [
    settingMacro(settings),
    `CREATE MACRO pgcat.version() AS ${lit(facts.versionString)}`,
    `CREATE MACRO pgcat.current_database() AS ${lit(facts.database)}`,
    `CREATE MACRO pgcat.tributary_user() AS ${lit(facts.user)}`,
    `CREATE MACRO pgcat.pg_backend_pid() AS ${facts.backendPid}`,
    `CREATE MACRO pgcat.pg_postmaster_start_time() AS ${lit(new Date().toISOString())}::TIMESTAMPTZ`,
  ];
}

/** PostgreSQL names an unaliased function-call column after the function (`version`), DuckDB after the expression. */
function pgColumnName(name: string): string {
  const m = /^"?([a-z_][a-z0-9_]*)"?\(.*\)$/is.exec(name);
  const fn = m?.[1] ?? name;
  return fn === 'tributary_user' ? 'current_user' : fn;
}

function mentionsEmptyCatalog(sql: string): boolean {
  const low = sql.toLowerCase();
  return EMPTY_CATALOGS.some((c) => low.includes(c));
}

async function fill(conn: DuckDBConnection, relations: readonly VisibleRelation[], facts: CatalogFacts): Promise<void> {
  for (const [name, oid] of Object.entries(NS)) {
    await conn.run('INSERT INTO pgcat.pg_namespace VALUES ($1, $2, 10, NULL)', [oid, name]);
  }
  for (const [oid, typname, len, cat, formatName] of TYPES) {
    await conn.run(`INSERT INTO pgcat.pg_type(oid, typname, typnamespace, typowner, typlen, typbyval, typtype, typcategory,
      typispreferred, typisdefined, typdelim, typrelid, typelem, typarray, typbasetype, typtypmod, typndims, typcollation,
      typnotnull, typalign, typstorage, format_name) VALUES ($1, $2, 11, 10, $3, $4, 'b', $5, false, true, ',', 0, 0, 0, 0, -1, 0, 0,
      false, 'i', 'p', $6)`, [oid, typname, len, len > 0 && len <= 8, cat, formatName]);
  }
  await conn.run("INSERT INTO pgcat.pg_am VALUES (2, 'heap', 'heap_tableam_handler', 't')");
  await conn.run(`INSERT INTO pgcat.pg_database VALUES (16000, $1, 10, 6, 'c', false, true, -1, 'C.UTF-8', 'C.UTF-8', NULL, NULL, NULL, 1663)`, [facts.database]);
  await conn.run(`INSERT INTO pgcat.pg_roles VALUES (10, $1, false, true, false, false, true, false, -1, NULL, false, NULL)`, [facts.user]);
  await conn.run("INSERT INTO pgcat.pg_tablespace VALUES (1663, 'pg_default', 10)");
  for (const [name, value] of facts.settings) {
    await conn.run("INSERT INTO pgcat.pg_settings(name, setting, source) VALUES ($1, $2, 'default')", [name, value]);
  }
  let oid = FIRST_REL_OID;
  for (const rel of relations) {
    const relOid = oid++;
    await conn.run(`INSERT INTO pgcat.pg_class VALUES ($1, $2, 2200, 0, 0, 10, 2, $1, 0, 0, -1, 0, 0, false, false, 'p', 'r', $3,
      0, false, false, false, false, false, true, 'd', false, 0, 0, 0, NULL, NULL, NULL)`, [relOid, rel.name, rel.columns.length]);
    let attnum = 1;
    for (const col of rel.columns) {
      const t = pgTypeOf(col.type);
      await conn.run(`INSERT INTO pgcat.pg_attribute VALUES ($1, $2, $3, -1, $4, $5, 0, -1, $6, false, 'i', 'p', '', false, false, false,
        '', '', false, true, 0, 0, NULL, NULL, NULL)`, [relOid, col.name, t.oid, t.size, attnum++, t.modifier]);
    }
  }
}
