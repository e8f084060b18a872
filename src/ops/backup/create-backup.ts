/**
 * `tributary backup` as a service: a consistent, encrypted, checksummed snapshot of a deployment.
 *
 * Consistency: every pipeline the control store knows (and the one of the pipeline file) has its
 * run lock taken for the whole backup, so no run, replay or erase writes meanwhile. Under the locks
 * the control store is copied with SQLite's online backup API (one read transaction, see
 * sqlite-snapshot.ts), and the DuckDB warehouse files (plus a `.wal` left by a crash) are copied
 * byte for byte: with no writer, the file pair is a state DuckDB opens as is, an encrypted warehouse
 * stays encrypted with its own key, and the copy needs no warehouse key. (DuckDB's
 * `EXPORT DATABASE` would need the key, rewrite every table, and lose nothing the raw copy keeps.)
 *
 * Every member is age-encrypted to the vault's `backup` age key (created on first use) while it is
 * hashed; plaintext never reaches the output (the control-store snapshot is made in the data
 * directory's staging area and removed). The backup is written under a temporary name beside
 * `--out` and renamed into place last, so a crash never leaves something that looks like a backup.
 * Audited as `backup.create` (attempt, then ok or error) in the deployment's audit log.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { identityToRecipient } from 'age-encryption';
import { loadPipelineFile, type LoadedPipeline } from '../../config/load-config.js';
import { isTributaryError } from '../../core/errors.js';
import { failpoint } from '../../core/failpoint.js';
import { openDeployment, type Deployment } from '../../engine/bootstrap.js';
import { registry } from '../../engine/registry.js';
import { CONTROL_MIGRATION_TABLES } from '../../seams/control-store/migrations/control-migrations.js';
import {
  BACKUP_FORMAT, BACKUP_FORMAT_VERSION, MANIFEST_FILE, signManifest,
  type BackupMember, type BackupReference, type FilesMode, type UnsignedManifest,
} from './backup-manifest.js';
import { dataFileItems, removeStaleSnapshots, type Item } from './backup-items.js';
import { acquireRunLocks } from '../../engine/runtime/run-lock.js';
import { backupSources } from './backup-sources.js';
import { BackupOutputExists, BackupUnsupported, BackupWriteFailed } from './errors.js';
import { fileDigest, writeMember } from './member-files.js';
import { describePostgres, startPgDump, type PostgresTarget } from './pg-dump.js';
import { snapshotSqlite, sqliteAppliedMigrations, sqliteRows, sqliteTableCounts } from './sqlite-snapshot.js';
import { warehouseTableCounts } from './warehouse-counts.js';
import { fsyncDir } from '../../sinks/_shared/durable-fs.js';

/** Name of the vault age key backups are encrypted to. */
export const BACKUP_KEY = 'backup';

/** Options of {@link createBackup}. */
export interface BackupOptions {
  /** The data directory (overrides the pipeline's). One of `dataDir` and `pipelineFile` is required. */
  readonly dataDir?: string;
  /** A pipeline file: its data directory, warehouse paths, lake roots and name (locked) are used. */
  readonly pipelineFile?: string;
  /** A new path for the backup directory, or an existing directory to create `tributary-backup-<time>` in. */
  readonly out: string;
  /** Lake Parquet files and bronze objects: `reference` (default: listed with sha256) or `copy` (encrypted into the backup). */
  readonly files?: FilesMode;
  /** Who backs up, as the audit log names it. Default `engine`. */
  readonly actor?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** A PostgreSQL warehouse to dump with pg_dump into the backup (see pg-dump.ts). */
  readonly postgres?: PostgresTarget;
}

/** What {@link createBackup} wrote. */
export interface BackupResult {
  /** Absolute path of the backup directory. */
  readonly path: string;
  readonly createdAt: string;
  readonly dataDir: string;
  readonly files: FilesMode;
  readonly members: number;
  readonly references: number;
  /** Stored bytes of all members. */
  readonly bytes: number;
  readonly keyVersion: number;
  readonly counts: UnsignedManifest['counts'];
}

