/**
 * The gold layer's PostgreSQL warehouse: one session of the `postgres` sink's server (same
 * connection options, TLS and vault password), `search_path` set to the sink's schema so models
 * name tables unqualified, and a private in-memory DuckDB that only parses SQL for dependencies.
 *
 * Relations are replaced inside the caller's transaction (PostgreSQL DDL is transactional, so a
 * reader sees the old rows or the new ones). A table whose columns (names and types) did not change
 * is refilled in place (TRUNCATE + INSERT), so what others attached to it survives a rebuild:
 * grants, row-level security policies, the RBAC secure views over it. A table whose columns changed
 * (the model was edited) is dropped and created again, which drops views over it (CASCADE): define
 * those as view models (rebuilt right after, in dependency order) and re-apply roles.
 * Incremental models are tables partitioned by day (`<model>_pYYYYMMDD` plus `<model>_default`),
 * so retention drops whole partitions and a dashboard's day filter prunes.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type pg from 'pg';
import { connectUtc } from '../sinks/_shared/duckdb-values.js';
import { quoteIdent, quoteLiteral } from '../sinks/_shared/sql.js';
import type { PostgresConfig } from '../sinks/postgres/config.js';
import { connectPostgres, serverLabel } from '../sinks/postgres/connect-postgres.js';
import { withDdlLock } from '../sinks/postgres/ensure-pg-warehouse.js';
import { dayPartitionName, defaultPartitionName, nextDay } from '../sinks/postgres/pg-sql.js';
import { ModelFailed } from './errors.js';
import type { DayPartitioning, GoldWarehouse, RelationKind } from './gold-warehouse.js';

/** Session-private relations a replacement is staged in. */
const NEW = 'trb_model_new';
const SHAPE = 'trb_model_shape';

/** Longest name of a partitioned model: `_pYYYYMMDD` must fit in PostgreSQL's 63 characters. */
const MAX_PARTITIONED_NAME = 53;

/**
 * `trb_url_decode(text)`: DuckDB's `url_decode` for the staging views (percent-escapes to UTF-8;
 * NULL when the bytes are not UTF-8). Created in the gold schema.
 */
const URL_DECODE = `CREATE OR REPLACE FUNCTION trb_url_decode(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
DECLARE b bytea := ''::bytea; i int := 1; n int := length(s); c text;
BEGIN
  IF position('%' in s) = 0 THEN RETURN s; END IF;
  WHILE i <= n LOOP
    c := substr(s, i, 1);
    IF c = '%' AND substr(s, i + 1, 2) ~ '^[0-9A-Fa-f]{2}$' THEN b := b || decode(substr(s, i + 1, 2), 'hex'); i := i + 3;
    ELSE b := b || convert_to(c, 'UTF8'); i := i + 1; END IF;
  END LOOP;
  RETURN convert_from(b, 'UTF8');
EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN RETURN NULL;
END $f$`;

/** A {@link GoldWarehouse} on the server and schema of a `postgres` sink. */
export class PostgresGoldWarehouse implements GoldWarehouse {
  readonly dialect = 'postgres' as const;
  readonly label: string;
  readonly parser: DuckDBConnection;
  readonly #client: pg.Client;
  readonly #schema: string;
  readonly #parserDb: DuckDBInstance;

  private constructor(client: pg.Client, schema: string, label: string, parser: DuckDBConnection, parserDb: DuckDBInstance) {
    this.#client = client;
    this.#schema = schema;
    this.label = label;
    this.parser = parser;
    this.#parserDb = parserDb;
  }

