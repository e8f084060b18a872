/**
 * Where a pipeline keeps rows that erasure must reach: its `duckdb` sinks (warehouse files),
 * `postgres` sinks (PostgreSQL warehouses) and `lake` sinks (Parquet roots), from the pipeline config with secrets resolved. Other sink types
 * are listed so the report can say they were not examined.
 */
import type { SinkSpec } from '../../core/component.js';
import { warehousePath, type DuckdbConfig } from '../../sinks/duckdb/index.js';
import { lakeRoot, type LakeConfig } from '../../sinks/lake/index.js';
import type { PostgresConfig } from '../../sinks/postgres/index.js';
import type { LakeTarget } from './lake-eraser.js';
import { pgMarkerBase, type PgWarehouseTarget } from './pg-warehouse-eraser.js';
import type { WarehouseTarget } from './warehouse-eraser.js';

/** A lake target plus its revealed Parquet key, when its files are encrypted. */
export interface LakeTargetConfig extends Omit<LakeTarget, 'parquetKey'> {
  readonly encryptionKey?: string;
}

/** The sinks of one pipeline, as erasure sees them. */
export interface ErasureTargets {
  readonly warehouses: readonly (WarehouseTarget & { readonly memoryLimit: string })[];
  /** `postgres` sinks. */
  readonly pgWarehouses: readonly PgWarehouseTarget[];
  readonly lakes: readonly LakeTargetConfig[];
  /** Sinks of other types (not examined). */
  readonly others: readonly { readonly id: string; readonly type: string }[];
}

type Entry = { readonly id: string; readonly type: string } & Readonly<Record<string, unknown>>;

/**
 * Reads the sinks of a pipeline whose secrets are resolved. `baseDir` and `dataDir` resolve
 * relative paths as the sinks do; `outputTables` are the pipeline's additional datasets. Throws the sinks' config errors (the config was validated when
 * loaded, so only a bug gets there).
 */
export function erasureTargets(
  sinks: readonly Entry[], specs: readonly SinkSpec<any>[], ctx: { readonly baseDir: string; readonly dataDir: string }, outputTables: readonly string[],
): ErasureTargets {
  const warehouses: (WarehouseTarget & { memoryLimit: string })[] = [];
  const pgWarehouses: PgWarehouseTarget[] = [];
  const lakes: LakeTargetConfig[] = [];
  const others: { id: string; type: string }[] = [];
  for (const e of sinks) {
    const spec = specs.find((s) => s.type === e.type);
    const { id: _id, type: _type, ...rest } = e;
    if (e.type === 'duckdb' && spec) {
      const c = spec.config.parse(rest) as DuckdbConfig;
      warehouses.push({
        sink: e.id, path: warehousePath(c, ctx), table: c.table, quarantineTable: c.quarantine_table, outputTables, memoryLimit: c.memory_limit,
        ...(c.encryption_key === undefined ? {} : { encryptionKey: c.encryption_key.reveal() }),
      });
    } else if (e.type === 'postgres' && spec) {
      const config = spec.config.parse(rest) as PostgresConfig;
      pgWarehouses.push({ sink: e.id, config, baseDir: ctx.baseDir, outputTables, markerBase: pgMarkerBase(ctx.dataDir, e.id) });
    } else if (e.type === 'lake' && spec) {
      const c = spec.config.parse(rest) as LakeConfig;
      lakes.push({
        sink: e.id, root: lakeRoot(c, ctx), dataset: c.dataset, compression: c.compression, rowGroupSize: c.row_group_size,
        ...(c.encryption_key === undefined ? {} : { encryptionKey: c.encryption_key.reveal() }),
      });
    } else others.push({ id: e.id, type: e.type });
  }
  return { warehouses, pgWarehouses, lakes, others };
}
