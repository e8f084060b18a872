/**
 * Component contracts: sources produce chunks of raw bytes, stages turn batches into outcomes,
 * sinks stage and commit encoded batches. A component type is declared once by a `*Spec`
 * (its zod config schema plus a factory) and listed in `engine/registry.ts`.
 */
import type { z } from 'zod';
import type { ColumnSchema, Origin, RecordSchema } from './record.js';
import type { Rejection, StageResult, WriteResult } from './outcome.js';

/** JSON value stored as a checkpoint (opaque to the engine). */
export type CheckpointValue = Readonly<Record<string, unknown>>;

/** Facts shared by every record of a batch: all lines of a batch come from one stream. */
export interface BatchMeta {
  /** Source component id. */
  readonly source: string;
  /** Path or URI the bytes were read from. */
  readonly uri: string;
  /** Stream identity (files: fingerprint), independent of the path. */
  readonly stream: string;
}

/**
 * A run of complete lines read from one stream. `data` holds whole lines only (each ending with
 * `\n`, except possibly the last line of a finished file); `startOffset` is the stream byte offset
 * of `data[0]`, `firstLine` the 1-based number of its first line.
 */
export interface SourceChunk {
  readonly meta: BatchMeta;
  readonly data: Buffer;
  readonly startOffset: number;
  readonly endOffset: number;
  readonly firstLine: number;
  readonly lineCount: number;
  /**
   * True when the line was longer than the source's `max_line_bytes`: then `data` holds exactly one
   * line cut to the cap (`lineCount` = 1) while `endOffset - startOffset` is its real length; the
   * parse stage quarantines it as `line_too_long`.
   */
  readonly truncated?: boolean;
  /** Checkpoint to commit (key = stream) once every record of this chunk is durably in the sinks. */
  readonly checkpoint: { readonly key: string; readonly value: CheckpointValue };
}

/** Context handed to a source when it opens. */
export interface SourceContext {
  readonly pipeline: string;
  /** Directory the pipeline file lives in; relative paths in config resolve against it. */
  readonly baseDir: string;
  /** Committed checkpoints of this source, by key. */
  readonly checkpoints: ReadonlyMap<string, CheckpointValue>;
  /** Follow the inputs (watch mode) instead of stopping at their current end. */
  readonly watch: boolean;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Read access to the bronze layer (for replay sources); absent when the run has none. */
  readonly bronze?: BronzeReader;
}

/**
 * How a bronze object is encrypted at rest: age, to the recipient of one version of a vault `age`
 * data key. Any version of that key can decrypt it (replay tries them all).
 */
export interface BronzeEncryption {
  readonly scheme: 'age';
  /** Vault data key name (kind `age`), e.g. `bronze`. */
  readonly keyName: string;
  /** The key version the object was encrypted to (1, 2, ...). */
  readonly keyVersion: number;
}

/** One archived bronze segment: raw bytes of a stream range, content-addressed by sha256. */
export interface BronzeSegmentRef {
  /** Lowercase hex sha256 of the PLAINTEXT bytes (also when the object is encrypted). */
  readonly sha256: string;
  readonly objectKey: string;
  /** Plaintext bytes. */
  readonly size: number;
  readonly source: string;
  readonly uri: string;
  readonly stream: string;
  readonly fromOffset: number;
  readonly toOffset: number;
  readonly firstLine: number;
  readonly lineCount: number;
  /** Present when the object is encrypted at rest; absent = stored as plaintext. */
  readonly encryption?: BronzeEncryption;
}

/** Read access to a deployment's bronze layer. */
export interface BronzeReader {
  /** The manifest of `pipeline`, ordered by stream then offset (may contain overlapping ranges). */
  segments(pipeline: string): Promise<readonly BronzeSegmentRef[]>;
  /**
   * The segment's PLAINTEXT bytes (decrypted when `segment.encryption` is set); rejects when the
   * object is missing. For an encrypted object the stream errors with `TRB_SECRET_DECRYPT_FAILED`
   * (wrong key, altered or truncated bytes) before emitting anything unauthenticated, and `open`
   * rejects with `TRB_SECRET_KEYS_UNAVAILABLE` when the reader has no vault keys.
   */
  open(segment: Pick<BronzeSegmentRef, 'objectKey' | 'encryption'>): Promise<NodeJS.ReadableStream>;
}

/** A source of raw line chunks. */
export interface Source {
  readonly id: string;
  readonly type: string;
  /**
   * Yields chunks in stream order. In one-shot mode it ends after the current end of every input;
   * in watch mode it ends when `ctx.signal` aborts. Respects backpressure: it reads the next chunk
   * only when the consumer asks for it. Throws TRB_SOURCE_* errors for unrecoverable input problems.
   */
  chunks(): AsyncIterable<SourceChunk>;
  /** Releases handles and watchers. Safe to call twice. */
  close(): Promise<void>;
}

