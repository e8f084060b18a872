/**
 * The ControlStore seam: the durable control plane of Tributary (runs, source checkpoints, the
 * bronze manifest and the lake file manifest). Two adapters implement it: SQLite (embedded mode,
 * `sqlite/`) and PostgreSQL (distributed mode, `postgres/`). Both pass
 * `test/contract/control-store.contract.ts` and return identical JS shapes, so nothing above this
 * file knows which one it got. Only `engine/bootstrap.ts` picks an adapter.
 *
 * Conventions shared by every method:
 * - Timestamps are ISO-8601 UTC strings with milliseconds (`2025-01-02T03:04:05.678Z`); inputs are
 *   normalised to that form, so they come back exactly as `new Date(x).toISOString()`.
 * - JSON values are stored as JSON (TEXT in SQLite, jsonb in PostgreSQL). Only plain JSON is accepted
 *   (null, booleans, finite numbers, strings, arrays, plain objects; `undefined` object properties are
 *   dropped as JSON.stringify does); anything else is `TRB_STORE_VALUE_INVALID`. Object key order is
 *   not guaranteed to survive (jsonb sorts keys): compare values structurally.
 * - Every failure is a TributaryError of the `store` family (codes in `../store-errors.ts`):
 *   `TRB_STORE_UNAVAILABLE` (retry: backoff) when the database is unreachable or busy,
 *   `TRB_STORE_QUERY_FAILED` otherwise, `TRB_STORE_CLOSED` after `close()`.
 */
import type { BronzeSegmentRef } from '../../core/component.js';
import type { AuditStore } from './audit-store.js';
import type { VaultStore } from './vault-store.js';
import type { ApiKeyStore } from './api-key-store.js';
import type { WireUserStore } from './wire-user-store.js';

/** What started a run. */
export const RUN_TRIGGERS = ['cli', 'watch', 'schedule', 'api', 'bench'] as const;
/** One of {@link RUN_TRIGGERS}. */
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** Final statuses a run can be finished with. */
export const RUN_FINAL_STATUSES = ['succeeded', 'failed', 'gate_failed', 'interrupted'] as const;
/** One of {@link RUN_FINAL_STATUSES}. */
export type RunFinalStatus = (typeof RUN_FINAL_STATUSES)[number];
/** Status of a run: `running` from `startRun` until `finishRun`. */
export type RunStatus = 'running' | RunFinalStatus;

/** Input of {@link ControlStore.startRun}. */
export interface StartRun {
  readonly pipeline: string;
  /** Hash of the resolved pipeline config (any stable string; the store does not interpret it). */
  readonly configHash: string;
  readonly trigger: RunTrigger;
}

