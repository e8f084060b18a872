/**
 * Errors of `tributary lifecycle run` (retention). Each names the layer and the file or table,
 * says what state the data was left in, and what to do next.
 */
import { defineError } from '../../core/errors.js';

/** A command-line option of `lifecycle run` is invalid (`--every`, `--at`). */
export const LifecycleOptionInvalid = defineError<{ option: string; reason: string }>(
  'TRB_LIFECYCLE_OPTION_INVALID',
  'Invalid lifecycle option `{option}`: {reason}',
  { family: 'request' });

/**
 * Expiring lake partitions failed. Before the manifest switch every file is still referenced and
 * present; after it, the unreferenced files are removed by the next `tributary lifecycle run` or run.
 */
export const LifecycleLakeFailed = defineError<{ path: string; step: string; reason: string }>(
  'TRB_LIFECYCLE_LAKE_FAILED',
  'Lifecycle failed on lake file `{path}` while {step}: {reason}. Run `tributary lifecycle run` again once the cause is fixed; no referenced file is lost',
  { family: 'sink' });

/**
 * Opening, deleting from or compacting a warehouse failed. A failed delete is rolled back (nothing
 * deleted); a failed compaction leaves the expired rows deleted, their bytes until the next compaction.
 */
export const LifecycleWarehouseFailed = defineError<{ path: string; step: string; reason: string }>(
  'TRB_LIFECYCLE_WAREHOUSE_FAILED',
  'Lifecycle failed on the warehouse `{path}` while {step}: {reason}. Run `tributary lifecycle run` again once the cause is fixed',
  { family: 'sink' });

/** Deleting expired bronze objects failed after their manifest rows were removed; the next run finishes it. */
export const LifecycleBronzeFailed = defineError<{ key: string; reason: string }>(
  'TRB_LIFECYCLE_BRONZE_FAILED',
  'Lifecycle could not delete the expired bronze object `{key}`: {reason}. It is no longer in the manifest; the next `tributary lifecycle run` deletes it',
  { family: 'store' });