/** A batch of lines as the parse stage receives it (decoded text; offsets are stream bytes). */
export interface LineBatch {
  readonly meta: BatchMeta;
  readonly lines: readonly string[];
  /** 1-based line number of each line. */
  readonly lineNos: readonly number[];
  /** Stream byte offset of each line. */
  readonly offsets: readonly number[];
  /** Lines longer than the configured cap were cut by the engine: their indexes. */
  readonly overLong?: ReadonlySet<number>;
}

/** Lineage carried by every record after parsing (also stored as columns). */
export interface Lineage {
  source_line: number;
  source_offset: number;
}

/** A batch of parsed records; every record carries its lineage. */
export interface RecordBatch<R = Record<string, unknown>> {
  readonly meta: BatchMeta;
  readonly records: readonly (R & Lineage)[];
  /** Raw line of each record (same order), for quarantine. */
  readonly raws: readonly string[];
}

/** Context a stage gets per call. */
export interface StageCallContext {
  /**
   * For dedupe: the committed high-water byte offset per stream. Every record of `stream` with
   * `source_offset < committed` is already stored.
   */
  readonly committed: ReadonlyMap<string, number>;
  /**
   * For `format: auto`: the format the engine detected on the first lines of this batch's stream.
   * A parse stage adopts it, so every chunk of a stream parses alike whichever worker gets it.
   */
  readonly formatHint?: FormatHint;
}

/** A per-stream format detection made by the engine (names of candidate formats, best first). */
export interface FormatHint {
  readonly format: string;
  readonly ranking: readonly string[];
  /** Share of the sampled lines the format parsed, 0..1. */
  readonly confidence: number;
}

/**
 * A stage turns a batch into an output batch of passed records plus rejected and filtered ones,
 * synchronously (stages run on worker threads). It must account for every input record exactly once
 * and never throw for a record-level problem. The parse stage is `Stage<LineBatch, RecordBatch>`;
 * every later stage is `Stage<RecordBatch, RecordBatch>` (output `raws` aligned with `records`).
 */
export interface Stage<In, Out> {
  readonly id: string;
  readonly type: string;
  process(batch: In, ctx: StageCallContext): StageResult<Out>;
}

/** Helper to build an origin for a rejected record of a batch. */
export function originOf(meta: BatchMeta, line: number, offset: number): Origin {
  return { source: meta.source, uri: meta.uri, stream: meta.stream, line, offset };
}

/**
 * An encoded batch as sinks receive it: the passed records of one commit, written by the engine as
 * a CSV file (RFC 4180, header row with the schema's column names + lineage columns, `,` delimiter,
 * `"` quote/escape, unquoted empty = NULL, quoted empty = empty string, `ts` as ISO-8601 UTC with
 * microseconds, `extras` as a JSON object string), plus the rejections of the same commit.
 */
export interface SinkBatch {
  /** Unique, monotonically increasing id of this commit within the run (`<runId>-<seq>`). */
  readonly commitId: string;
  readonly schema: RecordSchema;
  /** Absolute path of the CSV file holding `rows` records (may be absent when rows = 0). */
  readonly csvPath: string | null;
  readonly rows: number;
  readonly rejections: readonly Rejection[];
  /**
   * For each stream in the batch, the lowest record offset it carries and the offset just past its
   * last byte: a sink that stores its own watermark must skip records below its committed watermark.
   */
  readonly streams: ReadonlyMap<string, { readonly from: number; readonly to: number }>;
  /**
   * Rows of the pipeline's other datasets in this commit (e.g. `security_events`), one entry per
   * dataset declared by a keyed stage (see {@link SinkContext.outputs}), in the same CSV dialect,
   * with the same lineage columns (those of the request a row came from, which sinks use for the
   * same watermark check as the main rows).
   */
  readonly outputs: readonly OutputBatch[];
}

/** Rows of one additional dataset of a commit. */
export interface OutputBatch {
  readonly dataset: string;
  readonly schema: RecordSchema;
  /** Absolute path of the CSV file holding `rows` rows (null when rows = 0). */
  readonly csvPath: string | null;
  readonly rows: number;
}

/** An additional dataset a pipeline writes besides its records (declared by a keyed stage). */
export interface OutputDataset {
  /** Table / lake dataset name (a plain SQL identifier). */
  readonly dataset: string;
  /** Its columns (the lineage columns are added by the sinks as for records). */
  readonly schema: RecordSchema;
}

