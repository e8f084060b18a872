/**
 * Errors of `tributary erase` (GDPR erasure). Messages never contain the person's address or ids:
 * they name the option, the table or the file, and say what to do next.
 */
import { defineError } from '../../core/errors.js';

/** `--ip` / `--visitor` is missing, given twice, or not an address / visitor id / pseudonym. */
export const EraseTargetInvalid = defineError<{ option: string; reason: string }>(
  'TRB_ERASE_TARGET_INVALID',
  'Invalid erase target `{option}`: {reason}',
  { family: 'request' });

/** Erasure changes data: without `--yes` it needs a terminal to confirm on. */
export const EraseConfirmationRequired = defineError<{ pipeline: string }>(
  'TRB_ERASE_CONFIRMATION_REQUIRED',
  'Refusing to erase from pipeline `{pipeline}` without confirmation: stdin is not a terminal. Check the counts with `--dry-run`, then re-run with `--yes`',
  { family: 'request' });

/** The operator answered no at the confirmation prompt; nothing was changed. */
export const EraseDeclined = defineError<{ pipeline: string }>(
  'TRB_ERASE_DECLINED',
  'Erasure from pipeline `{pipeline}` was not confirmed; nothing was changed',
  { family: 'request' });

/**
 * Deleting from or compacting a warehouse failed. A failed DELETE is rolled back (nothing deleted);
 * a failed compaction leaves the deleted rows deleted, and the next `tributary erase` compacts again.
 */
export const EraseWarehouseFailed = defineError<{ path: string; step: string; reason: string }>(
  'TRB_ERASE_WAREHOUSE_FAILED',
  'Erasing from the warehouse `{path}` failed while {step}: {reason}. Run `tributary erase` again once the cause is fixed',
  { family: 'sink' });

/**
 * Rewriting lake files failed. Until the manifest switch the old files stay referenced and the new
 * ones are removed by the next `tributary erase` or run; after it, the new files are the truth.
 */
export const EraseLakeFailed = defineError<{ path: string; step: string; reason: string }>(
  'TRB_ERASE_LAKE_FAILED',
  'Erasing from lake file `{path}` failed while {step}: {reason}. Run `tributary erase` again once the cause is fixed; no file is lost',
  { family: 'sink' });