/** The Tributary version: `version` of the nearest package.json above this module (from src or dist alike). */
export function tributaryVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try { return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown'; } catch { return 'unknown'; }
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

const stamp = (iso: string): string => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** The final backup path for `out` (see {@link BackupOptions.out}); throws when it exists. */
function outputPath(out: string, createdAt: string): string {
  const abs = resolve(out);
  if (!existsSync(abs)) return abs;
  if (!statSync(abs).isDirectory()) throw BackupOutputExists({ out: abs });
  const inside = join(abs, `tributary-backup-${stamp(createdAt)}`);
  if (existsSync(inside)) throw BackupOutputExists({ out: inside });
  return inside;
}

/**
 * Writes a backup of the deployment (see the module doc) and returns what it holds. Throws
 * `TRB_PIPELINE_BUSY` while a run holds a pipeline, `TRB_BACKUP_OUTPUT_EXISTS`,
 * `TRB_BACKUP_UNSUPPORTED` (PostgreSQL control store, no deployment), the vault's errors when the
 * backup key cannot be opened or created (sealed vault), and `TRB_BACKUP_WRITE_FAILED` for I/O
 * failures; after the audit attempt every failure is audited, and nothing is left at the output.
 */
export async function createBackup(opts: BackupOptions): Promise<BackupResult> {
  const env = opts.env ?? process.env;
  if (opts.dataDir === undefined && opts.pipelineFile === undefined) {
    throw BackupUnsupported({ what: 'without a deployment', howto: 'give a pipeline file or `--data-dir`' });
  }
  const url = env.TRIBUTARY_CONTROL_STORE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    throw BackupUnsupported({ what: 'a PostgreSQL control store', howto: 'dump its control-store schema with pg_dump (docs/operations.md, "Backup and restore")' });
  }
  const pipeline: LoadedPipeline | undefined = opts.pipelineFile === undefined ? undefined : await loadPipelineFile(opts.pipelineFile, registry, { env });
  const dataDir = resolve(opts.dataDir ?? pipeline!.dataDir);
  if (!existsSync(join(dataDir, 'control.db'))) {
    throw BackupUnsupported({ what: `\`${dataDir}\``, howto: 'it holds no control store (control.db); check the pipeline file or `--data-dir`' });
  }
  const createdAt = new Date().toISOString();
  const final = outputPath(opts.out, createdAt);
  const d = await openDeployment(dataDir, env);
  const event = { actor: opts.actor ?? 'engine', action: 'backup.create', target: final, requestId: randomUUID() } as const;
  const files = opts.files ?? 'reference';
  try {
    await d.audit.record({ ...event, outcome: 'attempt', details: { files } }, { privileged: true });
    try {
      const result = await writeBackup(d, { dataDir, pipeline, final, createdAt, files, postgres: opts.postgres });
      await d.audit.record({ ...event, outcome: 'ok', details: { files, members: result.members, references: result.references, bytes: result.bytes, keyVersion: result.keyVersion } }, { privileged: true });
      return result;
    } catch (err) {
      await d.audit.record({ ...event, outcome: 'error', details: { files, error: isTributaryError(err) ? err.code : 'TRB_INTERNAL' } });
      throw err;
    }
  } finally {
    await d.close();
  }
}

interface WriteJob {
  readonly dataDir: string;
  readonly pipeline: LoadedPipeline | undefined;
  readonly final: string;
  readonly createdAt: string;
  readonly files: FilesMode;
  readonly postgres: PostgresTarget | undefined;
}