  /**
   * Connects as sink `sink` (config `config`, already holding the resolved password), sets the
   * search path to its schema and installs `trb_url_decode`. Returns undefined when the schema does
   * not exist yet (the sink never loaded anything). Throws `TRB_CONNECT_POSTGRES_*`.
   */
  static async open(sink: string, config: PostgresConfig, baseDir: string): Promise<PostgresGoldWarehouse | undefined> {
    const client = await connectPostgres(`gold:${sink}`, config, baseDir, () => undefined);
    try {
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [config.schema]);
      if (found.rowCount === 0) { await client.end(); return undefined; }
      await client.query(`SET search_path TO ${quoteIdent(config.schema)}`);
      await withDdlLock(client, config.schema, async () => { await client.query(URL_DECODE); });
      const parserDb = await DuckDBInstance.create(':memory:');
      return new PostgresGoldWarehouse(client, config.schema, `${serverLabel(config)} schema ${config.schema}`, await connectUtc(parserDb), parserDb);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  async exec(sql: string): Promise<void> { await this.#client.query(sql); }

  async rows(sql: string): Promise<readonly (readonly unknown[])[]> {
    return (await this.#client.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
  }

  async relationKind(name: string): Promise<RelationKind | undefined> {
    const r = await this.#client.query<{ relkind: string }>(
      "SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm')",
      [this.#schema, name]);
    const k = r.rows[0]?.relkind;
    return k === undefined ? undefined : k === 'v' ? 'view' : k === 'p' ? 'partitioned' : 'table';
  }

  async columns(table: string): Promise<Set<string>> {
    const r = await this.#client.query<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [this.#schema, table]);
    return new Set(r.rows.map((x) => x.column_name));
  }

  async drop(name: string, kind: RelationKind): Promise<void> {
    await this.exec(`DROP ${kind === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${quoteIdent(name)} CASCADE`);
  }

  async replaceView(name: string, sql: string): Promise<void> {
    // CREATE OR REPLACE VIEW cannot drop or retype columns: replace by drop + create.
    await this.exec('BEGIN');
    try {
      await this.drop(name, 'view');
      await this.exec(`CREATE VIEW ${quoteIdent(name)} AS ${sql}`);
      await this.exec('COMMIT');
    } catch (err) {
      await this.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async replaceTable(name: string, sql: string, partition?: DayPartitioning): Promise<void> {
    const kind = await this.relationKind(name);
    if (partition === undefined) {
      // Materialised first: the model may read its own previous rows (dimensions do).
      await this.exec(`CREATE TEMP TABLE ${NEW} AS ${sql}`);
      if (kind === 'table' && await this.#sameShape(name, `pg_temp.${NEW}`)) {
        await this.exec(`TRUNCATE ${quoteIdent(name)}`);
        await this.exec(`INSERT INTO ${quoteIdent(name)} SELECT * FROM pg_temp.${NEW}`);
      } else {
        if (kind !== undefined) await this.drop(name, kind);
        await this.exec(`CREATE TABLE ${quoteIdent(name)} AS SELECT * FROM pg_temp.${NEW}`);
      }
      await this.exec(`DROP TABLE pg_temp.${NEW}`);
      return;
    }
    if (name.length > MAX_PARTITIONED_NAME) {
      throw ModelFailed({ model: name, reason: `an incremental model's name may have at most ${MAX_PARTITIONED_NAME} characters on PostgreSQL (its day partitions append _pYYYYMMDD)` });
    }
    await this.exec(`CREATE TEMP VIEW ${SHAPE} AS ${sql}`);
    if (kind === 'partitioned' && await this.#sameShape(name, `pg_temp.${SHAPE}`)) {
      await this.exec(`TRUNCATE ${quoteIdent(name)}`);
    } else {
      if (kind !== undefined) await this.drop(name, kind);
      await this.exec(`CREATE TABLE ${quoteIdent(name)} (LIKE pg_temp.${SHAPE}) PARTITION BY RANGE (${quoteIdent(partition.column)})`);
      await this.exec(`CREATE TABLE ${quoteIdent(defaultPartitionName(name))} PARTITION OF ${quoteIdent(name)} DEFAULT`);
    }
    await this.exec(`DROP VIEW pg_temp.${SHAPE}`);
    await this.ensurePartitions(name, partition);
    await this.exec(`INSERT INTO ${quoteIdent(name)} SELECT * FROM (${sql}) AS model`);
  }

  /** True when relations `a` and `b` have the same column names and types, in order. */
  async #sameShape(a: string, b: string): Promise<boolean> {
    const shape = async (rel: string): Promise<string> => JSON.stringify((await this.#client.query(
      'SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
      [rel])).rows);
    return (await shape(quoteIdent(a))) === (await shape(b));
  }

  async ensurePartitions(name: string, partition: DayPartitioning): Promise<void> {
    if ((await this.relationKind(name)) !== 'partitioned') return;
    for (const d of partition.days) {
      await this.exec(`CREATE TABLE IF NOT EXISTS ${quoteIdent(dayPartitionName(name, d))} PARTITION OF ${quoteIdent(name)} `
        + `FOR VALUES FROM (${quoteLiteral(d)}) TO (${quoteLiteral(nextDay(d))})`);
    }
  }

  async analyze(name: string): Promise<void> { await this.exec(`ANALYZE ${quoteIdent(name)}`); }

  async close(): Promise<void> {
    try { this.parser.disconnectSync(); } catch { /* already closed */ }
    try { this.#parserDb.closeSync(); } catch { /* already closed */ }
    await this.#client.end().catch(() => undefined);
  }
}
