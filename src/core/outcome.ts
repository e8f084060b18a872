/**
 * What stages and sinks return. Per-record problems are data ({@link Rejection}), never
 * exceptions, and every stage call accounts for each input record exactly once.
 */
import type { Origin } from './record.js';

/** Closed set of reasons a record can be rejected (low cardinality: used as a metric label). */
export const REJECT_CODES = [
  'parse_failed', 'format_unknown', 'required_missing', 'type_conversion_failed', 'schema_violation',
  'value_out_of_range', 'line_too_long', 'enrich_failed', 'privacy_failed', 'contract_violation',
] as const;

/** One of {@link REJECT_CODES}. */
export type RejectCode = (typeof REJECT_CODES)[number];

/** A record refused by a stage: where it came from, what was wrong and in which field. */
export interface Rejection {
  readonly origin: Origin;
  /** The raw input line (or a JSON rendering of a row), capped by the engine before storage. */
  readonly raw: string;
  readonly code: RejectCode;
  /** Human reason, e.g. `status 999 is outside 100..599`. */
  readonly reason: string;
  /** The offending field, when one is to blame. */
  readonly field?: string;
  /** The stage id that rejected it. */
  readonly stage: string;
}

/**
 * Result of one stage call on one batch. `passed` is the output BATCH (for the parse stage a
 * RecordBatch built from a LineBatch; for record stages the input RecordBatch narrowed to the records
 * that passed, `records[i]` still aligned with `raws[i]`). Counts must balance:
 * `input size = passed.records.length + rejected.length + filtered`.
 */
export interface StageResult<B> {
  readonly passed: B;
  readonly rejected: readonly Rejection[];
  /** Records intentionally dropped (e.g. duplicates, empty lines), counted but not quarantined. */
  readonly filtered: number;
}

/** Result of one sink write: rows written and rows that failed, by index into the batch. */
export interface WriteResult {
  readonly written: number;
  readonly failed: readonly ItemFailure[];
}

/** One failed item of a sink batch. */
export interface ItemFailure {
  readonly index: number;
  readonly code: RejectCode;
  readonly reason: string;
}
