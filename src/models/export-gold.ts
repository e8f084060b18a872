/**
 * Gold in the lake: after a build, each materialised model is written as Parquet under
 * `<lake>/gold/<model>/` so tools that read the lake (DuckDB, Spark, Trino) get the star schema
 * and rollups too. Incremental models are written per day partition (`day=YYYY-MM-DD/data.parquet`)
 * and only the days the build touched are rewritten; a day the model no longer has (emptied by an
 * erasure, or deleted by `tributary lifecycle` under `retention.gold`) is removed; table models are
 * one `data.parquet`. Every file is written to a temporary name and
 * renamed over the old one, so a reader sees the previous or the new file, never half of one.
 */
import { mkdirSync, renameSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../sinks/_shared/sql.js';
import type { Model } from './model.js';
import type { ModelRunResult } from './run-models.js';

/** What was written. */
export interface GoldExport {
  readonly root: string;
  readonly files: number;
  readonly removed: number;
}

async function copyTo(conn: DuckDBConnection, select: string, file: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await conn.run(`COPY (${select}) TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
  renameSync(tmp, file);
}

/** Writes the models `results` built (views are skipped) under `<lakeRoot>/gold/`. */
export async function exportGold(conn: DuckDBConnection, lakeRoot: string, models: readonly Model[], results: readonly ModelRunResult[]): Promise<GoldExport> {
  const root = join(lakeRoot, 'gold');
  let files = 0;
  let removed = 0;
  for (const r of results) {
    const m = models.find((x) => x.name === r.model);
    if (!m || m.materialized === 'view') continue;
    if (r.action === 'unchanged' && m.materialized !== 'incremental') continue;
    const dir = join(root, m.name);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    if (m.materialized === 'table' || m.materialized === 'dimension') {
      await copyTo(conn, `SELECT * FROM ${quoteIdent(m.name)}`, join(dir, 'data.parquet'));
      files++;
      continue;
    }
    const part = m.partitionBy!;
    const present = (await conn.runAndReadAll(`SELECT DISTINCT CAST(${quoteIdent(part)} AS VARCHAR) FROM ${quoteIdent(m.name)} WHERE ${quoteIdent(part)} IS NOT NULL`)).getRows().map((x) => String(x[0]));
    // Partitions the model no longer has go (erased, or expired by retention.gold since the last build).
    const keep = new Set(present.map((d) => `${part}=${d}`));
    for (const d of existsSync(dir) ? readdirSync(dir) : []) if (d.startsWith(`${part}=`) && !keep.has(d)) { rmSync(join(dir, d), { recursive: true, force: true }); removed++; }
    for (const d of r.action === 'unchanged' ? [] : r.days ?? present) {
      const pdir = join(dir, `${part}=${d}`);
      const n = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(m.name)} WHERE ${quoteIdent(part)} = DATE ${quoteLiteral(d)}`)).getRows()[0]![0]);
      if (n === 0) { if (existsSync(pdir)) { rmSync(pdir, { recursive: true, force: true }); removed++; } continue; }
      mkdirSync(pdir, { recursive: true, mode: 0o750 });
      await copyTo(conn, `SELECT * EXCLUDE (${quoteIdent(part)}) FROM ${quoteIdent(m.name)} WHERE ${quoteIdent(part)} = DATE ${quoteLiteral(d)}`, join(pdir, 'data.parquet'));
      files++;
    }
  }
  return { root, files, removed };
}