/** Input of {@link ControlStore.finishRun}. */
export interface FinishRun {
  readonly status: RunFinalStatus;
  /** Run counts (any JSON value, usually per-stage counts). */
  readonly counts: unknown;
  /** The error that ended the run, when it failed. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** A run as stored. Field names are the column names (snake_case) on purpose: the API returns them as is. */
export interface RunRecord {
  /** Time-ordered id: sorting ids as strings sorts runs by start time. */
  readonly id: string;
  readonly pipeline: string;
  readonly config_hash: string;
  readonly trigger: RunTrigger;
  readonly status: RunStatus;
  /** ISO-8601 UTC. */
  readonly started_at: string;
  /** ISO-8601 UTC; null while running. */
  readonly finished_at: string | null;
  /** JSON given to `finishRun`; null while running. */
  readonly counts: unknown;
  readonly error_code: string | null;
  readonly error_message: string | null;
}

/** Filter of {@link ControlStore.listRuns}. */
export interface RunQuery {
  readonly pipeline?: string;
  /** Maximum number of runs returned; a positive integer, default 100. */
  readonly limit?: number;
}

/** A checkpoint value: a JSON object, opaque to the store. */
export type CheckpointObject = Readonly<Record<string, unknown>>;

/** One checkpoint written by a commit; `(pipeline, source, key)` identifies it. */
export interface CheckpointEntry {
  /** Source component id. */
  readonly source: string;
  /** Checkpoint key within the source (files: the stream fingerprint). */
  readonly key: string;
  /** Must be a plain JSON object. */
  readonly value: CheckpointObject;
}

/**
 * One bronze object (raw bytes of a stream range, content-addressed). `(sha256, stream, fromOffset)`
 * identifies it: committing it again is ignored.
 */
export interface BronzeEntry extends BronzeSegmentRef {
  /** ISO-8601 timestamp of ingestion (normalised to UTC milliseconds). */
  readonly ingestedAt: string;
  /** How the (plaintext) object bytes are encoded; encryption at rest is `encryption` (inherited). */
  readonly encoding: 'identity' | 'gzip';
}

/** A lake file made visible by a sink; `path` identifies it: committing a path again replaces it. */
export interface LakeFileEntry {
  /** Sink component id. */
  readonly sink: string;
  readonly dataset: string;
  readonly path: string;
  /** Non-negative integer. */
  readonly rows: number;
  /** Non-negative integer. */
  readonly bytes: number;
  /** Partition value (e.g. `day=2025-01-02`), or null. */
  readonly partition: string | null;
  readonly sha256: string | null;
}

/** Everything one engine commit makes durable, atomically. */
export interface CommitRecord {
  readonly pipeline: string;
  readonly runId: string;
  /** Unique id of the commit (engine: `<runId>-<seq>`); the idempotency key of {@link ControlStore.commit}. */
  readonly commitId: string;
  readonly checkpoints: readonly CheckpointEntry[];
  readonly bronze: readonly BronzeEntry[];
  readonly files: readonly LakeFileEntry[];
  /** Keyed stages' state changes produced by this commit's data (absent = none). */
  readonly state?: readonly StageStateEntry[];
}

/** One change of a keyed stage's state: `value` null deletes the key. */
export interface StageStateEntry {
  /** Stage id in the pipeline. */
  readonly stage: string;
  readonly key: string;
  /** Any JSON value; null = delete. */
  readonly value: unknown;
}

/** A bronze manifest row: the entry plus the commit that first recorded it. */
export interface BronzeManifestEntry extends BronzeEntry {
  readonly pipeline: string;
  readonly commitId: string;
}

/** A lake manifest row: the entry plus the commit that last wrote its path. */
export interface LakeFileManifestEntry extends LakeFileEntry {
  readonly pipeline: string;
  readonly commitId: string;
  /** ISO-8601 UTC time of that commit. */
  readonly committedAt: string;
}

/** Filter of {@link ControlStore.listBronze}. */
export interface BronzeQuery {
  readonly pipeline?: string;
  readonly stream?: string;
}

/** What identifies one bronze manifest row of a pipeline (see {@link BronzeEntry}). */
export type BronzeEntryKey = Pick<BronzeEntry, 'sha256' | 'stream' | 'fromOffset'>;

/** Filter of {@link ControlStore.listLakeFiles}. */
export interface LakeFileQuery {
  readonly pipeline?: string;
  readonly sink?: string;
  readonly dataset?: string;
}

/**
 * One lake file replaced by a rewrite of itself (erasure rewrites a file without the rows it
 * removes): `from` leaves the manifest and `to` takes its place.
 */
export interface LakeFileReplacement {
  /** Path of the manifest entry that is replaced. */
  readonly from: string;
  /** The new file's entry, or null when none of the file's rows are left (the file just goes). */
  readonly to: LakeFileEntry | null;
}

/**
 * The control store. Instances are safe for concurrent use by one process, and several instances
 * (processes, hosts) may share one database: every write is a single statement or one transaction.
 */
export interface ControlStore {
  /** Adapter name for logs and `doctor` (`sqlite`, `postgres`). Never branch on it above the seam. */
  readonly kind: string;

  /** The secret vault's ciphertext rows (see `vault-store.ts`). */
  readonly vault: VaultStore;

  /** The audit log's entries and anchors (see `audit-store.ts`). */
  readonly audit: AuditStore;

  /** API keys: public ids, hashes and metadata, never a key (see `api-key-store.ts`). */
  readonly apiKeys: ApiKeyStore;