/** What a sink reports for the run summary ("where the data now lives"). */
export interface SinkLocation {
  readonly sink: string;
  readonly type: string;
  readonly location: string;
  readonly description: string;
}

/** Context handed to a sink when it opens. */
export interface SinkContext {
  readonly pipeline: string;
  readonly baseDir: string;
  readonly dataDir: string;
  readonly schema: RecordSchema;
  /** The pipeline's additional datasets (created by the sink at open; their rows arrive in `SinkBatch.outputs`). */
  readonly outputs: readonly OutputDataset[];
  readonly log: Logger;
}

/**
 * A sink stores encoded batches. `write` stages a batch so that `commit` can make it visible
 * atomically; the engine calls `commit` only after every sink's `write` succeeded, and commits the
 * source checkpoints only after every sink's `commit` succeeded. A sink must be idempotent per
 * stream offset (re-delivering rows below its watermark must not duplicate them).
 */
export interface Sink {
  readonly id: string;
  readonly type: string;
  open(): Promise<void>;
  write(batch: SinkBatch): Promise<WriteResult>;
  /** Makes the staged batch visible. Returns the files it made visible (for the lake manifest). */
  commit(commitId: string): Promise<readonly CommittedFile[]>;
  /** Drops whatever was staged but not committed. */
  abort(commitId: string): Promise<void>;
  location(): SinkLocation;
  close(): Promise<void>;
}

/** A file a sink made visible in a commit. */
export interface CommittedFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256?: string;
  readonly partition?: string;
  /** The dataset the file belongs to when it is not the sink's main one (an {@link OutputDataset}). */
  readonly dataset?: string;
}

/** Minimal structured logger (pino-compatible subset). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Declaration of a component type: its config schema (the only declaration) and factory. */
export interface SourceSpec<C = unknown> {
  readonly kind: 'source';
  readonly type: string;
  readonly description: string;
  readonly config: z.ZodType<C>;
  create(id: string, config: C, ctx: SourceContext): Promise<Source>;
}

/** Kinds of vault data keys a stage may ask for (a subset of the vault's data key kinds). */
export type StageKeyKind = 'field' | 'hmac';

/** A vault data key a stage needs; the engine fetches it on the main thread (workers have no vault). */
export interface StageKeyRequest {
  readonly name: string;
  readonly kind: StageKeyKind;
}

/** Key material handed to a stage when it is built: the CURRENT version of a requested key. */
export interface StageKey {
  readonly name: string;
  readonly kind: StageKeyKind;
  readonly version: number;
  /** Key bytes (32 for `field` and `hmac`); never log them. */
  readonly material: Uint8Array;
}

/** What a stage gets besides its config when it is built in a worker thread. */
export interface StageBuildContext {
  /** The keys its spec's `keys(config)` asked for, in that order. */
  readonly keys: readonly StageKey[];
}

