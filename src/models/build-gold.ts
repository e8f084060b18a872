/**
 * Builds a pipeline's gold layer in its DuckDB warehouse: staging views over what the warehouse
 * has, then every model in dependency order, then (optionally) the model tests.
 */
import { resolve, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { LoadedPipeline } from '../config/load-config.js';
import { connectUtc } from '../sinks/_shared/duckdb-values.js';
import { WarehouseMissing } from '../sinks/_shared/errors.js';
import { existsSync } from 'node:fs';
import type { GoldConfig } from './config.js';
import { ModelsNoWarehouse } from './errors.js';
import { loadModels } from './load-models.js';
import { runModelTests, type ModelTestResult } from './model-tests.js';
import { runModels, type ModelRunResult } from './run-models.js';
import { createStagingViews } from './staging-views.js';
import { exportGold, type GoldExport } from './export-gold.js';
import { cutoffDay, retentionCutoffs } from '../ops/lifecycle/retention-cutoffs.js';
import type { RetentionConfig } from '../ops/lifecycle/retention-config.js';

/** The outcome of {@link buildGold}. */
export interface GoldReport {
  readonly warehouse: string;
  readonly seconds: number;
  readonly models: readonly ModelRunResult[];
  /** Parquet written under the lake's `gold/` (absent without a lake sink, or when its Parquet is encrypted). */
  readonly lake?: GoldExport;
  /** Present when tests were run. */
  readonly tests?: readonly ModelTestResult[];
}

/** Options of {@link buildGold}. */
export interface BuildGoldOptions {
  readonly fullRefresh?: boolean;
  /** Build the models (default true); false with `test` only tests what exists. */
  readonly build?: boolean;
  readonly test?: boolean;
}

type SinkEntry = { readonly id: string; readonly type: string; readonly path?: unknown; readonly table?: unknown };

/** The root of the pipeline's first unencrypted `lake` sink (where gold Parquet goes), if any. */
function goldLakeRoot(loaded: LoadedPipeline): string | undefined {
  const lake = (loaded.config.sinks as readonly (SinkEntry & { encryption_key?: unknown })[]).find((s) => s.type === 'lake');
  if (!lake || lake.encryption_key !== undefined) return undefined;
  return typeof lake.path === 'string' ? resolve(loaded.baseDir, lake.path) : join(loaded.dataDir, 'lake');
}

/** The warehouse file and request table the gold layer of `loaded` builds in. */
export function goldTarget(loaded: LoadedPipeline, gold: GoldConfig): { path: string; table: string } {
  const sinks = (loaded.config.sinks as readonly SinkEntry[]).filter((s) => s.type === 'duckdb' && (gold.warehouse === undefined || s.id === gold.warehouse));
  const sink = sinks[0];
  if (!sink) throw ModelsNoWarehouse({ file: loaded.file });
  const path = typeof sink.path === 'string' ? resolve(loaded.baseDir, sink.path) : join(loaded.dataDir, 'warehouse.duckdb');
  return { path, table: typeof sink.table === 'string' ? sink.table : 'requests' };
}

/** Builds (and/or tests) the gold layer of `loaded`, whose `gold:` section is `gold`. */
export async function buildGold(loaded: LoadedPipeline, gold: GoldConfig, opts: BuildGoldOptions = {}): Promise<GoldReport> {
  const t0 = performance.now();
  const { path, table } = goldTarget(loaded, gold);
  if (!existsSync(path)) throw WarehouseMissing({ path });
  const { models, tests } = loadModels(gold, loaded.baseDir);
  const db = await DuckDBInstance.fromCache(path);
  const conn = await connectUtc(db);
  try {
    let results: ModelRunResult[] = [];
    if (opts.build ?? true) {
      await createStagingViews(conn, table, gold.endpoint_patterns);
      // Days expired from silver stay in gold (retention.gold removes them); other vanished days were erased.
      const retention = (loaded.config as { retention?: RetentionConfig }).retention;
      const keepBefore = retention ? cutoffDay(retentionCutoffs(retention, new Date()).silver) : undefined;
      results = await runModels(conn, models, { ...(opts.fullRefresh ? { fullRefresh: true } : {}), ...(keepBefore ? { keepBefore } : {}) });
    }
    const lakeRoot = goldLakeRoot(loaded);
    const lake = lakeRoot !== undefined && results.length > 0 ? await exportGold(conn, lakeRoot, models, results) : undefined;
    const testResults = opts.test ? await runModelTests(conn, tests) : undefined;
    return {
      warehouse: path, seconds: Math.round(performance.now() - t0) / 1000, models: results,
      ...(lake ? { lake } : {}), ...(testResults ? { tests: testResults } : {}),
    };
  } finally {
    conn.disconnectSync();
  }
}
