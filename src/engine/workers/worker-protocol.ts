/**
 * Messages between the engine and its batch workers. Chunks travel as transferred byte buffers and
 * results come back CSV-encoded, so no per-record object crosses a thread boundary.
 */
import type { BatchMeta, FormatHint, StageKey } from '../../core/component.js';
import type { Rejection } from '../../core/outcome.js';
import type { StageCounts } from '../../core/counts.js';
import type { RecordSchema } from '../../core/record.js';

/** A stage as the worker rebuilds it: registry type plus validated config. */
export interface StageDef {
  readonly id: string;
  readonly type: string;
  readonly config: unknown;
  /** Data keys fetched on the main thread for stages whose spec declares `keys` (see stage-keys.ts). */
  readonly keys?: readonly StageKey[];
}

/** Sent once per worker: which stages to build and which record schema to encode. */
export interface InitMessage {
  readonly kind: 'init';
  readonly stages: readonly StageDef[];
  /** The record schema to encode (the parse stage's, plus columns added by later stages). */
  readonly schema: RecordSchema;
  /** Raw lines stored with a rejection are cut to this many characters. */
  readonly maxRawChars: number;
  /**
   * Ids of the keyed stages, in chain order: their features go back with each result; and how many
   * columns at the end of `schema` they fill on the engine thread (left out of the worker's CSV).
   */
  readonly keyed?: { readonly stages: readonly string[]; readonly deferredColumns: number };
}

/** One chunk of whole lines from one stream. */
export interface ChunkMessage {
  readonly kind: 'chunk';
  readonly seq: number;
  readonly meta: BatchMeta;
  readonly data: Uint8Array;
  readonly startOffset: number;
  readonly firstLine: number;
  readonly truncated: boolean;
  /** Committed high-water offsets per stream (for dedupe). */
  readonly committed: readonly (readonly [string, number])[];
  /** The engine's format detection for this stream (auto mode only). */
  readonly formatHint?: FormatHint;
}

/** Per-stage counts plus the time the stage took on this chunk. */
export interface StageReport extends StageCounts {
  readonly stage: string;
  readonly nanos: number;
}

/** The outcome of one chunk. */
export interface ChunkResult {
  readonly kind: 'result';
  readonly seq: number;
  /** Lines found in the chunk (the first stage's input). */
  readonly lines: number;
  /** CSV rows (no header) of the records that passed every stage. */
  readonly csv: Uint8Array;
  readonly rows: number;
  readonly rejections: readonly Rejection[];
  readonly stages: readonly StageReport[];
  /** Nanoseconds spent splitting/decoding and encoding. */
  readonly splitNanos: number;
  readonly encodeNanos: number;
  /**
   * With keyed stages: one feature array per keyed stage (aligned with the CSV rows) and, per row,
   * where the deferred columns go in `csv`.
   */
  readonly keyed?: { readonly features: readonly (readonly unknown[])[]; readonly marks: Uint32Array };
}

/** A failure inside the worker (a bug or a bad stage config), forwarded to the engine. */
export interface WorkerFailure {
  readonly kind: 'failure';
  readonly seq: number;
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Anything the worker posts back. */
export type WorkerReply = ChunkResult | WorkerFailure | { readonly kind: 'ready' };