/** What a stage's main-thread {@link StageSpec.prepare} gets. */
export interface StagePrepareContext {
  readonly pipeline: string;
  /** The stage's id in the pipeline. */
  readonly stageId: string;
  /** Directory the pipeline file lives in. */
  readonly baseDir: string;
  /** The deployment's data directory (a stage keeps downloaded data files under it). */
  readonly dataDir: string;
  /** True in watch mode: background work (scheduled refreshes) may keep running until `signal` aborts. */
  readonly watch: boolean;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/** The outcome of {@link StageSpec.prepare}. */
export interface StagePreparation {
  /**
   * The stage's raw config as the workers will receive it (the input shape of the spec's zod
   * schema), e.g. with downloaded files' paths filled in. Return the input unchanged when nothing changes.
   */
  readonly config: Readonly<Record<string, unknown>>;
  /** Facts about the reference data the stage uses (e.g. database ages), reported in the run summary under `reference.<stage id>`. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** Stops background work started by `prepare` (timers, requests). Called once, after the workers stopped. */
  close(): Promise<void>;
}

/** Declaration of a stage type; `create` runs inside worker threads. */
export interface StageSpec<C = unknown> {
  readonly kind: 'stage';
  readonly type: string;
  readonly description: string;
  readonly config: z.ZodType<C>;
  /**
   * The vault data keys this stage needs for `config` (optional). The engine fetches the current
   * version of each on the main thread (creating it when missing) before the workers start, fails
   * the run with `TRB_SECRET_KEYS_UNAVAILABLE` when it has no vault, and passes the material to
   * `create` through `ctx.keys` (structured clone to each worker thread).
   */
  keys?(config: C): readonly StageKeyRequest[];
  /**
   * Columns this stage adds to every record (optional; enrichment stages). They are appended to the
   * parse stage's schema in stage order, so sinks create them and the encoder writes them; a stage
   * must set each of them (null when unknown) on every record it passes.
   */
  columns?(config: C): readonly ColumnSchema[];
  /**
   * Main-thread preparation (optional), run once per run before the worker pool starts: I/O a stage
   * must not do per record or in every worker, such as downloading reference data on a schedule.
   * Receives the raw config (validated by `config` already) and returns the raw config the workers
   * get. A rejection fails the run before any input is read.
   */
  prepare?(raw: Readonly<Record<string, unknown>>, ctx: StagePrepareContext): Promise<StagePreparation>;
  create(id: string, config: C, ctx?: StageBuildContext): Stage<unknown, unknown>;
  /**
   * Present on keyed (stateful) stages: what runs on the engine thread. The worker part (`create`)
   * attaches one structured-cloneable feature value to every record it passes
   * ({@link setFeature}); the engine hands the features of each chunk, in stream order, to the
   * stage's single {@link KeyedOperator}, which keeps state per key (visitor, client) across
   * chunks, files and restarts (its state is committed with the data).
   */
  readonly keyed?: KeyedStageSpec<C>;
}

/** The engine-thread half of a keyed stage. */
export interface KeyedStageSpec<C> {
  /**
   * Columns the operator fills (appended after every other column of the record schema, in stage
   * order). Their values come from {@link KeyedOutput.columns}.
   */
  columns(config: C): readonly ColumnSchema[];
  /** Additional datasets the operator writes rows to. */
  outputs(config: C): readonly OutputDataset[];
  /** Builds the operator (once per run, on the engine thread). */
  operator(id: string, config: C): KeyedOperator;
}

/** A record's features for the keyed stages, by stage id (a symbol: never encoded or stored). */
export const FEATURES: unique symbol = Symbol('tributary.features');

/** Attaches `value` as the feature of keyed stage `stageId` to `record`. */
export function setFeature(record: object, stageId: string, value: unknown): void {
  const r = record as { [FEATURES]?: Record<string, unknown> };
  (r[FEATURES] ??= {})[stageId] = value;
}

/** The feature keyed stage `stageId` attached to `record` (undefined when none). */
export function getFeature(record: object, stageId: string): unknown {
  return (record as { [FEATURES]?: Record<string, unknown> })[FEATURES]?.[stageId];
}

/** What a keyed operator makes of one chunk's features. */
export interface KeyedOutput {
  /** One array per column of {@link KeyedStageSpec.columns}, each aligned with the features. */
  readonly columns: readonly (readonly unknown[])[];
  /** Rows for the additional datasets (values by column name; lineage columns included). */
  readonly rows: readonly { readonly dataset: string; readonly row: Readonly<Record<string, unknown>> }[];
}

/**
 * Keyed state held on the engine thread. Chunks arrive strictly in stream order (the order the
 * sources produced them), one call at a time; state is saved with each commit as key → JSON value
 * rows and restored at the next run's start, so results do not depend on where batches, files or
 * restarts fall.
 */
export interface KeyedOperator {
  /** Loads state saved by earlier commits (before the first `process`). */
  restore(entries: Iterable<readonly [string, unknown]>): void;
  /** Processes the features of one chunk's records (in record order). */
  process(features: readonly unknown[]): KeyedOutput;
  /**
   * State changed since the last call: keys to upsert (value = JSON-serialisable) and keys to delete
   * (value `null`). The engine merges these into the commit they belong to.
   */
  drainChanges(): ReadonlyMap<string, unknown>;
  /** Counters for the run summary (e.g. open sessions, evictions). */
  stats(): Readonly<Record<string, number>>;
}

/** Declaration of a sink type. */
export interface SinkSpec<C = unknown> {
  readonly kind: 'sink';
  readonly type: string;
  readonly description: string;
  readonly config: z.ZodType<C>;
  create(id: string, config: C, ctx: SinkContext): Promise<Sink>;
}

/** Any component declaration. */
export type ComponentSpec = SourceSpec<any> | StageSpec<any> | SinkSpec<any>;

/**
 * Optional sink capability: at start-up, remove files that a crashed commit made visible but never
 * recorded in the manifest. Returns the paths removed.
 */
export interface ReconcilingSink {
  reconcile(committedPaths: ReadonlySet<string>): Promise<readonly string[]>;
}

/** True when a sink implements {@link ReconcilingSink}. */
export function isReconcilingSink(s: Sink): s is Sink & ReconcilingSink {
  return typeof (s as Partial<ReconcilingSink>).reconcile === 'function';
}
