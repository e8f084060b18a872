/**
 * Where a deployment keeps what a backup takes: its warehouse files (every `*.duckdb` file at the
 * top of the data directory, plus each `duckdb` sink's `path` of the pipeline file when one is
 * given) and lake roots (each `lake` sink's `path`, resolved as the sinks resolve them; without a
 * pipeline file `<data_dir>/lake`). Each comes with the path it is restored to, relative to the
 * restored data directory: its own place when it lived inside the data directory, else a fixed
 * place (`external/...`) that the restore report names.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { LoadedPipeline } from '../../config/load-config.js';
import { warehousePath, type DuckdbConfig } from '../../sinks/duckdb/index.js';
import { lakeRoot, type LakeConfig } from '../../sinks/lake/index.js';

/** One warehouse file to back up. */
export interface WarehouseSource {
  readonly file: string;
  readonly restorePath: string;
}

/** One lake root; `sink` null for the default root of a data-directory backup. */
export interface LakeSource {
  readonly sink: string | null;
  readonly root: string;
  readonly restorePath: string;
}

/** What {@link backupSources} found. */
export interface BackupSources {
  readonly warehouses: readonly WarehouseSource[];
  readonly lakes: readonly LakeSource[];
}

/** `abs` relative to `dataDir` when inside it, else undefined. */
export function insideDataDir(dataDir: string, abs: string): string | undefined {
  const rel = relative(dataDir, abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : rel === '' ? '.' : undefined;
}

type SinkEntry = { readonly id: string; readonly type: string; readonly path?: unknown };

/** The warehouses and lake roots of the deployment at `dataDir` (of `pipeline`, when given). */
export function backupSources(dataDir: string, pipeline?: LoadedPipeline): BackupSources {
  const place = (abs: string, external: string): string => insideDataDir(dataDir, abs) ?? join('external', external);
  // Every warehouse at the top of the data directory (other pipelines' too), then the pipeline's own.
  const warehouses: WarehouseSource[] = existsSync(dataDir)
    ? readdirSync(dataDir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.duckdb'))
      .map((e) => ({ file: join(dataDir, e.name), restorePath: e.name }))
    : [];
  if (pipeline === undefined) return { warehouses, lakes: [{ sink: null, root: join(dataDir, 'lake'), restorePath: 'lake' }] };
  const ctx = { baseDir: pipeline.baseDir, dataDir };
  const lakes: LakeSource[] = [];
  for (const s of pipeline.config.sinks as readonly SinkEntry[]) {
    const path = typeof s.path === 'string' ? s.path : undefined;
    if (s.type === 'duckdb') {
      const file = resolve(warehousePath({ path } as DuckdbConfig, ctx));
      if (!warehouses.some((w) => w.file === file)) warehouses.push({ file, restorePath: place(file, `${s.id}-${basename(file)}`) });
    } else if (s.type === 'lake') {
      const root = resolve(lakeRoot({ path } as LakeConfig, ctx));
      lakes.push({ sink: s.id, root, restorePath: place(root, `${s.id}-lake`) });
    }
  }
  return { warehouses, lakes };
}
