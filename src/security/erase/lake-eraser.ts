/**
 * Erasure in a silver lake (a `lake` sink): every Parquet file the control store's manifest lists
 * is examined with its own columns, and each file holding the person's rows is rewritten without
 * them (DuckDB `COPY ... WHERE NOT ...`). Crash-safe at every step:
 *
 * 1. the new files are written into the dataset's `.staging/erase-<id>/` (ignored by readers,
 *    deleted by `reconcileLake`);
 * 2. they are fsynced and renamed into their partition under a new name
 *    (`part-….erased-<id>.parquet`), which no manifest entry references yet;
 * 3. ONE control-store transaction swaps the manifest entries old → new;
 * 4. the old files are deleted.
 *
 * A crash before 3 leaves the old files referenced and the new ones unreferenced; after 3 the
 * reverse. Either way `reconcileLake` (run by the next `tributary run` or `tributary erase`) deletes
 * exactly the unreferenced files, so nothing is lost or resurrected. Failpoints
 * `erase.lake.after_stage`, `erase.lake.after_promote` and `erase.lake.after_manifest` mark the steps.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { failpoint } from '../../core/failpoint.js';
import type { ControlStore, LakeFileManifestEntry, LakeFileReplacement } from '../../seams/control-store/control-store.js';
import { messageOf } from '../../sinks/_shared/duckdb-values.js';
import { fsyncAndHash, fsyncDir } from '../../sinks/_shared/durable-fs.js';
import { quoteLiteral } from '../../sinks/_shared/sql.js';
import { lakeLayout, reconcileLake, settleLakeState, unreferencedParts } from '../../sinks/lake/index.js';
import { relationColumns, type EraseRelation } from './erase-relation.js';
import { EraseLakeFailed } from './errors.js';

/** A lake as the pipeline config describes it. */
export interface LakeTarget {
  readonly sink: string;
  /** Absolute lake root. */
  readonly root: string;
  /** The sink's configured dataset. */
  readonly dataset: string;
  readonly compression: string;
  readonly rowGroupSize: number;
  /** Name of the Parquet key registered on the connection (`PRAGMA add_parquet_key`) when files are encrypted. */
  readonly parquetKey?: string;
}

/** One manifest file as a relation. */
export interface LakeFileRelation extends EraseRelation {
  readonly target: LakeTarget;
  readonly entry: LakeFileManifestEntry;
}

/** One file to rewrite: keep the rows where `match` is false; `keep` is how many that must be. */
export interface LakeRewrite {
  readonly file: LakeFileRelation;
  readonly match: string;
  readonly keep: number;
}

/** The new path of a rewritten part file: `part-<x>.parquet` → `part-<x>.erased-<id>.parquet` (an earlier erasure's suffix is replaced). */
export function rewrittenPath(path: string, id: string): string {
  return path.replace(/(\.erased-[0-9a-f]+)?\.parquet$/, `.erased-${id}.parquet`);
}

const encryption = (t: LakeTarget): string => (t.parquetKey === undefined ? '' : `, encryption_config = {footer_key: ${quoteLiteral(t.parquetKey)}}`);

/** The lake files of one sink, opened as relations. */
export class LakeEraser {
  readonly target: LakeTarget;
  readonly relations: readonly LakeFileRelation[];
  /** Manifest entries whose file is missing on disk (reported; nothing to erase there). */
  readonly missing: readonly string[];
  /** Part files on disk the manifest does not reference (an interrupted commit or erasure); removed by the next run or erasure. */
  readonly unreferenced: readonly string[];
  /** Every path of the sink's manifest. */
  readonly manifestPaths: ReadonlySet<string>;

  private constructor(target: LakeTarget, relations: readonly LakeFileRelation[], missing: readonly string[], unreferenced: readonly string[], paths: ReadonlySet<string>) {
    this.target = target;
    this.relations = relations;
    this.missing = missing;
    this.unreferenced = unreferenced;
    this.manifestPaths = paths;
  }

  /** Lists the manifest of sink `target.sink` of `pipeline` and describes every file (schema only). */
  static async open(conn: DuckDBConnection, control: ControlStore, pipeline: string, target: LakeTarget, keyPrefix: string): Promise<LakeEraser> {
    const entries = await control.listLakeFiles({ pipeline, sink: target.sink });
    const relations: LakeFileRelation[] = [];
    const missing: string[] = [];
    for (const [i, entry] of entries.entries()) {
      const abs = join(target.root, entry.path);
      if (!existsSync(abs)) { missing.push(entry.path); continue; }
      const from = `read_parquet(${quoteLiteral(abs)}, hive_partitioning = false${encryption(target)})`;
      let columns: Set<string>;
      try { columns = await relationColumns(conn, from); } catch (err) {
        throw EraseLakeFailed({ path: entry.path, step: 'reading its schema', reason: messageOf(err) }, err);
      }
      relations.push({ key: `${keyPrefix}.${i}`, label: entry.path, from, columns, datasets: [entry.dataset, 'quarantine'], target, entry });
    }
    const paths = new Set(entries.map((e) => e.path));
    const datasets = new Set([target.dataset, ...entries.map((e) => e.dataset)]);
    const unreferenced = (await Promise.all([...datasets].map((d) => unreferencedParts(target.root, d, paths)))).flat();
    return new LakeEraser(target, relations, missing, unreferenced, paths);
  }

