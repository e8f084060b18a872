/**
 * `tributary restore <backup> --data-dir <empty dir> [--json]` and `tributary restore --verify <backup>`:
 * brings a backup made by `tributary backup` back into an empty data directory (every checksum
 * verified, members decrypted with the backup key escrowed in the manifest and opened by the vault
 * master key), or only verifies it through a temporary restore. Audited as `backup.restore` in the
 * restored deployment. See docs/operations.md, "Backup and restore".
 */
import type { Command } from 'commander';
import { Validation } from '../../core/errors.js';
import { restoreBackup, type RestoreResult } from '../../ops/backup/restore-backup.js';
import { verifyBackup } from '../../ops/backup/verify-backup.js';
import { cliActor } from '../cli-actor.js';

interface RestoreFlags {
  readonly dataDir?: string;
  readonly verify?: boolean;
  readonly filesFrom?: string;
  readonly allowMissingFiles?: boolean;
  readonly json?: boolean;
  readonly postgres?: string;
}

function render(r: RestoreResult): string {
  return [
    `Restored ${r.backup} (made ${r.createdAt} by Tributary ${r.tributaryVersion}) into ${r.dataDir}`,
    `  ${r.members} member(s) decrypted and verified; ${r.references.restored} referenced lake/bronze file(s) copied and verified`,
    ...(r.references.missing.length > 0 ? [`  MISSING or changed (${r.references.missing.length}): ${r.references.missing.join(', ')}`] : []),
    ...r.postgres.restored.map((p) => `  PostgreSQL dump restored into ${p}`),
    ...r.postgres.verifiedOnly.map((p) => `  PostgreSQL dump of ${p} verified but NOT loaded: give --postgres <url> to load it`),
    ...(r.relocated.length > 0 ? [`  Relocated (lived outside the data directory; point the pipeline's \`path\` at them): ${r.relocated.join(', ')}`] : []),
    ...Object.entries(r.counts.warehouses).map(([w, t]) => `  ${w}: ${t === null ? 'encrypted (rows not counted)' : Object.entries(t).map(([n, c]) => `${n}=${c}`).join(', ')}`),
  ].join('\n');
}

/** Registers `restore`. */
export function registerRestore(program: Command): void {
  program.command('restore')
    .description('Restore a backup into an empty data directory (checksums verified, decrypted with the vault master key); audited')
    .argument('<backup>', 'a backup directory written by `tributary backup`')
    .option('--data-dir <dir>', 'the data directory to restore into: new or empty (required unless --verify)')
    .option('--verify', 'only verify: restore into a temporary directory, compare row counts with the manifest, remove it')
    .option('--files-from <dir>', 'read referenced lake/bronze files from this copy of the original data directory')
    .option('--allow-missing-files', 'restore even when referenced lake/bronze files are missing or changed (they are listed)')
    .option('--postgres <url>', 'load the backup\'s PostgreSQL dump into this database (pg_restore, one transaction, replacing the dumped objects); without it the dump is only verified')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', [
      '',
      'Examples:',
      '  tributary restore /backups/tributary-backup-20260101T000000Z --data-dir /srv/tributary-restored',
      '  tributary restore --verify /backups/tributary-backup-20260101T000000Z --json',
      '',
      'The vault master key of the deployment that made the backup must be configured (key file,',
      'TRIBUTARY_MASTER_KEY or KMS): it opens the backup key escrowed in the manifest.',
      'Exit codes: 0 restored (or verified), 1 target not empty / bad arguments, 2 vault sealed or wrong key, 6 corrupt member, missing file or verify failure.',
    ].join('\n'))
    .action(async (backup: string, o: RestoreFlags) => {
      const shared = { ...(o.filesFrom === undefined ? {} : { filesFrom: o.filesFrom }) };
      if (o.verify) {
        const report = await verifyBackup({ backup, ...shared });
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n`
          : `Verified ${report.backup}: ${report.members} member(s) and ${report.references} reference(s) checked, row counts equal to the manifest.\n`);
        return;
      }
      if (o.dataDir === undefined) throw Validation({ reason: '`--data-dir <empty dir>` is required (or use --verify)', field: 'data-dir' });
      const r = await restoreBackup({
        backup, dataDir: o.dataDir, actor: cliActor(), allowMissingFiles: o.allowMissingFiles ?? false, ...shared,
        ...(o.postgres ? { postgres: { url: o.postgres } } : {}),
      });
      process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : `${render(r)}\n`);
    });
}