  /** PostgreSQL-wire users: roles and SCRAM verifiers, never a password (see `wire-user-store.ts`). */
  readonly wireUsers: WireUserStore;

  /**
   * Brings the schema to the latest version. Idempotent and safe to run concurrently from several
   * instances (the migration lock serialises them). Every other method expects it to have run.
   * Throws `TRB_STORE_MIGRATION_FAILED` (cause = the driver error) naming the failing migration.
   */
  migrate(): Promise<void>;

  /**
   * Records a new run with status `running` and `started_at` = now, and returns its id. Ids are
   * time-ordered (string order = start order, monotonic within a process).
   */
  startRun(r: StartRun): Promise<string>;

  /**
   * Sets the final status, `finished_at` = now, counts and error of a running run.
   * Throws `TRB_STORE_RUN_NOT_FOUND` for an unknown id, `TRB_STORE_RUN_FINISHED` if it already has a
   * final status, `TRB_STORE_VALUE_INVALID` if `counts` is not JSON.
   */
  finishRun(runId: string, r: FinishRun): Promise<void>;

  /** The run with this id, or undefined. */
  getRun(runId: string): Promise<RunRecord | undefined>;

  /** Runs, newest first (by start time, then id), optionally of one pipeline, at most `limit`. */
  listRuns(q?: RunQuery): Promise<readonly RunRecord[]>;

  /** Committed state of one keyed stage of one pipeline, by key. Empty map when there is none. */
  getStageState(pipeline: string, stage: string): Promise<ReadonlyMap<string, unknown>>;

  /** Committed checkpoints of one source of one pipeline, by key. Empty map when there are none. */
  getCheckpoints(pipeline: string, source: string): Promise<ReadonlyMap<string, CheckpointObject>>;

  /**
   * Makes one engine commit durable in ONE transaction: upserts every checkpoint (last entry wins for
   * a repeated `(source, key)`), inserts bronze entries (existing `(sha256, stream, fromOffset)` kept),
   * upserts lake files by path, and records the commit. Either all of it is visible afterwards or
   * none of it. Committing a `commitId` that is already recorded does nothing and resolves (so the
   * engine may retry a commit whose outcome it did not see).
   * Throws `TRB_STORE_VALUE_INVALID` before touching the database for values that cannot be stored,
   * `TRB_STORE_COMMIT_FAILED` when the transaction failed (e.g. a negative row count, refused by a
   * CHECK constraint), `TRB_STORE_UNAVAILABLE` when the database was unreachable or busy.
   */
  commit(c: CommitRecord): Promise<void>;

  /** Bronze manifest, ordered by stream then fromOffset (then sha256). */
  listBronze(q?: BronzeQuery): Promise<readonly BronzeManifestEntry[]>;

  /**
   * Removes bronze manifest rows of `pipeline` in ONE transaction (retention: their objects are
   * deleted afterwards, once no row references them). Keys not in the manifest are ignored, so a
   * retried deletion succeeds. Returns the number of rows removed. The objects are not touched.
   * Throws `TRB_STORE_VALUE_INVALID` before touching the database for keys that cannot be stored.
   */
  deleteBronze(pipeline: string, keys: readonly BronzeEntryKey[]): Promise<number>;

  /** Lake file manifest, ordered by sink, dataset, then path. */
  listLakeFiles(q?: LakeFileQuery): Promise<readonly LakeFileManifestEntry[]>;

  /**
   * Swaps lake manifest entries of `pipeline` in ONE transaction: deletes every `from` path and
   * inserts every `to` entry, recorded with `changeId` as its commit id and now as its time. Either
   * every swap is visible afterwards or none. Throws `TRB_STORE_CONFLICT` (nothing changed) when a
   * `from` is not in the manifest of `pipeline` or a `to` path is already in the manifest,
   * `TRB_STORE_VALUE_INVALID` before touching the database for values that cannot be stored.
   */
  replaceLakeFiles(pipeline: string, changeId: string, replacements: readonly LakeFileReplacement[]): Promise<void>;

  /** Closes connections. Safe to call twice; any other call afterwards throws `TRB_STORE_CLOSED`. */
  close(): Promise<void>;
}
