/**
 * Builds a pipeline's gold layer in its warehouse — DuckDB or PostgreSQL, whichever sink the
 * pipeline file names (`gold.warehouse`, default its first `duckdb` sink, else its first `postgres`
 * sink): staging views over what the warehouse has, then every model in dependency order, then
 * (optionally) the model tests. The same models and tests run on both (see load-models.ts for
 * dialect variants); dependencies are always read by DuckDB's parser.
 */
import { resolve, join } from 'node:path';
import { existsSync } from 'node:fs';
import type { LoadedPipeline } from '../config/load-config.js';
import { WarehouseMissing } from '../sinks/_shared/errors.js';
import { PostgresConfig } from '../sinks/postgres/config.js';
import type { GoldConfig } from './config.js';
import { DuckdbGoldWarehouse } from './duckdb-gold-warehouse.js';
import { ModelInvalid, ModelsNoWarehouse, ModelsWarehouseEmpty } from './errors.js';
import type { GoldDialect, GoldWarehouse } from './gold-warehouse.js';
import { loadModels, variantColumnProblems } from './load-models.js';
import { runModelTests, type ModelTestResult } from './model-tests.js';
import { PostgresGoldWarehouse } from './postgres-gold-warehouse.js';
import { runModels, type ModelRunResult } from './run-models.js';
import { createStagingViews } from './staging-views.js';
import { exportGold, type GoldExport } from './export-gold.js';
import { cutoffDay, retentionCutoffs } from '../ops/lifecycle/retention-cutoffs.js';
import type { RetentionConfig } from '../ops/lifecycle/retention-config.js';

/** The outcome of {@link buildGold}. */
export interface GoldReport {
  /** Where: the DuckDB file, or `host:port/database schema <schema>`. */
  readonly warehouse: string;
  readonly dialect: GoldDialect;
  readonly seconds: number;
  readonly models: readonly ModelRunResult[];
  /** Parquet written under the lake's `gold/` (DuckDB warehouse only; absent without a lake sink, or when its Parquet is encrypted). */
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

/** The warehouse the gold layer builds in: a DuckDB file, or a `postgres` sink's server and schema. */
export type GoldTarget =
  | { readonly dialect: 'duckdb'; readonly sink: string; readonly path: string; readonly table: string }
  | { readonly dialect: 'postgres'; readonly sink: string; readonly config: PostgresConfig; readonly table: string };

/** The root of the pipeline's first unencrypted `lake` sink (where gold Parquet goes), if any. */
function goldLakeRoot(loaded: LoadedPipeline): string | undefined {
  const lake = (loaded.config.sinks as readonly (SinkEntry & { encryption_key?: unknown })[]).find((s) => s.type === 'lake');
  if (!lake || lake.encryption_key !== undefined) return undefined;
  return typeof lake.path === 'string' ? resolve(loaded.baseDir, lake.path) : join(loaded.dataDir, 'lake');
}

/**
 * The warehouse the gold layer of `loaded` builds in: the sink `gold.warehouse` names, else the
 * first `duckdb` sink, else the first `postgres` sink. `loaded.config` must hold resolved secrets
 * when the target is a `postgres` sink with a password. Throws `TRB_CONFIG_MODELS_NO_WAREHOUSE`.
 */
export function goldTarget(loaded: LoadedPipeline, gold: GoldConfig): GoldTarget {
  const sinks = (loaded.config.sinks as readonly SinkEntry[]).filter((s) => (s.type === 'duckdb' || s.type === 'postgres') && (gold.warehouse === undefined || s.id === gold.warehouse));
  const sink = sinks.find((s) => s.type === 'duckdb') ?? sinks[0];
  if (!sink) throw ModelsNoWarehouse({ file: loaded.file });
  if (sink.type === 'postgres') {
    const { id: _id, type: _type, ...options } = sink as SinkEntry & Record<string, unknown>;
    const config = PostgresConfig.parse(options);
    return { dialect: 'postgres', sink: sink.id, config, table: config.table };
  }
  const path = typeof sink.path === 'string' ? resolve(loaded.baseDir, sink.path) : join(loaded.dataDir, 'warehouse.duckdb');
  return { dialect: 'duckdb', sink: sink.id, path, table: typeof sink.table === 'string' ? sink.table : 'requests' };
}

/**
 * Opens `target`. Throws `TRB_SINK_WAREHOUSE_MISSING` (no DuckDB file), `TRB_SINK_MODELS_WAREHOUSE_EMPTY`
 * (no PostgreSQL schema or request table yet) and `TRB_CONNECT_POSTGRES_*`.
 */
export async function openGoldWarehouse(loaded: Pick<LoadedPipeline, 'baseDir'>, target: GoldTarget): Promise<GoldWarehouse> {
  if (target.dialect === 'duckdb') {
    if (!existsSync(target.path)) throw WarehouseMissing({ path: target.path });
    return DuckdbGoldWarehouse.open(target.path);
  }
  const wh = await PostgresGoldWarehouse.open(target.sink, target.config, loaded.baseDir);
  const where = `${target.config.schema} (sink \`${target.sink}\`)`;
  if (wh === undefined) throw ModelsWarehouseEmpty({ warehouse: where, table: target.table });
  if ((await wh.relationKind(target.table)) === undefined) {
    await wh.close();
    throw ModelsWarehouseEmpty({ warehouse: where, table: target.table });
  }
  return wh;
}

/** Builds (and/or tests) the gold layer of `loaded`, whose `gold:` section is `gold`. */
export async function buildGold(loaded: LoadedPipeline, gold: GoldConfig, opts: BuildGoldOptions = {}): Promise<GoldReport> {
  const t0 = performance.now();
  const target = goldTarget(loaded, gold);
  const { models, tests, variants } = loadModels(gold, loaded.baseDir, target.dialect);
  const wh = await openGoldWarehouse(loaded, target);
  try {
    const problems = await variantColumnProblems(wh.parser, variants);
    if (problems.length > 0) throw ModelInvalid({ model: '(variants)', file: problems[0]!.split(' ')[0]!, reason: problems.join('; ') });
    let results: ModelRunResult[] = [];
    if (opts.build ?? true) {
      await createStagingViews(wh, target.table, gold.endpoint_patterns);
      // Days expired from silver stay in gold (retention.gold removes them); other vanished days were erased.
      const retention = (loaded.config as { retention?: RetentionConfig }).retention;
      const keepBefore = retention ? cutoffDay(retentionCutoffs(retention, new Date()).silver) : undefined;
      results = await runModels(wh, models, { ...(opts.fullRefresh ? { fullRefresh: true } : {}), ...(keepBefore ? { keepBefore } : {}) });
    }
    const lakeRoot = wh instanceof DuckdbGoldWarehouse ? goldLakeRoot(loaded) : undefined;
    const lake = lakeRoot !== undefined && results.length > 0 ? await exportGold((wh as DuckdbGoldWarehouse).connection, lakeRoot, models, results) : undefined;
    const testResults = opts.test ? await runModelTests(wh, tests) : undefined;
    return {
      warehouse: wh.label, dialect: wh.dialect, seconds: Math.round(performance.now() - t0) / 1000, models: results,
      ...(lake ? { lake } : {}), ...(testResults ? { tests: testResults } : {}),
    };
  } finally {
    await wh.close();
  }
}
