/**
 * Physical removal of deleted warehouse rows. DuckDB's DELETE only marks rows deleted: their bytes
 * stay in the database file (also after CHECKPOINT and VACUUM) until the blocks are reused. For an
 * erasure that is not enough, so the database is copied into a fresh file (`COPY FROM DATABASE`:
 * tables, constraints, views) and the fresh file replaces the old one by an atomic rename.
 *
 * A marker file (`<db>.erase-compact`) is written before the DELETE and removed after the rename:
 * if a crash interrupts the erasure in between, the next `tributary erase` sees the marker and
 * compacts again, even though it then finds no rows left to delete.
 */
import { chmod, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { failpoint } from '../../core/failpoint.js';
import { fsyncDir } from '../../sinks/_shared/durable-fs.js';
import { quoteIdent, quoteLiteral } from '../../sinks/_shared/sql.js';

/** Marker of a compaction owed to the warehouse at `path`. */
export const compactionMarker = (path: string): string => `${path}.erase-compact`;

/** Writes the marker durably (before rows are deleted). */
export async function markCompactionPending(path: string): Promise<void> {
  await writeFile(compactionMarker(path), '', { mode: 0o600 });
  const fh = await open(compactionMarker(path), 'r');
  try { await fh.sync(); } finally { await fh.close(); }
  await fsyncDir(dirname(path));
}

/** True when an earlier erasure deleted rows from the warehouse at `path` and was interrupted before compacting. */
export function compactionPending(path: string): boolean {
  return existsSync(compactionMarker(path));
}

/**
 * Copies the database attached as `alias` (the file `path`) into a fresh file, DETACHes it, and
 * renames the copy over `path`, then removes the marker. `attachOptions` are the ATTACH options of
 * the original (e.g. its `ENCRYPTION_KEY`), used for the copy too. Failpoint
 * `erase.warehouse.before_swap` sits between the finished copy and the rename. Throws DuckDB's or
 * the file system's error; the original file stays valid until the rename.
 */
export async function compactWarehouse(conn: DuckDBConnection, alias: string, path: string, attachOptions: string): Promise<void> {
  const tmp = `${path}.erase-tmp`;
  for (const f of [tmp, `${tmp}.wal`]) await rm(f, { force: true });
  await conn.run(`ATTACH ${quoteLiteral(tmp)} AS trb_compact${attachOptions}`);
  try {
    await conn.run(`COPY FROM DATABASE ${quoteIdent(alias)} TO trb_compact`);
    await conn.run('CHECKPOINT trb_compact');
  } finally {
    await conn.run('DETACH trb_compact');
  }
  await conn.run(`CHECKPOINT ${quoteIdent(alias)}`);
  await conn.run(`DETACH ${quoteIdent(alias)}`);
  // A leftover write-ahead log would be replayed against the new file: refuse rather than corrupt it.
  for (const wal of [`${path}.wal`, `${tmp}.wal`]) if (existsSync(wal)) throw new Error(`the write-ahead log ${wal} is still present after DETACH`);
  await chmod(tmp, (await stat(path)).mode & 0o777);
  const fh = await open(tmp, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
  failpoint('erase.warehouse.before_swap');
  await rename(tmp, path);
  await fsyncDir(dirname(path));
  await rm(compactionMarker(path), { force: true });
  await fsyncDir(dirname(path));
}
