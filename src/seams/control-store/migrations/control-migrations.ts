/**
 * Schema migrations of the control store, shared by every adapter. A migration is written once
 * against Kysely's schema builder and parameterised by a {@link MigrationEnv} (column types and the
 * schema to create tables in), then run by Kysely's `Migrator` through the in-code provider
 * {@link createControlMigrationProvider}. Migration names sort in application order; never rename or
 * edit an applied migration: add a new one.
 */
import { sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';

/** What differs between databases when creating the schema. */
export interface MigrationEnv {
  /** Schema (PostgreSQL namespace) the tables live in; undefined = the connection's default. */
  readonly schema?: string;
  /** Column type for JSON documents. */
  readonly json: 'text' | 'jsonb';
  /** Column type for instants. */
  readonly timestamp: 'text' | 'timestamptz';
  /** Column type for 64-bit integers (offsets, sizes). */
  readonly bigint: 'integer' | 'bigint';
}

type SchemaOf = (db: Kysely<any>) => Kysely<any>['schema'];

function initial(env: MigrationEnv, s: SchemaOf): Migration {
  const { json, timestamp: ts, bigint } = env;
  return {
    async up(db) {
      await s(db).createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('config_hash', 'text', (c) => c.notNull())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('started_at', ts, (c) => c.notNull())
        .addColumn('finished_at', ts)
        .addColumn('counts', json)
        .addColumn('error_code', 'text')
        .addColumn('error_message', 'text')
        .addCheckConstraint('runs_trigger_check', sql`${sql.ref('trigger')} in ('cli', 'watch', 'schedule', 'api', 'bench')`)
        .addCheckConstraint('runs_status_check',
          sql`${sql.ref('status')} in ('running', 'succeeded', 'failed', 'gate_failed', 'interrupted')`)
        .execute();
      await s(db).createIndex('runs_pipeline_started_idx').on('runs').columns(['pipeline', 'started_at']).execute();
      await s(db).createIndex('runs_started_idx').on('runs').column('started_at').execute();

      await s(db).createTable('commits')
        .addColumn('commit_id', 'text', (c) => c.primaryKey())
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('committed_at', ts, (c) => c.notNull())
        .addColumn('checkpoint_count', 'integer', (c) => c.notNull())
        .addColumn('bronze_count', 'integer', (c) => c.notNull())
        .addColumn('file_count', 'integer', (c) => c.notNull())
        .execute();

      await s(db).createTable('checkpoints')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', json, (c) => c.notNull())
        .addColumn('run_id', 'text', (c) => c.notNull())
        .addColumn('commit_id', 'text', (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addPrimaryKeyConstraint('checkpoints_pk', ['pipeline', 'source', 'key'])
        .execute();

      await s(db).createTable('bronze_objects')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('stream', 'text', (c) => c.notNull())
        .addColumn('from_offset', bigint, (c) => c.notNull())
        .addColumn('to_offset', bigint, (c) => c.notNull())
        .addColumn('object_key', 'text', (c) => c.notNull())
        .addColumn('size', bigint, (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('uri', 'text', (c) => c.notNull())
        .addColumn('first_line', bigint, (c) => c.notNull())
        .addColumn('line_count', bigint, (c) => c.notNull())
        .addColumn('ingested_at', ts, (c) => c.notNull())
        .addColumn('encoding', 'text', (c) => c.notNull())
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('commit_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('bronze_objects_pk', ['sha256', 'stream', 'from_offset'])
        .addCheckConstraint('bronze_objects_range_check',
          sql`${sql.ref('from_offset')} >= 0 and ${sql.ref('to_offset')} >= ${sql.ref('from_offset')}`)
        .addCheckConstraint('bronze_objects_counts_check',
          sql`${sql.ref('size')} >= 0 and ${sql.ref('line_count')} >= 0 and ${sql.ref('first_line')} >= 0`)
        .addCheckConstraint('bronze_objects_encoding_check', sql`${sql.ref('encoding')} in ('identity', 'gzip')`)
        .execute();
      await s(db).createIndex('bronze_objects_stream_idx').on('bronze_objects').columns(['stream', 'from_offset']).execute();
      await s(db).createIndex('bronze_objects_pipeline_idx').on('bronze_objects').column('pipeline').execute();

      await s(db).createTable('lake_files')
        .addColumn('path', 'text', (c) => c.primaryKey())
        .addColumn('sink', 'text', (c) => c.notNull())
        .addColumn('dataset', 'text', (c) => c.notNull())
        .addColumn('rows', bigint, (c) => c.notNull())
        .addColumn('bytes', bigint, (c) => c.notNull())
        .addColumn('partition', 'text')
        .addColumn('sha256', 'text')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('commit_id', 'text', (c) => c.notNull())
        .addColumn('committed_at', ts, (c) => c.notNull())
        .addCheckConstraint('lake_files_counts_check', sql`${sql.ref('rows')} >= 0 and ${sql.ref('bytes')} >= 0`)
        .execute();
      await s(db).createIndex('lake_files_dataset_idx').on('lake_files').columns(['pipeline', 'sink', 'dataset']).execute();
    },
    async down(db) {
      for (const t of ['lake_files', 'bronze_objects', 'checkpoints', 'commits', 'runs']) await s(db).dropTable(t).execute();
    },
  };
}

function security(env: MigrationEnv, s: SchemaOf): Migration {
  const { json, timestamp: ts, bigint } = env;
  return {
    async up(db) {
      // The vault: one row per version of an entry. Values are ciphertext under a per-row data key,
      // and the data key is wrapped by the master key named in master_key_id.
      await s(db).createTable('vault_entries')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('wrapped_key', 'text', (c) => c.notNull())
        .addColumn('master_key_id', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('rotate_after_days', 'integer')
        .addColumn('meta', json)
        .addPrimaryKeyConstraint('vault_entries_pk', ['name', 'version'])
        .addCheckConstraint('vault_entries_version_check', sql`${sql.ref('version')} >= 1`)
        .execute();
      await s(db).createIndex('vault_entries_master_idx').on('vault_entries').column('master_key_id').execute();

      // The audit log: append-only, hash-chained and HMAC-keyed (see security/audit).
      await s(db).createTable('audit_log')
        .addColumn('seq', bigint, (c) => c.primaryKey())
        .addColumn('ts', ts, (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('details', json)
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('mac', 'text', (c) => c.notNull())
        .addColumn('key_version', 'integer', (c) => c.notNull())
        .addCheckConstraint('audit_log_seq_check', sql`${sql.ref('seq')} >= 1`)
        .execute();
      await s(db).createIndex('audit_log_action_idx').on('audit_log').columns(['action', 'seq']).execute();
      await s(db).createIndex('audit_log_ts_idx').on('audit_log').column('ts').execute();

      // Anchors: signed (HMAC) snapshots of the chain head, exportable and checkable later.
      await s(db).createTable('audit_anchors')
        .addColumn('seq', bigint, (c) => c.primaryKey())
        .addColumn('head_hash', 'text', (c) => c.notNull())
        .addColumn('entry_count', bigint, (c) => c.notNull())
        .addColumn('ts', ts, (c) => c.notNull())
        .addColumn('mac', 'text', (c) => c.notNull())
        .addColumn('key_version', 'integer', (c) => c.notNull())
        .execute();
    },
    async down(db) {
      for (const t of ['audit_anchors', 'audit_log', 'vault_entries']) await s(db).dropTable(t).execute();
    },
  };
}

/**
 * Bronze encryption at rest: how each bronze object is encrypted (`none` for every object written
 * before, `age` = age-encrypted to version `key_version` of the vault data key `key_name`). Both
 * key columns are set exactly when `encryption` is `age` (checked by the writer, prepare-commit).
 */
function bronzeEncryption(_env: MigrationEnv, s: SchemaOf): Migration {
  return {
    async up(db) {
      await s(db).alterTable('bronze_objects')
        .addColumn('encryption', 'text', (c) => c.notNull().defaultTo('none')
          .check(sql`${sql.ref('encryption')} in ('none', 'age')`))
        .execute();
      await s(db).alterTable('bronze_objects').addColumn('key_name', 'text').execute();
      await s(db).alterTable('bronze_objects').addColumn('key_version', 'integer').execute();
    },
    async down(db) {
      for (const c of ['key_version', 'key_name', 'encryption']) await s(db).alterTable('bronze_objects').dropColumn(c).execute();
    },
  };
}

/**
 * State of keyed stages (sessions, behaviour windows): key → JSON value per pipeline and stage,
 * written in the same transaction as the data of the commit that produced it.
 */
function stageState(env: MigrationEnv, s: SchemaOf): Migration {
  return {
    async up(db) {
      await s(db).createTable('stage_state')
        .addColumn('pipeline', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', env.json, (c) => c.notNull())
        .addColumn('commit_id', 'text', (c) => c.notNull())
        .addColumn('updated_at', env.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('stage_state_pk', ['pipeline', 'stage', 'key'])
        .execute();
    },
    async down(db) { await s(db).dropTable('stage_state').execute(); },
  };
}

/**
 * Identity: API keys (public id = the key's lookup prefix; only a scrypt hash of the key, with its
 * parameters, is stored) and PostgreSQL-wire users (SCRAM-SHA-256 verifiers, never a password).
 * `revoked_at` may lie in the future: a rotated key stays valid until then (the grace period).
 */
function identity(env: MigrationEnv, s: SchemaOf): Migration {
  const { json, timestamp: ts } = env;
  return {
    async up(db) {
      await s(db).createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('scopes', json, (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('expires_at', ts)
        .addColumn('revoked_at', ts)
        .addColumn('revoked_by', 'text')
        .addColumn('replaced_by', 'text')
        .addColumn('last_used_at', ts)
        .execute();
      await s(db).createTable('wire_users')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('salt', 'text', (c) => c.notNull())
        .addColumn('iterations', 'integer', (c) => c.notNull())
        .addColumn('stored_key', 'text', (c) => c.notNull())
        .addColumn('server_key', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addCheckConstraint('wire_users_iterations_check', sql`${sql.ref('iterations')} >= 4096`)
        .execute();
    },
    async down(db) {
      for (const t of ['wire_users', 'api_keys']) await s(db).dropTable(t).execute();
    },
  };
}

/** Name → migration factory, in application order. */
const MIGRATIONS: ReadonlyArray<readonly [string, (env: MigrationEnv, s: SchemaOf) => Migration]> = [
  ['0001_initial', initial],
  ['0002_security', security],
  ['0003_bronze_encryption', bronzeEncryption],
  ['0004_stage_state', stageState],
  ['0005_identity', identity],
];

/** Names of every migration, in order (the last one is the schema version `migrate()` reaches). */
export const CONTROL_MIGRATION_NAMES: readonly string[] = MIGRATIONS.map(([n]) => n);

/** Names of Kysely's bookkeeping tables in the control database (never change them). */
export const CONTROL_MIGRATION_TABLES = {
  migrationTableName: 'control_migrations',
  migrationLockTableName: 'control_migration_lock',
} as const;

/** An in-code Kysely migration provider for the control schema, specialised to `env`. */
export function createControlMigrationProvider(env: MigrationEnv): MigrationProvider {
  const schema = env.schema;
  const s: SchemaOf = schema === undefined ? (db) => db.schema : (db) => db.schema.withSchema(schema);
  return {
    getMigrations: () => Promise.resolve(Object.fromEntries(MIGRATIONS.map(([name, make]) => [name, make(env, s)]))),
  };
}