async function writeBackup(d: Deployment, job: WriteJob): Promise<BackupResult> {
  const key = await d.keys.current(BACKUP_KEY, 'age', { create: true });
  const identity = key.material.toString('utf8');
  const recipient = await identityToRecipient(identity);
  const escrow = await d.control.vault.listVersions(BACKUP_KEY);
  const controlFile = join(job.dataDir, 'control.db');
  const pipelines = sqliteRows<{ pipeline: string }>(controlFile, 'SELECT DISTINCT pipeline FROM runs').map((r) => r.pipeline);
  const locks = acquireRunLocks(job.dataDir, [...pipelines, ...(job.pipeline ? [job.pipeline.config.name] : [])]);
  const tmp = join(dirname(job.final), `.${basename(job.final)}.partial-${randomBytes(6).toString('hex')}`);
  const work = join(d.stagingDir, `backup-${randomBytes(6).toString('hex')}`);
  let step = 'creating the output directory';
  try {
    await mkdir(join(tmp, 'members'), { recursive: true, mode: 0o700 });
    await removeStaleSnapshots(d.stagingDir);
    await mkdir(work, { recursive: true, mode: 0o700 });
    step = 'snapshotting the control store';
    const snapshot = join(work, 'control.db');
    await snapshotSqlite(controlFile, snapshot);
    const controlCounts = sqliteTableCounts(snapshot);
    const migrations = sqliteAppliedMigrations(snapshot, CONTROL_MIGRATION_TABLES.migrationTableName);
    const sources = backupSources(job.dataDir, job.pipeline);
    const items: Item[] = [{ role: 'control-store', source: snapshot, restorePath: 'control.db', keep: 'copy' }];
    const warehouseCounts: Record<string, Record<string, number> | null> = {};
    step = 'counting warehouse rows';
    for (const w of sources.warehouses) {
      if (!existsSync(w.file)) continue;
      warehouseCounts[`warehouse:${w.restorePath}`] = await warehouseTableCounts(w.file);
      items.push({ role: 'warehouse', source: w.file, restorePath: w.restorePath, keep: 'copy' });
      if (existsSync(`${w.file}.wal`)) items.push({ role: 'warehouse', source: `${w.file}.wal`, restorePath: `${w.restorePath}.wal`, keep: 'copy' });
    }
    items.push(...dataFileItems(job.dataDir, snapshot, sources, job.files));
    const mirror = join(job.dataDir, 'audit', 'audit.jsonl');
    if (existsSync(mirror)) items.push({ role: 'audit-mirror', source: mirror, restorePath: join('audit', 'audit.jsonl'), keep: 'copy' });

    const members: BackupMember[] = [];
    const references: BackupReference[] = [];
    for (const it of items) {
      const name = `${it.role}:${it.restorePath}`;
      step = `writing member \`${name}\``;
      if (it.keep === 'reference') {
        const dg = await fileDigest(it.source);
        references.push({ role: it.role as BackupReference['role'], source: it.source, restorePath: it.restorePath, size: dg.size, sha256: dg.sha256 });
        continue;
      }
      const file = join('members', `${String(members.length + 1).padStart(6, '0')}.age`);
      const w = await writeMember(createReadStream(it.source), recipient, join(tmp, file));
      members.push({ name, role: it.role, file, restorePath: it.restorePath, size: w.plain.size, sha256: w.plain.sha256, storedSize: w.stored.size, storedSha256: w.stored.sha256 });
    }
    if (job.postgres) {
      const where = `${describePostgres(job.postgres.url)}${job.postgres.schema ? `#${job.postgres.schema}` : ''}`;
      step = `dumping PostgreSQL \`${where}\``;
      const file = join('members', `${String(members.length + 1).padStart(6, '0')}.age`);
      const dump = startPgDump(job.postgres);
      const w = await writeMember(dump.stdout, recipient, join(tmp, file));
      await dump.done;
      members.push({ name: `postgres-dump:${where}`, role: 'postgres-dump', file, restorePath: where, size: w.plain.size, sha256: w.plain.sha256, storedSize: w.stored.size, storedSha256: w.stored.sha256 });
    }
    failpoint('backup.after_members');
    step = 'writing the manifest';
    const unsigned: UnsignedManifest = {
      format: BACKUP_FORMAT, formatVersion: BACKUP_FORMAT_VERSION, tributaryVersion: tributaryVersion(), createdAt: job.createdAt,
      source: { dataDir: job.dataDir, pipeline: job.pipeline?.file ?? null },
      controlStore: { kind: 'sqlite', migrations },
      files: job.files,
      encryption: { scheme: 'age', key: BACKUP_KEY, keyVersion: key.version, recipient, escrow },
      members, references, counts: { control: controlCounts, warehouses: warehouseCounts },
    };
    await writeDurably(join(tmp, MANIFEST_FILE), `${JSON.stringify(signManifest(unsigned, identity), null, 2)}\n`);
    failpoint('backup.before_rename');
    step = 'moving the backup into place';
    await rename(tmp, job.final);
    await fsyncDir(dirname(job.final));
    return {
      path: job.final, createdAt: job.createdAt, dataDir: job.dataDir, files: job.files, members: members.length, references: references.length,
      bytes: members.reduce((n, m) => n + m.storedSize, 0), keyVersion: key.version, counts: unsigned.counts,
    };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (isTributaryError(err)) throw err;
    throw BackupWriteFailed({ out: job.final, step, reason: err instanceof Error ? err.message : String(err) }, err);
  } finally {
    await rm(work, { recursive: true, force: true });
    for (const l of locks) l.release();
  }
}

/** Writes `text` to the new file `file` (mode 0600) and fsyncs it. */
async function writeDurably(file: string, text: string): Promise<void> {
  const fh = await open(file, 'wx', 0o600);
  try { await fh.writeFile(text); await fh.sync(); } finally { await fh.close(); }
}
