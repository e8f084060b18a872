/**
 * Errors of the SQL access layer (`TRB_QUERY_*`). Messages are safe to return to the caller: they
 * name what was refused and why, never engine internals, other roles' relations, or data values (a
 * run-time error says only its kind, since its text may quote a value from a row the caller may not
 * see).
 */
import { defineError } from '../core/errors.js';

/** The identity lacks the permission an action needs (`sql:query` to run SQL). */
export const QueryPermissionDenied = defineError<{ permission: string }>(
  'TRB_QUERY_PERMISSION_DENIED',
  'Permission `{permission}` is required to run SQL; ask an administrator for a role or key scope that grants it',
  { family: 'auth', status: 403 });

/** Not exactly one SELECT statement, or a construct the engine refuses (DuckDB's parser decides). */
export const QueryRefused = defineError<{ reason: string }>(
  'TRB_QUERY_REFUSED',
  'Statement refused: {reason}. Only a single SELECT over the datasets your role grants is allowed',
  { family: 'request', status: 400 });

/** A relation that does not exist or that the role does not grant (the two are not told apart). */
export const QueryRelationDenied = defineError<{ relation: string }>(
  'TRB_QUERY_RELATION_DENIED',
  'Relation `{relation}` does not exist or is not granted to your role; refer to datasets by their bare name (list them with `relations`)',
  { family: 'auth', status: 403 });

/** A function the engine does not allow (file readers, catalog and settings functions, ...). */
export const QueryFunctionDenied = defineError<{ function: string }>(
  'TRB_QUERY_FUNCTION_DENIED',
  'Function `{function}` is not allowed in queries (allowed table functions: range, generate_series, unnest)',
  { family: 'request', status: 400 });

/** The statement does not parse or bind (syntax, unknown column, type mismatch in the statement itself). */
export const QueryInvalid = defineError<{ reason: string }>(
  'TRB_QUERY_INVALID',
  'Invalid query: {reason}',
  { family: 'request', status: 400 });

/** The query failed while running; `kind` is DuckDB's error class only (its text may quote hidden values). */
export const QueryFailed = defineError<{ kind: string }>(
  'TRB_QUERY_FAILED',
  'The query failed while running ({kind} error); check casts and functions applied to column values',
  { family: 'request', status: 422 });

/** The statement ran longer than the statement timeout and was interrupted. */
export const QueryTimeout = defineError<{ timeoutMs: number }>(
  'TRB_QUERY_TIMEOUT',
  'The query ran longer than {timeoutMs} ms and was stopped; add filters or aggregate, or ask for a higher `timeout_ms`',
  { family: 'request', status: 408 });

/** The result has more rows than allowed. */
export const QueryRowLimit = defineError<{ maxRows: number }>(
  'TRB_QUERY_ROW_LIMIT',
  'The result has more than {maxRows} rows; add LIMIT, filters or aggregation',
  { family: 'request', status: 413 });

/** The result is larger than allowed. */
export const QuerySizeLimit = defineError<{ maxBytes: number }>(
  'TRB_QUERY_SIZE_LIMIT',
  'The result is larger than {maxBytes} bytes; select fewer columns or rows',
  { family: 'request', status: 413 });

/** The caller aborted the query (client went away, key revoked mid-stream) or closed the stream. */
export const QueryAborted = defineError<Record<string, never>>(
  'TRB_QUERY_ABORTED',
  'The query was aborted before it finished',
  { family: 'request', status: 499 });

/** The warehouse cannot be opened for queries (missing, locked by a writer, unreadable). */
export const QueryEngineUnavailable = defineError<{ reason: string }>(
  'TRB_QUERY_ENGINE_UNAVAILABLE',
  'The SQL engine is unavailable: {reason}',
  { family: 'connect', status: 503 });
