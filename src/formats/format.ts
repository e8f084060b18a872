/**
 * The line-format contract: a format turns one decoded log line into a record or a typed failure.
 * Formats never throw for bad input; every failure is a {@link ParseResult} with a closed
 * {@link RejectCode}, a human reason (naming the column where it went wrong) and, when one is to
 * blame, the field.
 */
import type { RejectCode } from '../core/outcome.js';
import type { ParsedRecord } from '../core/record.js';

/** Outcome of parsing one line: the record, or why it could not be parsed. */
export type ParseResult<R> =
  | { ok: true; record: R }
  | { ok: false; code: RejectCode; reason: string; field?: string };

/**
 * A log line format. `parse` is synchronous, pure for a given line (except {@link
 * import('./auto-format.js').AutoFormat}, which learns from what it saw) and never throws.
 * `schema` names the record schema the records follow (`access` → AccessRecord, `error` →
 * ErrorLogRecord).
 */
export interface LineFormat<R extends ParsedRecord = ParsedRecord> {
  readonly name: string;
  readonly schema: 'access' | 'error';
  readonly description: string;
  /**
   * Tie-breaker for detection: when several formats parse the same share of a sample, the one with
   * the highest specificity wins (more fields, stricter line end). Defaults to 0.
   */
  readonly specificity?: number;
  parse(line: string): ParseResult<R>;
}

/** Builds a failed {@link ParseResult}; `field` is omitted when undefined. */
export function parseFailure(code: RejectCode, reason: string, field?: string): { ok: false; code: RejectCode; reason: string; field?: string } {
  return field === undefined ? { ok: false, code, reason } : { ok: false, code, reason, field };
}
