/**
 * `tributary restore` as a service: brings a backup back into an empty data directory.
 *
 * Order (nothing is written to the target until everything checked out):
 * 1. the manifest is read and its format and control-store migrations checked;
 * 2. the backup key is opened from the manifest's escrow with the configured master key, and the
 *    manifest's MAC checked (an altered manifest is refused);
 * 3. every member's stored bytes are hashed against the manifest (a changed byte is named here);
 * 4. into a temporary sibling of the target: members are decrypted (each chunk authenticated) and
 *    their plaintext hashed again; referenced lake and bronze files are copied from where they were
 *    (or `filesFrom`) and hashed; any missing or changed one fails the restore unless allowed;
 * 5. the temporary directory is renamed to the target, and `backup.restore` is audited (attempt,
 *    then ok) in the restored deployment's own audit log.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isTributaryError } from '../../core/errors.js';
import { openDeployment } from '../../engine/bootstrap.js';
import { CONTROL_MIGRATION_NAMES } from '../../seams/control-store/migrations/control-migrations.js';
import { backupIdentities } from './backup-identities.js';
import { manifestMacValid, readManifest, type BackupCounts, type BackupManifest, type BackupMember, type BackupReference } from './backup-manifest.js';
import { fsyncDir } from '../../sinks/_shared/durable-fs.js';
import {
  BackupIncompatible, BackupManifestInvalid, BackupMemberCorrupt, BackupReferenceMissing, RestoreTargetNotEmpty,
} from './errors.js';
import { fileDigest, hashingTap, readMember, streamMember, syncFile } from './member-files.js';
import { startPgRestore, type PostgresTarget } from './pg-dump.js';
import { sqliteTableCounts } from './sqlite-snapshot.js';
import { warehouseTableCounts } from './warehouse-counts.js';

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  /** The backup directory. */
  readonly backup: string;
  /** The data directory to restore into: must not exist, or be empty. */
  readonly dataDir: string;
  /** Where referenced lake/bronze files are read from instead of their original place: a copy of the original data directory. */
  readonly filesFrom?: string;
  /** Restore even when referenced files are missing or changed (they are reported). */
  readonly allowMissingFiles?: boolean;
  /** Who restores, as the audit log names it. Default `engine`. */
  readonly actor?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Record `backup.restore` in the restored deployment (default true; `--verify` restores without). */
  readonly audit?: boolean;
  /** Where a PostgreSQL dump in the backup is restored (pg_restore); without it the dump is only verified. */
  readonly postgres?: PostgresTarget;
}

/** What {@link restoreBackup} did. */
export interface RestoreResult {
  readonly backup: string;
  readonly dataDir: string;
  readonly createdAt: string;
  readonly tributaryVersion: string;
  readonly members: number;
  readonly references: { readonly restored: number; readonly missing: readonly string[] };
  /** Row counts of the restored control store and warehouses. */
  readonly counts: BackupCounts;
  /** Warehouses and lake roots that lived outside the source data directory and where they are now. */
  readonly relocated: readonly string[];
  /** PostgreSQL dumps loaded with pg_restore, and those only verified (no `postgres` target given). */
  readonly postgres: { readonly restored: readonly string[]; readonly verifiedOnly: readonly string[] };
}

function checkTarget(target: string): void {
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) throw RestoreTargetNotEmpty({ target, entries: 1 });
  const entries = readdirSync(target).length;
  if (entries > 0) throw RestoreTargetNotEmpty({ target, entries });
}

/** Copies `ref` from `from` into `dest` while hashing it; false when it is missing or differs. */
async function copyReference(ref: BackupReference, from: string, dest: string): Promise<boolean> {
  if (!existsSync(from)) return false;
  const expected = await fileDigest(from);
  if (expected.size !== ref.size || expected.sha256 !== ref.sha256) return false;
  await mkdir(dirname(dest), { recursive: true, mode: 0o750 });
  const tap = hashingTap();
  await pipeline(createReadStream(from), tap, createWriteStream(dest, { flags: 'wx', mode: 0o640 }));
  await syncFile(dest);
  const got = tap.digest();
  return got.size === ref.size && got.sha256 === ref.sha256;
}

/** Row counts of a restored data directory, keyed as in the manifest. */
export async function restoredCounts(dir: string, m: BackupManifest): Promise<BackupCounts> {
  const warehouses: Record<string, Record<string, number> | null> = {};
  for (const name of Object.keys(m.counts.warehouses)) {
    const member = m.members.find((x) => x.name === name);
    if (member) warehouses[name] = await warehouseTableCounts(join(dir, member.restorePath));
  }
  return { control: sqliteTableCounts(join(dir, 'control.db')), warehouses };
}

/** Checks the manifest, opens the key and hashes every stored member; returns the identities. */
async function checkBackup(backup: string, m: BackupManifest, env: NodeJS.ProcessEnv): Promise<string[]> {
  const unknown = m.controlStore.migrations.filter((n) => !CONTROL_MIGRATION_NAMES.includes(n));
  if (unknown.length > 0) throw BackupIncompatible({ backup, reason: `its control store has migrations this version does not know (${unknown.join(', ')})` });
  const identities = await backupIdentities(m, env);
  if (!manifestMacValid(m, identities)) {
    throw BackupManifestInvalid({ backup, reason: 'its MAC does not match: the manifest was altered, or its escrowed key was replaced' });
  }
  for (const entry of [...m.members, ...m.references]) {
    const p = entry.restorePath;
    if (entry.role !== 'postgres-dump' && (isAbsolute(p) || p.split(/[\\/]/).includes('..'))) {
      throw BackupManifestInvalid({ backup, reason: `\`${p}\` would be restored outside the data directory` });
    }
  }
  for (const member of m.members) {
    if (!/^members\/\d{6}\.age$/.test(member.file)) throw BackupManifestInvalid({ backup, reason: `member file \`${member.file}\` is not a member name` });
    const file = join(backup, member.file);
    if (!existsSync(file)) throw BackupMemberCorrupt({ backup, member: member.name, file: member.file, reason: 'the file is missing' });
    const got = await fileDigest(file);
    if (got.size !== member.storedSize || got.sha256 !== member.storedSha256) {
      throw BackupMemberCorrupt({ backup, member: member.name, file: member.file, reason: `its sha256 or size differs from the manifest (${got.size} bytes, expected ${member.storedSize})` });
    }
  }
  return identities;
}

