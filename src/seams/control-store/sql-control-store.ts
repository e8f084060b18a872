/**
 * The ControlStore implementation shared by the SQL adapters. It speaks Kysely only; an adapter
 * supplies a {@link SqlDialectProfile} (its Kysely instance, migrator, how its driver returns JSON,
 * which driver errors are transient, how to close). Keeping the SQL in one place is what makes the
 * adapters return identical shapes.
 */
import type { Kysely, Migrator, Transaction } from 'kysely';
import { isTributaryError } from '../../core/errors.js';
import type { TributaryError } from '../../core/errors.js';
import {
  StoreClosed, StoreCommitFailed, StoreMigrationFailed, StoreQueryFailed, StoreRunFinished, StoreRunNotFound,
  StoreUnavailable, StoreValueInvalid,
} from '../store-errors.js';
import type { ControlDb } from './control-db.js';
import { RUN_FINAL_STATUSES, RUN_TRIGGERS } from './control-store.js';
import type {
  BronzeEntryKey, BronzeManifestEntry, BronzeQuery, CheckpointObject, CommitRecord, ControlStore, FinishRun, LakeFileManifestEntry,
  LakeFileQuery, LakeFileReplacement, RunQuery, RunRecord, RunStatus, RunTrigger, StartRun,
} from './control-store.js';
import { prepareCommit } from './prepare-commit.js';
import type { AuditStore } from './audit-store.js';
import type { VaultStore } from './vault-store.js';
import { SqlAuditStore } from './sql-audit-store.js';
import { SqlVaultStore } from './sql-vault-store.js';
import type { ApiKeyStore } from './api-key-store.js';
import type { WireUserStore } from './wire-user-store.js';
import { SqlApiKeyStore } from './sql-api-key-store.js';
import { SqlWireUserStore } from './sql-wire-user-store.js';
import { replaceLakeFilesSql } from './sql-lake-file-swap.js';
import { deleteBronzeSql } from './sql-bronze-delete.js';
import type { SqlOps } from './sql-ops.js';
import { newRunId } from './run-id.js';
import { checkInteger, checkText, toIso, toJsonText } from './store-values.js';

/** What an SQL adapter provides to {@link SqlControlStore}. */
export interface SqlDialectProfile {
  readonly kind: string;
  /** Query builder bound to the store's tables (PostgreSQL: already `withSchema`). */
  readonly db: Kysely<ControlDb>;
  /** True when the driver returns JSON columns already parsed (pg jsonb); false for JSON text. */
  readonly driverParsesJson: boolean;
  /** A Kysely Migrator wired to the control migrations for this database. */
  createMigrator(): Migrator;
  /** True for errors worth retrying (connection lost, lock busy, serialization failure). */
  isTransient(err: unknown): boolean;
  /** True for a primary-key or unique constraint violation. */
  isUniqueViolation(err: unknown): boolean;
  /**
   * True for a migration failure caused by another client changing the catalog at the same moment
   * (PostgreSQL: Kysely's migrator introspects every schema, and one dropped meanwhile fails it);
   * `migrate()` retries those.
   */
  isMigrationRace?(err: unknown): boolean;
  /**
   * Runs a writing operation so that it cannot deadlock with other instances of this process
   * (SQLite: one writer per file at a time). Omit when the database queues writers itself.
   */
  serializeWrites?<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Called first inside every audit append transaction to queue it behind other appenders (other
   * pools, processes, hosts) until commit. Omit when write transactions are already exclusive
   * (SQLite `BEGIN IMMEDIATE`).
   */
  lockAuditAppends?(trx: Transaction<ControlDb>): Promise<void>;
  /** Closes the underlying connection(s). Called once. */
  destroy(): Promise<void>;
}

const DEFAULT_LIMIT = 100;
const MIGRATE_ATTEMPTS = 5;
const CHUNK_ROWS = 500;

const toIsoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : toIso(v));
const toNum = (v: unknown): number => Number(v);

/** Keys of `entries` grouped by stage. */
function groupKeys(entries: readonly { readonly stage: string; readonly key: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of entries) {
    const keys = out.get(e.stage);
    if (keys) keys.push(e.key); else out.set(e.stage, [e.key]);
  }
  return out;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK_ROWS) out.push(items.slice(i, i + CHUNK_ROWS));
  return out;
}

