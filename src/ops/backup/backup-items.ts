/**
 * What a backup takes besides the control store and the warehouses, and the locking around it:
 * the lake state files, the lake Parquet files and bronze objects named by the control-store
 * snapshot's manifests (so exactly the committed ones), the run locks of every pipeline, and the
 * cleanup of plaintext snapshots a crashed backup left behind.
 */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FilesMode, MemberRole } from './backup-manifest.js';
import type { BackupSources } from './backup-sources.js';
import { sqliteRows } from './sqlite-snapshot.js';

/** One thing to put in the backup: a file to encrypt in (`copy`) or to list (`reference`). */
export interface Item {
  readonly role: MemberRole;
  readonly source: string;
  readonly restorePath: string;
  readonly keep: 'copy' | 'reference';
}

/** Lake state files, lake Parquet files and bronze objects of the snapshot's manifests. */
export function dataFileItems(dataDir: string, snapshot: string, sources: BackupSources, files: FilesMode): Item[] {
  const items: Item[] = [];
  for (const lake of sources.lakes) {
    const silver = join(lake.root, 'silver');
    if (!existsSync(silver)) continue;
    for (const e of readdirSync(silver, { withFileTypes: true })) {
      const state = join(silver, e.name, '_tributary_state.json');
      if (e.isDirectory() && existsSync(state)) {
        items.push({ role: 'lake-state', source: state, restorePath: join(lake.restorePath, 'silver', e.name, '_tributary_state.json'), keep: 'copy' });
      }
    }
  }
  const fallback = sources.lakes.find((l) => l.sink === null) ?? sources.lakes[0];
  for (const row of sqliteRows<{ path: string; sink: string }>(snapshot, 'SELECT path, sink FROM lake_files ORDER BY path')) {
    const lake = sources.lakes.find((l) => l.sink === row.sink) ?? fallback;
    if (!lake) continue;
    items.push({ role: 'lake-file', source: join(lake.root, row.path), restorePath: join(lake.restorePath, row.path), keep: files });
  }
  for (const row of sqliteRows<{ object_key: string }>(snapshot, 'SELECT DISTINCT object_key FROM bronze_objects ORDER BY object_key')) {
    items.push({ role: 'bronze-object', source: join(dataDir, 'bronze', row.object_key), restorePath: join('bronze', row.object_key), keep: files });
  }
  return items;
}

/**
 * Removes control-store snapshots left in the staging area by a backup that crashed (they are
 * plaintext). Called with every run lock held, so no other backup of this deployment is running.
 */
export async function removeStaleSnapshots(stagingDir: string): Promise<void> {
  if (!existsSync(stagingDir)) return;
  for (const e of readdirSync(stagingDir)) if (e.startsWith('backup-')) await rm(join(stagingDir, e), { recursive: true, force: true });
}
