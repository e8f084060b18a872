/**
 * `tributary backup <pipeline.yaml | --data-dir DIR> --out PATH [--lake reference|copy] [--verify] [--json]`:
 * a consistent, encrypted, checksummed snapshot of a deployment (control store, warehouse, lake
 * manifests and state, and lake/bronze files by reference or copied), audited as `backup.create`.
 * See docs/operations.md, "Backup and restore".
 */
import type { Command } from 'commander';
import { Validation } from '../../core/errors.js';
import type { FilesMode } from '../../ops/backup/backup-manifest.js';
import { createBackup, type BackupResult } from '../../ops/backup/create-backup.js';
import { verifyBackup, type VerifyReport } from '../../ops/backup/verify-backup.js';
import { cliActor } from '../cli-actor.js';

interface BackupFlags {
  readonly dataDir?: string;
  readonly out: string;
  readonly lake: string;
  readonly verify?: boolean;
  readonly json?: boolean;
  readonly postgres?: string;
  readonly postgresSchema?: string;
}

/** Human lines of a backup (and its verification). */
function render(r: BackupResult, v: VerifyReport | undefined): string {
  const tables = Object.entries(r.counts.warehouses).map(([w, t]) => `  ${w}: ${t === null ? 'encrypted (rows not counted)' : Object.entries(t).map(([n, c]) => `${n}=${c}`).join(', ')}`);
  return [
    `Backup written: ${r.path}`,
    `  from ${r.dataDir} at ${r.createdAt}`,
    `  ${r.members} encrypted member(s), ${r.bytes} bytes; ${r.references} lake/bronze file(s) by reference (--lake ${r.files})`,
    `  encrypted to vault key \`backup\` version ${r.keyVersion}; restoring needs the vault master key (not in the backup)`,
    ...tables,
    ...(v ? [`Verified: restored into a temporary directory, ${v.members} member(s) and ${v.references} reference(s) checked, row counts equal.`] : []),
  ].join('\n');
}

/** Registers `backup`. */
export function registerBackup(program: Command): void {
  program.command('backup')
    .description('Write an encrypted, checksummed snapshot of a deployment (control store, warehouse, lake manifests); audited')
    .argument('[pipeline]', 'pipeline YAML file (its data directory, warehouse paths, lake roots); or use --data-dir')
    .option('--data-dir <dir>', 'the data directory to back up (overrides the pipeline\'s)')
    .requiredOption('--out <path>', 'a new backup directory, or an existing directory to create `tributary-backup-<time>` in')
    .option('--lake <mode>', 'lake Parquet files and bronze objects: `reference` (listed with sha256) or `copy` (encrypted into the backup)', 'reference')
    .option('--postgres <url>', 'also dump this PostgreSQL warehouse with pg_dump into the backup (default $TRIBUTARY_BACKUP_POSTGRES_URL); put the password in PGPASSWORD or ~/.pgpass, not the URL')
    .option('--postgres-schema <name>', 'dump only this schema of --postgres')
    .option('--verify', 'after writing, restore into a temporary directory and compare row counts, then remove it')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', [
      '',
      'Examples:',
      '  tributary backup pipeline.yaml --out /backups/                  # /backups/tributary-backup-<time>',
      '  tributary backup --data-dir /srv/tributary --out /backups/b1 --lake copy --verify',
      '  tributary backup pipeline.yaml --out /backups/ --postgres postgres://tributary@db:5432/warehouse',
      '',
      'Runs of every pipeline of the deployment are locked out while the backup is taken (a running',
      'pipeline makes it stop with TRB_PIPELINE_BUSY). Every member is age-encrypted to the vault key',
      '`backup`; the vault master key is NOT in the backup: keep it apart (docs/operations.md).',
      'Exit codes: 0 written (and verified), 1 bad arguments / output exists / pipeline running, 2 config or vault, 6 store or verify failure.',
    ].join('\n'))
    .action(async (file: string | undefined, o: BackupFlags) => {
      if (o.lake !== 'reference' && o.lake !== 'copy') throw Validation({ reason: `--lake must be \`reference\` or \`copy\` (got \`${o.lake}\`)`, field: 'lake' });
      if (file === undefined && o.dataDir === undefined) throw Validation({ reason: 'give a pipeline file or `--data-dir`', field: 'pipeline' });
      const pgUrl = o.postgres ?? process.env.TRIBUTARY_BACKUP_POSTGRES_URL;
      const result = await createBackup({
        out: o.out, files: o.lake as FilesMode, actor: cliActor(),
        ...(pgUrl ? { postgres: { url: pgUrl, ...(o.postgresSchema ? { schema: o.postgresSchema } : {}) } } : {}),
        ...(file === undefined ? {} : { pipelineFile: file }), ...(o.dataDir === undefined ? {} : { dataDir: o.dataDir }),
      });
      const verified = o.verify ? await verifyBackup({ backup: result.path }) : undefined;
      process.stdout.write(o.json ? `${JSON.stringify({ ...result, ...(verified ? { verify: verified } : {}) }, null, 2)}\n` : `${render(result, verified)}\n`);
    });
}