/** ControlStore over any Kysely dialect profile. Create it through an adapter's factory. */
export class SqlControlStore implements ControlStore {
  readonly kind: string;
  readonly vault: VaultStore;
  readonly audit: AuditStore;
  readonly apiKeys: ApiKeyStore;
  readonly wireUsers: WireUserStore;
  readonly #p: SqlDialectProfile;
  readonly #ops: SqlOps;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(profile: SqlDialectProfile) {
    this.#p = profile;
    this.kind = profile.kind;
    const ops: SqlOps = {
      kind: profile.kind, db: profile.db,
      assertOpen: (op) => this.#assertOpen(op),
      write: (fn) => this.#write(fn),
      run: (op, fn) => this.#run(op, fn),
      json: (v) => this.#json(v),
      isUniqueViolation: (err) => profile.isUniqueViolation(err),
      ...(profile.lockAuditAppends ? { lockAuditAppends: (trx: Transaction<ControlDb>) => profile.lockAuditAppends!(trx) } : {}),
    };
    this.#ops = ops;
    this.vault = new SqlVaultStore(ops);
    this.audit = new SqlAuditStore(ops);
    this.apiKeys = new SqlApiKeyStore(ops);
    this.wireUsers = new SqlWireUserStore(ops);
  }

  async migrate(): Promise<void> {
    this.#assertOpen('migrate');
    for (let attempt = 1; ; attempt++) {
      const { error, results } = await this.#write(() => this.#p.createMigrator().migrateToLatest());
      if (error === undefined) return;
      // Concurrent migrators on one SQLite file can collide on the write lock; the loser retries.
      if ((this.#p.isTransient(error) || this.#p.isMigrationRace?.(error) === true) && attempt < MIGRATE_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, 50 * attempt));
        continue;
      }
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '(migration setup)';
      const reason = error instanceof Error ? error.message : String(error);
      throw StoreMigrationFailed({ store: this.kind, migration: failed, reason }, error);
    }
  }

  async startRun(r: StartRun): Promise<string> {
    this.#assertOpen('startRun');
    checkText(r.pipeline, 'a run', 'pipeline');
    checkText(r.configHash, 'a run', 'configHash');
    if (!(RUN_TRIGGERS as readonly string[]).includes(r.trigger)) {
      throw StoreValueInvalid({ what: 'a run', path: 'trigger', reason: `must be one of ${RUN_TRIGGERS.join(', ')}` });
    }
    const now = Date.now();
    const id = newRunId(now);
    await this.#run('startRun', () => this.#write(() => this.#p.db.insertInto('runs').values({
      id, pipeline: r.pipeline, config_hash: r.configHash, trigger: r.trigger, status: 'running',
      started_at: new Date(now).toISOString(), finished_at: null, counts: null, error_code: null, error_message: null,
    }).execute()));
    return id;
  }

  async finishRun(runId: string, r: FinishRun): Promise<void> {
    this.#assertOpen('finishRun');
    if (!(RUN_FINAL_STATUSES as readonly string[]).includes(r.status)) {
      throw StoreValueInvalid({ what: 'a run', path: 'status', reason: `must be one of ${RUN_FINAL_STATUSES.join(', ')}` });
    }
    const counts = toJsonText(r.counts ?? null, 'run counts', 'counts');
    if (r.error !== undefined) {
      checkText(r.error.code, 'a run error', 'error.code');
      if (r.error.message.includes('\0')) throw StoreValueInvalid({ what: 'a run error', path: 'error.message', reason: 'contains a NUL character' });
    }
    const res = await this.#run('finishRun', () => this.#write(() => this.#p.db.updateTable('runs').set({
      status: r.status, finished_at: new Date().toISOString(), counts,
      error_code: r.error?.code ?? null, error_message: r.error?.message ?? null,
    }).where('id', '=', runId).where('status', '=', 'running').executeTakeFirst()));
    if (Number(res.numUpdatedRows) === 1) return;
    const existing = await this.getRun(runId);
    if (existing === undefined) throw StoreRunNotFound({ runId });
    throw StoreRunFinished({ runId, status: existing.status });
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    this.#assertOpen('getRun');
    const row = await this.#run('getRun', () =>
      this.#p.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst());
    return row === undefined ? undefined : this.#runRecord(row);
  }

  async listRuns(q: RunQuery = {}): Promise<readonly RunRecord[]> {
    this.#assertOpen('listRuns');
    const limit = checkInteger(q.limit ?? DEFAULT_LIMIT, 'a run query', 'limit', 1);
    const rows = await this.#run('listRuns', () => this.#p.db.selectFrom('runs').selectAll()
      .$if(q.pipeline !== undefined, (b) => b.where('pipeline', '=', q.pipeline ?? ''))
      .orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute());
    return Object.freeze(rows.map((r) => this.#runRecord(r)));
  }

  async getStageState(pipeline: string, stage: string): Promise<ReadonlyMap<string, unknown>> {
    this.#assertOpen('getStageState');
    const rows = await this.#run('getStageState', () => this.#p.db.selectFrom('stage_state').select(['key', 'value'])
      .where('pipeline', '=', pipeline).where('stage', '=', stage).execute());
    return new Map(rows.map((r) => [r.key, this.#json(r.value)]));
  }

  async getCheckpoints(pipeline: string, source: string): Promise<ReadonlyMap<string, CheckpointObject>> {
    this.#assertOpen('getCheckpoints');
    const rows = await this.#run('getCheckpoints', () => this.#p.db.selectFrom('checkpoints').select(['key', 'value'])
      .where('pipeline', '=', pipeline).where('source', '=', source).orderBy('key').execute());
    return new Map(rows.map((r) => [r.key, this.#json(r.value) as CheckpointObject]));
  }

  async commit(c: CommitRecord): Promise<void> {
    this.#assertOpen('commit');
    const now = new Date().toISOString();
    const rows = prepareCommit(c, now);
    try {
      await this.#write(() => this.#p.db.transaction().execute(async (trx) => {
        // The commit row goes first: on a replayed commitId the insert does nothing and we stop here,
        // and concurrent writers of one commitId serialise on its primary key.
        const head = await trx.insertInto('commits').values(rows.commit)
          .onConflict((oc) => oc.column('commit_id').doNothing()).executeTakeFirst();
        if (Number(head.numInsertedOrUpdatedRows ?? 0n) === 0) return;
        for (const part of chunks(rows.checkpoints)) {
          await trx.insertInto('checkpoints').values(part)
            .onConflict((oc) => oc.columns(['pipeline', 'source', 'key']).doUpdateSet((eb) => ({
              value: eb.ref('excluded.value'), run_id: eb.ref('excluded.run_id'),
              commit_id: eb.ref('excluded.commit_id'), updated_at: eb.ref('excluded.updated_at'),
            }))).execute();
        }
        for (const part of chunks(rows.bronze)) {
          await trx.insertInto('bronze_objects').values(part)
            .onConflict((oc) => oc.columns(['sha256', 'stream', 'from_offset']).doNothing()).execute();
        }
        for (const part of chunks(rows.files)) {
          await trx.insertInto('lake_files').values(part)
            .onConflict((oc) => oc.column('path').doUpdateSet((eb) => ({
              sink: eb.ref('excluded.sink'), dataset: eb.ref('excluded.dataset'), rows: eb.ref('excluded.rows'),
              bytes: eb.ref('excluded.bytes'), partition: eb.ref('excluded.partition'), sha256: eb.ref('excluded.sha256'),
              pipeline: eb.ref('excluded.pipeline'), commit_id: eb.ref('excluded.commit_id'),
              committed_at: eb.ref('excluded.committed_at'),
            }))).execute();
        }
        for (const part of chunks(rows.state)) {
          await trx.insertInto('stage_state').values(part)
            .onConflict((oc) => oc.columns(['pipeline', 'stage', 'key']).doUpdateSet((eb) => ({
              value: eb.ref('excluded.value'), commit_id: eb.ref('excluded.commit_id'), updated_at: eb.ref('excluded.updated_at'),
            }))).execute();
        }
        for (const part of chunks(rows.stateDeletes)) {
          for (const [stage, keys] of groupKeys(part)) {
            await trx.deleteFrom('stage_state').where('pipeline', '=', c.pipeline).where('stage', '=', stage).where('key', 'in', keys).execute();
          }
        }
      }));
    } catch (err) {
      throw this.#wrap(err, 'commit', (reason) =>
        StoreCommitFailed({ store: this.kind, pipeline: c.pipeline, commitId: c.commitId, reason }, err));
    }
  }

  async listBronze(q: BronzeQuery = {}): Promise<readonly BronzeManifestEntry[]> {
    this.#assertOpen('listBronze');
    const rows = await this.#run('listBronze', () => this.#p.db.selectFrom('bronze_objects').selectAll()
      .$if(q.pipeline !== undefined, (b) => b.where('pipeline', '=', q.pipeline ?? ''))
      .$if(q.stream !== undefined, (b) => b.where('stream', '=', q.stream ?? ''))
      .orderBy('stream').orderBy('from_offset').orderBy('sha256').execute());
    return Object.freeze(rows.map((r) => Object.freeze({
      sha256: r.sha256, objectKey: r.object_key, size: toNum(r.size), source: r.source, uri: r.uri, stream: r.stream,
      fromOffset: toNum(r.from_offset), toOffset: toNum(r.to_offset), firstLine: toNum(r.first_line),
      lineCount: toNum(r.line_count), ingestedAt: toIso(r.ingested_at), encoding: r.encoding as 'identity' | 'gzip',
      ...(r.encryption === 'age' && r.key_name !== null && r.key_version !== null
        ? { encryption: Object.freeze({ scheme: 'age' as const, keyName: r.key_name, keyVersion: toNum(r.key_version) }) } : {}),
      pipeline: r.pipeline, commitId: r.commit_id,
    })));
  }

  deleteBronze(pipeline: string, keys: readonly BronzeEntryKey[]): Promise<number> {
    return deleteBronzeSql(this.#ops, pipeline, keys);
  }

  async listLakeFiles(q: LakeFileQuery = {}): Promise<readonly LakeFileManifestEntry[]> {
    this.#assertOpen('listLakeFiles');
    const rows = await this.#run('listLakeFiles', () => this.#p.db.selectFrom('lake_files').selectAll()
      .$if(q.pipeline !== undefined, (b) => b.where('pipeline', '=', q.pipeline ?? ''))
      .$if(q.sink !== undefined, (b) => b.where('sink', '=', q.sink ?? ''))
      .$if(q.dataset !== undefined, (b) => b.where('dataset', '=', q.dataset ?? ''))
      .orderBy('sink').orderBy('dataset').orderBy('path').execute());
    return Object.freeze(rows.map((r) => Object.freeze({
      sink: r.sink, dataset: r.dataset, path: r.path, rows: toNum(r.rows), bytes: toNum(r.bytes),
      partition: r.partition ?? null, sha256: r.sha256 ?? null, pipeline: r.pipeline, commitId: r.commit_id,
      committedAt: toIso(r.committed_at),
    })));
  }

  replaceLakeFiles(pipeline: string, changeId: string, replacements: readonly LakeFileReplacement[]): Promise<void> {
    return replaceLakeFilesSql(this.#ops, pipeline, changeId, replacements);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#p.destroy();
    return this.#closing;
  }

  #assertOpen(op: string): void {
    if (this.#closed) throw StoreClosed({ store: this.kind, op });
  }

  #json(v: unknown): unknown {
    if (v === null || v === undefined) return null;
    return this.#p.driverParsesJson ? v : JSON.parse(String(v));
  }

  #runRecord(r: Record<keyof RunRecord, unknown>): RunRecord {
    return Object.freeze({
      id: String(r.id), pipeline: String(r.pipeline), config_hash: String(r.config_hash),
      trigger: r.trigger as RunTrigger, status: r.status as RunStatus,
      started_at: toIso(r.started_at), finished_at: toIsoOrNull(r.finished_at), counts: this.#json(r.counts),
      error_code: (r.error_code as string | null) ?? null, error_message: (r.error_message as string | null) ?? null,
    });
  }

  #write<T>(fn: () => Promise<T>): Promise<T> {
    return this.#p.serializeWrites ? this.#p.serializeWrites(fn) : fn();
  }

  async #run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#wrap(err, op, (reason) => StoreQueryFailed({ store: this.kind, op, reason }, err));
    }
  }

  #wrap(err: unknown, op: string, otherwise: (reason: string) => TributaryError): TributaryError {
    if (isTributaryError(err)) return err;
    const reason = err instanceof Error ? err.message : String(err);
    if (this.#p.isTransient(err)) return StoreUnavailable({ store: this.kind, op, reason }, err);
    return otherwise(reason);
  }
}
