/**
 * Turns whatever DuckDB threw into a safe, typed error. Errors raised while preparing a statement
 * (parse, bind) depend only on the statement and the role's view definitions, so their first line
 * is returned (with DuckDB's "did you mean" hints removed: they may name relations of other roles).
 * Errors raised while running may quote a value, possibly from a row the role may not see, so only
 * their kind (`Conversion`, `Out of Range`, ...) is returned.
 */
import { TributaryError } from '../core/errors.js';
import { messageOf } from '../sinks/_shared/duckdb-values.js';
import { QueryFailed, QueryInvalid } from './errors.js';

/** DuckDB's error class from a message such as `Conversion Error: ...` (`unknown` when absent). */
export function duckdbErrorKind(err: unknown): string {
  const m = /^([A-Za-z][A-Za-z ]{0,40}?) Error:/.exec(messageOf(err));
  return m ? m[1]! : 'unknown';
}

/** A prepare-time failure as `TRB_QUERY_INVALID` with the message's first line, hints stripped. */
export function prepareError(err: unknown): TributaryError {
  if (err instanceof TributaryError) return err;
  const first = messageOf(err).split('\n')[0]!.replace(/\s*(Did you mean|Candidate bindings).*$/i, '').slice(0, 300);
  return QueryInvalid({ reason: first }, err);
}

/** A run-time failure as `TRB_QUERY_FAILED` naming only the error kind. */
export function runError(err: unknown): TributaryError {
  if (err instanceof TributaryError) return err;
  // No cause: its text may hold a hidden value, and causes end up in logs.
  return QueryFailed({ kind: duckdbErrorKind(err) });
}