  /**
   * Finishes what an interrupted commit or erasure left (deletes unreferenced part files and
   * staging directories) and retires the lake's rollback record, for every dataset of the sink.
   * Run under the pipeline's run lock, before {@link rewriteLakeFiles}.
   */
  async recover(): Promise<void> {
    const datasets = new Set([this.target.dataset, ...this.relations.map((r) => r.entry.dataset)]);
    for (const d of datasets) {
      await reconcileLake(this.target.root, d, this.manifestPaths);
      await settleLakeState(this.target.root, d, this.manifestPaths);
    }
  }
}

interface Staged { readonly rewrite: LakeRewrite; readonly staged: string | null; final?: string; entry?: LakeFileReplacement['to'] }

/**
 * Rewrites every file in `rewrites` (see the module doc for the steps), swapping their manifest
 * entries in one transaction recorded as `changeId` (`erase-<id>`). Returns old path → new path
 * (null when the file was removed). Throws `TRB_ERASE_LAKE_FAILED` (new files cleaned up, old ones
 * still referenced) when a step before the manifest swap fails, and the store's errors for the swap.
 */
export async function rewriteLakeFiles(
  conn: DuckDBConnection, control: ControlStore, pipeline: string, changeId: string, rewrites: readonly LakeRewrite[],
): Promise<Map<string, string | null>> {
  const id = changeId.replace(/^erase-/, '');
  const staging = new Set<string>();
  const work: Staged[] = [];
  let current = '(lake)';
  try {
    for (const r of rewrites) {
      const { entry, target } = r.file;
      current = entry.path;
      const [area = '', dataset = entry.dataset, ...rest] = entry.path.split('/');
      const dir = lakeLayout(target.root, dataset).stagingDir(area === 'quarantine' ? 'quarantine' : 'silver', `erase-${id}`);
      staging.add(dir);
      if (r.keep === 0) { work.push({ rewrite: r, staged: null }); continue; }
      const staged = join(dir, ...rest);
      await mkdir(dirname(staged), { recursive: true, mode: 0o750 });
      const opts = `FORMAT parquet, COMPRESSION ${r.file.target.compression}, ROW_GROUP_SIZE ${r.file.target.rowGroupSize}` +
        (target.parquetKey === undefined ? '' : `, ENCRYPTION_CONFIG {footer_key: ${quoteLiteral(target.parquetKey)}}`);
      const res = await conn.runAndReadAll(`COPY (SELECT * FROM ${r.file.from} WHERE NOT ${r.match}) TO ${quoteLiteral(staged)} (${opts})`);
      const written = Number(res.getRows()[0]?.[0] ?? -1);
      if (written !== r.keep) throw new Error(`wrote ${written} rows, expected ${r.keep}: the file changed while it was being erased`);
      work.push({ rewrite: r, staged });
    }
    failpoint('erase.lake.after_stage');
    const dirs = new Set<string>();
    for (const w of work) {
      if (w.staged === null) continue;
      const { entry, target } = w.rewrite.file;
      current = entry.path;
      const { bytes, sha256 } = await fsyncAndHash(w.staged);
      const path = rewrittenPath(entry.path, id);
      await rename(w.staged, join(target.root, path));
      w.final = join(target.root, path);
      dirs.add(dirname(w.final));
      w.entry = { sink: entry.sink, dataset: entry.dataset, path, rows: w.rewrite.keep, bytes, partition: entry.partition, sha256 };
    }
    for (const d of dirs) await fsyncDir(d);
    failpoint('erase.lake.after_promote');
  } catch (err) {
    for (const w of work) if (w.final !== undefined) await rm(w.final, { force: true }).catch(() => undefined);
    for (const d of staging) await rm(d, { recursive: true, force: true }).catch(() => undefined);
    throw EraseLakeFailed({ path: current, step: 'writing the rewritten files (the old files are still in use)', reason: messageOf(err) }, err);
  }
  await control.replaceLakeFiles(pipeline, changeId, work.map((w) => ({ from: w.rewrite.file.entry.path, to: w.entry ?? null })));
  failpoint('erase.lake.after_manifest');
  const out = new Map<string, string | null>();
  const dirs = new Set<string>();
  for (const w of work) {
    const old = join(w.rewrite.file.target.root, w.rewrite.file.entry.path);
    await rm(old, { force: true });
    dirs.add(dirname(old));
    out.set(w.rewrite.file.entry.path, w.entry?.path ?? null);
  }
  for (const d of dirs) await fsyncDir(d).catch(() => undefined);
  for (const d of staging) await rm(d, { recursive: true, force: true });
  return out;
}
