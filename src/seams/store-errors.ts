/**
 * The `store` error family: every failure of the ControlStore and ObjectStore seams is one of these
 * codes (`TRB_STORE_*`). Adapters map driver errors onto them; callers decide retries by `retry`
 * (`backoff` only for {@link StoreUnavailable}), never by message text. The driver error is always
 * kept as `cause`.
 */
import { defineError } from '../core/errors.js';

/** A schema migration of the control store failed; the store is left at the last good migration. */
export const StoreMigrationFailed = defineError<{ store: string; migration: string; reason: string }>(
  'TRB_STORE_MIGRATION_FAILED',
  'Migrating the {store} control store failed at migration `{migration}`: {reason}. Fix the cause and run again; applied migrations are kept',
  { family: 'store' });

/**
 * The store cannot be reached or is momentarily busy (connection refused, lock timeout, serialization
 * failure). Retrying after a pause can help.
 */
export const StoreUnavailable = defineError<{ store: string; op: string; reason: string }>(
  'TRB_STORE_UNAVAILABLE',
  'The {store} store is unavailable during `{op}`: {reason}. It is safe to retry',
  { family: 'store', retry: 'backoff', status: 503 });

/** A store operation failed for a reason retrying will not fix. */
export const StoreQueryFailed = defineError<{ store: string; op: string; reason: string }>(
  'TRB_STORE_QUERY_FAILED', 'The {store} store failed during `{op}`: {reason}', { family: 'store' });

/** An atomic commit failed; it was rolled back, so nothing of it is visible. */
export const StoreCommitFailed = defineError<{ store: string; pipeline: string; commitId: string; reason: string }>(
  'TRB_STORE_COMMIT_FAILED',
  'Commit `{commitId}` of pipeline `{pipeline}` failed in the {store} control store and was rolled back: {reason}',
  { family: 'store' });

/** A value handed to the store cannot be stored faithfully (not JSON, not finite, bad date, ...). */
export const StoreValueInvalid = defineError<{ what: string; path: string; reason: string }>(
  'TRB_STORE_VALUE_INVALID', 'Cannot store {what}: `{path}` {reason}', { family: 'store', status: 400 });

/** Adapter options are unusable (bad schema name, empty path, ...). */
export const StoreOptionsInvalid = defineError<{ store: string; option: string; reason: string }>(
  'TRB_STORE_OPTIONS_INVALID', 'Invalid {store} store option `{option}`: {reason}', { family: 'store' });

/** `finishRun` on a run id the store does not know. */
export const StoreRunNotFound = defineError<{ runId: string }>(
  'TRB_STORE_RUN_NOT_FOUND', 'Run `{runId}` does not exist in the control store', { family: 'store', status: 404 });

/** `finishRun` on a run that already has a final status. */
export const StoreRunFinished = defineError<{ runId: string; status: string }>(
  'TRB_STORE_RUN_FINISHED', 'Run `{runId}` is already finished with status `{status}`', { family: 'store', status: 409 });

/** A method was called after `close()`. */
export const StoreClosed = defineError<{ store: string; op: string }>(
  'TRB_STORE_CLOSED', 'The {store} store is closed; `{op}` was called after close()', { family: 'store' });

/** An object key (or list prefix) breaks the key rules (see `object-key.ts`). */
export const StoreKeyInvalid = defineError<{ key: string; reason: string }>(
  'TRB_STORE_KEY_INVALID', 'Invalid object key `{key}`: {reason}', { family: 'store', status: 400 });

/** `get` of a key that holds no object. */
export const StoreObjectNotFound = defineError<{ store: string; key: string }>(
  'TRB_STORE_OBJECT_NOT_FOUND', 'Object `{key}` not found in the {store} object store', { family: 'store', status: 404 });

/** Writing or deleting an object failed; a failed `put` leaves no partial object behind. */
export const StoreObjectWriteFailed = defineError<{ store: string; key: string; reason: string }>(
  'TRB_STORE_OBJECT_WRITE_FAILED', 'Writing object `{key}` to the {store} object store failed: {reason}', { family: 'store' });

/** Reading, statting or listing objects failed (other than a missing object). */
export const StoreObjectReadFailed = defineError<{ store: string; key: string; reason: string }>(
  'TRB_STORE_OBJECT_READ_FAILED', 'Reading `{key}` from the {store} object store failed: {reason}', { family: 'store' });

/** A compare-and-set write found a different state than expected (a concurrent writer got there first). */
export const StoreConflict = defineError<{ store: string; op: string; reason: string }>(
  'TRB_STORE_CONFLICT', 'Conflict in the {store} store during `{op}`: {reason}', { family: 'store', status: 409 });
