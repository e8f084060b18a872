/**
 * `--verify`: restores a backup into a private temporary directory (checking every member's
 * checksums and decrypting it on the way), compares what came back with what the manifest recorded
 * at backup time (rows per control-store table and per warehouse table, every member and referenced
 * file), then removes the directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupCounts } from './backup-manifest.js';
import { readManifest } from './backup-manifest.js';
import { BackupVerifyFailed } from './errors.js';
import { restoreBackup } from './restore-backup.js';

/** Options of {@link verifyBackup}. */
export interface VerifyOptions {
  readonly backup: string;
  /** As in restore: where referenced files are read from. */
  readonly filesFrom?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Outcome of {@link verifyBackup} (only returned when everything matched). */
export interface VerifyReport {
  readonly backup: string;
  readonly verified: true;
  readonly members: number;
  readonly references: number;
  /** Tables compared (control store and warehouses) and their rows. */
  readonly counts: BackupCounts;
}

/** Differences between recorded and restored counts, as human lines (empty when equal). */
export function compareCounts(expected: BackupCounts, actual: BackupCounts): string[] {
  const out: string[] = [];
  const cmp = (where: string, e: Readonly<Record<string, number>>, a: Readonly<Record<string, number>>): void => {
    for (const t of new Set([...Object.keys(e), ...Object.keys(a)])) {
      if (e[t] !== a[t]) out.push(`${where} table \`${t}\`: ${e[t] ?? 'absent'} row(s) recorded, ${a[t] ?? 'absent'} restored`);
    }
  };
  cmp('control store', expected.control, actual.control);
  for (const w of new Set([...Object.keys(expected.warehouses), ...Object.keys(actual.warehouses)])) {
    const e = expected.warehouses[w];
    const a = actual.warehouses[w];
    if (e === undefined || a === undefined) out.push(`\`${w}\`: ${e === undefined ? 'not recorded' : 'not restored'}`);
    else if (e !== null && a !== null) cmp(`\`${w}\``, e, a);
  }
  return out;
}

/**
 * Verifies `opts.backup` by restoring it (see the module doc). Throws `TRB_BACKUP_VERIFY_FAILED`
 * listing the differences, and every error restore throws (corrupt member, missing reference,
 * sealed vault). The temporary directory is removed in every case.
 */
export async function verifyBackup(opts: VerifyOptions): Promise<VerifyReport> {
  const m = await readManifest(opts.backup);
  const dir = await mkdtemp(join(tmpdir(), 'trb-backup-verify-'));
  try {
    const r = await restoreBackup({
      backup: opts.backup, dataDir: join(dir, 'data'), audit: false,
      ...(opts.filesFrom === undefined ? {} : { filesFrom: opts.filesFrom }), ...(opts.env ? { env: opts.env } : {}),
    });
    const differences = compareCounts(m.counts, r.counts);
    if (differences.length > 0) throw BackupVerifyFailed({ backup: opts.backup, differences });
    return { backup: r.backup, verified: true, members: r.members, references: r.references.restored, counts: r.counts };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
