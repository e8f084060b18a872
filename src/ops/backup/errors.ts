/**
 * Errors of `tributary backup` and `tributary restore`. Messages name the backup, the member or the
 * file, never key material, and say what to do next.
 */
import { defineError } from '../../core/errors.js';

/** `--out` names something that exists and is not a directory to put a new backup in. */
export const BackupOutputExists = defineError<{ out: string }>(
  'TRB_BACKUP_OUTPUT_EXISTS',
  'Backup output `{out}` exists already; name a new path, or an existing directory to create the backup inside',
  { family: 'request', status: 409 });

/** Restore refuses a target directory that holds anything: it never merges into a deployment. */
export const RestoreTargetNotEmpty = defineError<{ target: string; entries: number }>(
  'TRB_BACKUP_TARGET_NOT_EMPTY',
  'Refusing to restore into `{target}`: it is not empty ({entries} entries); restore into a new or empty directory',
  { family: 'request', status: 409 });

/** What was asked cannot be backed up this way (e.g. a PostgreSQL control store: use pg_dump). */
export const BackupUnsupported = defineError<{ what: string; howto: string }>(
  'TRB_BACKUP_UNSUPPORTED',
  'Cannot back up {what}: {howto}',
  { family: 'request' });

/** The manifest is missing, unreadable, of an unknown format, or fails its MAC (altered). */
export const BackupManifestInvalid = defineError<{ backup: string; reason: string }>(
  'TRB_BACKUP_MANIFEST_INVALID',
  'Backup `{backup}` has no valid manifest: {reason}',
  { family: 'store' });

/** A member's bytes differ from the manifest (size or sha256), or the member is missing. */
export const BackupMemberCorrupt = defineError<{ backup: string; member: string; file: string; reason: string }>(
  'TRB_BACKUP_MEMBER_CORRUPT',
  'Backup `{backup}`: member `{member}` ({file}) is corrupt: {reason}. Nothing was restored; use another backup',
  { family: 'store' });

/** Lake or bronze files a `--lake reference` backup points to are missing or changed. */
export const BackupReferenceMissing = defineError<{ backup: string; count: number; files: string[] }>(
  'TRB_BACKUP_REFERENCE_MISSING',
  'Backup `{backup}` references {count} lake/bronze file(s) that are missing or changed: {files}. Nothing was restored; point `--files-from` at a copy of the original data directory, or restore with `--allow-missing-files`',
  { family: 'store' });

/** The backup was made by a newer Tributary whose control-store schema this one does not know. */
export const BackupIncompatible = defineError<{ backup: string; reason: string }>(
  'TRB_BACKUP_INCOMPATIBLE',
  'Backup `{backup}` cannot be restored by this version: {reason}. Restore it with the Tributary version that made it, or newer',
  { family: 'store' });

/** `--verify` restored the backup and found something different from what the manifest recorded. */
export const BackupVerifyFailed = defineError<{ backup: string; differences: string[] }>(
  'TRB_BACKUP_VERIFY_FAILED',
  'Backup `{backup}` did not verify: {differences}',
  { family: 'store' });

/** A step of writing the backup failed (reading a store, writing the output). Nothing is left at `--out`. */
export const BackupWriteFailed = defineError<{ out: string; step: string; reason: string }>(
  'TRB_BACKUP_WRITE_FAILED',
  'Writing backup `{out}` failed while {step}: {reason}. No partial backup was left at that path',
  { family: 'store' });

/** pg_dump or pg_restore failed (or is not installed); the message carries the tool's last lines, never a password. */
export const BackupPostgresFailed = defineError<{ step: string; database: string; reason: string }>(
  'TRB_BACKUP_POSTGRES_FAILED',
  'PostgreSQL backup step failed while {step} on `{database}`: {reason}',
  { family: 'store' });