/**
 * Restores `opts.backup` into `opts.dataDir` (see the module doc). Throws
 * `TRB_BACKUP_TARGET_NOT_EMPTY`, `TRB_BACKUP_MANIFEST_INVALID`, `TRB_BACKUP_INCOMPATIBLE`,
 * `TRB_BACKUP_MEMBER_CORRUPT` naming the member, `TRB_BACKUP_REFERENCE_MISSING` listing the files,
 * and the vault's errors when the master key is missing or wrong; on any failure the target is
 * left as it was.
 */
export async function restoreBackup(opts: RestoreOptions): Promise<RestoreResult> {
  const env = opts.env ?? process.env;
  const backup = resolve(opts.backup);
  const target = resolve(opts.dataDir);
  const m = await readManifest(backup);
  checkTarget(target);
  const identities = await checkBackup(backup, m, env);
  await mkdir(dirname(target), { recursive: true, mode: 0o750 });
  const tmp = join(dirname(target), `.${basename(target)}.restoring-${randomBytes(6).toString('hex')}`);
  let counts: BackupCounts;
  const missing: string[] = [];
  const pgRestored: string[] = [];
  const pgVerified: string[] = [];
  try {
    await mkdir(tmp, { mode: 0o750 });
    for (const member of m.members) {
      if (member.role === 'postgres-dump') continue;
      const dest = join(tmp, member.restorePath);
      await mkdir(dirname(dest), { recursive: true, mode: 0o750 });
      let got;
      try {
        got = await readMember(join(backup, member.file), identities, member.name, dest);
      } catch (err) {
        throw BackupMemberCorrupt({ backup, member: member.name, file: member.file, reason: isTributaryError(err) ? err.message : String(err) }, err);
      }
      if (got.size !== member.size || got.sha256 !== member.sha256) {
        throw BackupMemberCorrupt({ backup, member: member.name, file: member.file, reason: 'its decrypted content differs from the manifest' });
      }
    }
    for (const ref of m.references) {
      const from = opts.filesFrom === undefined ? ref.source : join(resolve(opts.filesFrom), ref.restorePath);
      if (!(await copyReference(ref, from, join(tmp, ref.restorePath)))) missing.push(from);
    }
    if (missing.length > 0 && opts.allowMissingFiles !== true) {
      throw BackupReferenceMissing({ backup, count: missing.length, files: missing.slice(0, 10).concat(missing.length > 10 ? ['…'] : []) });
    }
    for (const member of m.members.filter((x) => x.role === 'postgres-dump')) {
      await restorePostgres(backup, member, identities, opts.postgres);
      (opts.postgres ? pgRestored : pgVerified).push(member.restorePath);
    }
    counts = await restoredCounts(tmp, m);
    if (existsSync(target)) await rmdir(target);
    await rename(tmp, target);
    await fsyncDir(dirname(target));
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const result: RestoreResult = {
    backup, dataDir: target, createdAt: m.createdAt, tributaryVersion: m.tributaryVersion, members: m.members.length,
    references: { restored: m.references.length - missing.length, missing }, counts, postgres: { restored: pgRestored, verifiedOnly: pgVerified },
    relocated: [...new Set([...m.members, ...m.references].map((x) => x.restorePath).filter((p) => p.startsWith('external/')).map((p) => p.split('/').slice(0, 2).join('/')))],
  };
  if (opts.audit !== false) await auditRestore(target, env, opts.actor ?? 'engine', result);
  return result;
}

/** Loads (or, without a target, only verifies) one pg_dump member; all or nothing. */
async function restorePostgres(backup: string, member: BackupMember, identities: readonly string[], target: PostgresTarget | undefined): Promise<void> {
  const file = join(backup, member.file);
  const restore = target ? startPgRestore(target) : undefined;
  let got;
  try {
    got = await streamMember(file, identities, member.name, restore?.stdin);
  } catch (err) {
    if (restore) {
      restore.stdin.destroy();
      await restore.done; // a failed pg_restore is the real cause (its error is thrown here)
    }
    throw BackupMemberCorrupt({ backup, member: member.name, file: member.file, reason: isTributaryError(err) ? err.message : String(err) }, err);
  }
  await restore?.done;
  if (got.size !== member.size || got.sha256 !== member.sha256) {
    throw BackupMemberCorrupt({ backup, member: member.name, file: member.file, reason: 'its decrypted content differs from the manifest' });
  }
}

/** Records the restore in the restored deployment's audit log (attempt, then ok). */
async function auditRestore(target: string, env: NodeJS.ProcessEnv, actor: string, r: RestoreResult): Promise<void> {
  const d = await openDeployment(target, env);
  try {
    const event = { actor, action: 'backup.restore', target: r.backup, requestId: randomUUID() } as const;
    await d.audit.record({ ...event, outcome: 'attempt', details: { createdAt: r.createdAt } }, { privileged: true });
    await d.audit.record({ ...event, outcome: 'ok', details: { members: r.members, references: r.references.restored, missing: r.references.missing.length } }, { privileged: true });
  } finally {
    await d.close();
  }
}
