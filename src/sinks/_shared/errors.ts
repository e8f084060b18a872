/**
 * Error codes shared by the sinks (family `sink` unless stated). Record-level problems never
 * become errors: they are rejections written to quarantine.
 */
import { defineError } from '../../core/errors.js';

/** Opening a sink's storage (directories, database, tables) failed; usually retryable. */
export const SinkOpenFailed = defineError<{ sink: string; location: string; reason: string }>(
  'TRB_SINK_OPEN_FAILED', 'Sink `{sink}` could not open `{location}`: {reason}', { family: 'sink', retry: 'backoff' });

/** Staging a batch failed (CSV unreadable, disk full, database error). The commit is aborted. */
export const SinkWriteFailed = defineError<{ sink: string; commit: string; reason: string }>(
  'TRB_SINK_WRITE_FAILED', 'Sink `{sink}` failed to write commit `{commit}`: {reason}', { family: 'sink', retry: 'backoff' });

/** Making a staged batch visible failed; nothing of the commit is visible when this is thrown by the warehouse. */
export const SinkCommitFailed = defineError<{ sink: string; commit: string; reason: string }>(
  'TRB_SINK_COMMIT_FAILED', 'Sink `{sink}` failed to commit `{commit}`: {reason}', { family: 'sink', retry: 'backoff' });

/** A sink method was called out of order (write before open, commit of an unknown commit id, use after close). */
export const SinkState = defineError<{ sink: string; reason: string }>(
  'TRB_SINK_STATE', 'Sink `{sink}` was used out of order: {reason}', { family: 'sink' });

/** The configured table/dataset name, commit id or path is not usable. */
export const SinkInvalidName = defineError<{ what: string; value: string; rule: string }>(
  'TRB_SINK_INVALID_NAME', 'Invalid {what} `{value}`: {rule}', { family: 'sink' });

/** `tributary query` or the API was pointed at a warehouse file that does not exist yet. */
export const WarehouseMissing = defineError<{ path: string }>(
  'TRB_SINK_WAREHOUSE_MISSING',
  'No warehouse at `{path}`; run a pipeline with a `duckdb` sink first (e.g. `tributary run <pipeline.yaml>`)',
  { family: 'sink' });

/** The warehouse file exists but cannot be opened (locked by another process, corrupt, wrong version). */
export const WarehouseUnavailable = defineError<{ path: string; reason: string }>(
  'TRB_SINK_WAREHOUSE_UNAVAILABLE',
  'Cannot open the warehouse `{path}`: {reason} (a running pipeline in another process holds the write lock; query through `tributary serve` or stop it)',
  { family: 'sink', retry: 'backoff' });

/** A SQL query against the warehouse failed (syntax, unknown table, or a write on a read-only handle). User input: family `request`. */
export const WarehouseQueryFailed = defineError<{ reason: string }>(
  'TRB_SINK_QUERY_FAILED', 'Query failed: {reason}', { family: 'request' });
