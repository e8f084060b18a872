/**
 * Makes a staged commit visible: each staged Parquet file is fsynced, hashed and renamed to its
 * final deterministic name `<area>/<dataset>/day=YYYY-MM-DD/part-<commitId>-<n>.parquet`, the
 * directories are fsynced, and the staging directory is removed.
 */
import { mkdir, rename, rm, readdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CommittedFile } from '../../core/component.js';
import { fsyncAndHash, fsyncDir } from '../_shared/durable-fs.js';
import { quoteLiteral } from '../_shared/sql.js';
import { partFileName } from './lake-layout.js';

/** A staged file and where it goes. */
interface Planned { readonly from: string; readonly to: string; readonly partition: string | undefined }

async function listStaged(stagingDir: string): Promise<{ file: string; partition: string | undefined }[]> {
  let entries;
  try { entries = await readdir(stagingDir, { withFileTypes: true }); } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: { file: string; partition: string | undefined }[] = [];
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.parquet')) out.push({ file: join(stagingDir, e.name), partition: undefined });
    else if (e.isDirectory() && e.name.startsWith('day=')) {
      for (const f of await readdir(join(stagingDir, e.name))) {
        if (f.endsWith('.parquet')) out.push({ file: join(stagingDir, e.name, f), partition: e.name });
      }
    }
  }
  return out;
}

const fileIndex = (path: string): number => Number(/_(\d+)\.parquet$/.exec(path)?.[1] ?? 0);

/**
 * Promotes every Parquet file staged in `stagingDir` into `areaDir`. `conn` (any DuckDB connection)
 * reads row counts from the Parquet footers (for encrypted files, `encryptionConfig` =
 * `{footer_key: ...}` of a key registered on `conn`, by counting rows). Files with 0 rows are
 * dropped. Returns the committed files with paths relative to `root`, sorted by path.
 */
export async function promoteStaged(
  conn: DuckDBConnection, stagingDir: string, areaDir: string, root: string, commitId: string, encryptionConfig?: string,
): Promise<CommittedFile[]> {
  const staged = await listStaged(stagingDir);
  const rows = new Map<string, number>();
  if (staged.length > 0) {
    const list = staged.map((s) => quoteLiteral(s.file)).join(', ');
    const res = await conn.runAndReadAll(encryptionConfig === undefined
      ? `SELECT file_name, num_rows FROM parquet_file_metadata([${list}])`
      : `SELECT filename, count(*) FROM read_parquet([${list}], filename = true, encryption_config = ${encryptionConfig}) GROUP BY filename`);
    for (const [name, n] of res.getRows()) rows.set(String(name), Number(n));
  }
  const byPartition = new Map<string, typeof staged>();
  for (const s of staged) {
    const k = s.partition ?? '';
    byPartition.set(k, [...(byPartition.get(k) ?? []), s]);
  }
  const plan: Planned[] = [];
  for (const [, files] of byPartition) {
    files.sort((a, b) => fileIndex(a.file) - fileIndex(b.file));
    let n = 0;
    for (const s of files) {
      if ((rows.get(s.file) ?? 0) === 0) continue;
      const dir = s.partition === undefined ? areaDir : join(areaDir, s.partition);
      plan.push({ from: s.file, to: join(dir, partFileName(commitId, n++)), partition: s.partition });
    }
  }
  const out: CommittedFile[] = [];
  const dirs = new Set<string>();
  for (const p of plan) {
    const { bytes, sha256 } = await fsyncAndHash(p.from);
    await mkdir(dirname(p.to), { recursive: true });
    await rename(p.from, p.to);
    dirs.add(dirname(p.to));
    const rel = relative(root, p.to).split(sep).join('/');
    out.push(p.partition === undefined
      ? { path: rel, rows: rows.get(p.from) ?? 0, bytes, sha256 }
      : { path: rel, rows: rows.get(p.from) ?? 0, bytes, sha256, partition: p.partition });
  }
  for (const d of dirs) await fsyncDir(d);
  if (plan.some((p) => p.partition !== undefined)) await fsyncDir(areaDir);
  await rm(stagingDir, { recursive: true, force: true });
  await fsyncDir(dirname(stagingDir)).catch(() => undefined);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
