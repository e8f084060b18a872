/**
 * Builds gold models in the warehouse, in dependency order: views and tables are replaced
 * atomically (`CREATE OR REPLACE`); incremental models rebuild only the day partitions whose source
 * rows changed since their last build (per-day row counts of the model's `source`, kept in
 * `_tributary_model_partitions`), in one transaction per model, so appending an hour of logs
 * recomputes one day and an erasure is picked up the same way. A day that vanished from the source
 * altogether is emptied too, unless it is older than the silver retention cutoff (`keepBefore`):
 * then silver retention explains its absence, gold outlives silver, and `retention.gold`
 * (tributary lifecycle) removes it. Dimensions keep the keys the new data lacks as long as a row of
 * their `referenced_by` table still uses them, so facts kept longer than silver stay joinable, and
 * a key no fact uses any more (erased, expired) goes.
 *
 * One code path for DuckDB and PostgreSQL: the warehouse-specific steps (replacing a relation,
 * day partitions on PostgreSQL) are the {@link GoldWarehouse} adapter's; the SQL here is the
 * subset both dialects share.
 */
import { quoteIdent, quoteLiteral } from '../sinks/_shared/sql.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { isTributaryError } from '../core/errors.js';
import { ModelFailed } from './errors.js';
import type { GoldWarehouse, RelationKind } from './gold-warehouse.js';
import type { Model } from './model.js';
import { dependencyOrder } from './model-graph.js';
import { referencedTables } from './sql-dependencies.js';

/** State of incremental models: source rows per day at the last build. */
const STATE = '_tributary_model_partitions';

/** What happened to one model. */
export interface ModelRunResult {
  readonly model: string;
  readonly materialized: Model['materialized'];
  /** `rebuilt` (whole), `incremental` (some partitions), `unchanged` (incremental, no partition changed). */
  readonly action: 'rebuilt' | 'incremental' | 'unchanged';
  /** Incremental: partitions rebuilt. */
  readonly partitions: number;
  /** Incremental: the partition values (days, `YYYY-MM-DD`) rebuilt or emptied; absent when the whole model was rebuilt. */
  readonly days?: readonly string[];
  /** Rows in the model afterwards (views: not counted, -1). */
  readonly rows: number;
  readonly seconds: number;
  /** Models it reads. */
  readonly dependsOn: readonly string[];
}

/** Options of {@link runModels}. */
export interface RunModelsOptions {
  /** Rebuild incremental models whole. */
  readonly fullRefresh?: boolean;
  /**
   * `YYYY-MM-DD`: days before it that vanished from an incremental model's source are kept (silver
   * retention removed them); later vanished days are emptied (an erasure removed them). Default:
   * every vanished day is emptied.
   */
  readonly keepBefore?: string;
}

/** The models' dependency order and each one's model dependencies. */
export async function planModels(parser: DuckDBConnection, models: readonly Model[]): Promise<{ order: string[]; deps: Map<string, Set<string>> }> {
  const names = new Set(models.map((m) => m.name));
  const deps = new Map<string, Set<string>>();
  for (const m of models) {
    const refs = await referencedTables(parser, m.name, m.file, m.sql);
    const own = [...refs].filter((r) => names.has(r) && r !== m.name);
    if (m.referencedBy !== undefined && names.has(m.referencedBy)) own.push(m.referencedBy);
    deps.set(m.name, new Set(own));
  }
  return { order: dependencyOrder([...names], deps), deps };
}

/** Builds every model in `wh` (see the module doc). Throws `TRB_SINK_MODEL_FAILED` naming the first model that failed. */
export async function runModels(wh: GoldWarehouse, models: readonly Model[], opts: RunModelsOptions = {}): Promise<ModelRunResult[]> {
  const { order, deps } = await planModels(wh.parser, models);
  await wh.exec(`CREATE TABLE IF NOT EXISTS ${STATE} (model VARCHAR NOT NULL, day DATE NOT NULL, source_rows BIGINT NOT NULL, PRIMARY KEY (model, day))`);
  const byName = new Map(models.map((m) => [m.name, m]));
  // Per-day row counts of each incremental source, read once per build: models sharing a source
  // (most read stg_requests) would otherwise each scan it. A source that is a model is built before
  // its readers (it is in their SQL), so its counts are read after it changed.
  const sourceDays = new Map<string, Promise<Map<string, number>>>();
  const out: ModelRunResult[] = [];
  for (const name of order) {
    const m = byName.get(name)!;
    const t0 = performance.now();
    try {
      const r = m.materialized === 'incremental' ? await buildIncremental(wh, m, sourceDays, opts.fullRefresh ?? false, opts.keepBefore)
        : m.materialized === 'dimension' ? await buildDimension(wh, m) : await buildWhole(wh, m);
      if (m.materialized !== 'view' && r.action !== 'unchanged') await wh.analyze(m.name);
      out.push({ model: name, materialized: m.materialized, ...r, seconds: Math.round(performance.now() - t0) / 1000, dependsOn: [...deps.get(name)!].sort() });
    } catch (err) {
      await wh.exec('ROLLBACK').catch(() => undefined);
      if (isTributaryError(err) && err.code === 'TRB_SINK_MODEL_FAILED') throw err;
      throw ModelFailed({ model: name, reason: err instanceof Error ? err.message : String(err) }, err);
    }
  }
  return out;
}

async function count(wh: GoldWarehouse, table: string): Promise<number> {
  return Number((await wh.rows(`SELECT count(*) FROM ${quoteIdent(table)}`))[0]![0]);
}

/** Runs `fn` in a transaction of `wh`. */
async function transaction<T>(wh: GoldWarehouse, fn: () => Promise<T>): Promise<T> {
  await wh.exec('BEGIN TRANSACTION');
  const out = await fn();
  await wh.exec('COMMIT');
  return out;
}

/** Drops `name` when it exists as the other kind of object (a model changed from view to table or back); returns what is left. */
async function dropIfOther(wh: GoldWarehouse, name: string, want: 'view' | 'table'): Promise<RelationKind | undefined> {
  const kind = await wh.relationKind(name);
  if (kind === undefined || (kind === 'view') === (want === 'view')) return kind;
  await wh.drop(name, kind);
  return undefined;
}

async function buildWhole(wh: GoldWarehouse, m: Model): Promise<Pick<ModelRunResult, 'action' | 'partitions' | 'rows'>> {
  if (m.materialized === 'view') {
    await dropIfOther(wh, m.name, 'view');
    await wh.replaceView(m.name, m.sql);
    return { action: 'rebuilt', partitions: 0, rows: -1 };
  }
  await dropIfOther(wh, m.name, 'table');
  await transaction(wh, () => wh.replaceTable(m.name, m.sql));
  return { action: 'rebuilt', partitions: 0, rows: await count(wh, m.name) };
}

async function buildDimension(wh: GoldWarehouse, m: Model): Promise<Pick<ModelRunResult, 'action' | 'partitions' | 'rows'>> {
  if ((await dropIfOther(wh, m.name, 'table')) === undefined) {
    await transaction(wh, () => wh.replaceTable(m.name, m.sql));
    return { action: 'rebuilt', partitions: 0, rows: await count(wh, m.name) };
  }
  const key = quoteIdent(m.uniqueKey!);
  const kept = `SELECT o.* FROM ${quoteIdent(m.name)} AS o WHERE o.${key} NOT IN (SELECT n.${key} FROM trb_dim_new AS n WHERE n.${key} IS NOT NULL) `
    + `AND o.${key} IN (SELECT r.${key} FROM ${quoteIdent(m.referencedBy!)} AS r WHERE r.${key} IS NOT NULL)`;
  // The new rows are computed once (MATERIALIZED, in both dialects), not once more for the NOT IN.
  await transaction(wh, () => wh.replaceTable(m.name, `WITH trb_dim_new AS MATERIALIZED (${m.sql}) SELECT * FROM trb_dim_new UNION ALL (${kept})`));
  return { action: 'rebuilt', partitions: 0, rows: await count(wh, m.name) };
}

async function buildIncremental(
  wh: GoldWarehouse, m: Model, sourceDays: Map<string, Promise<Map<string, number>>>, full: boolean, keepBefore: string | undefined,
): Promise<Pick<ModelRunResult, 'action' | 'partitions' | 'rows' | 'days'>> {
  const part = quoteIdent(m.partitionBy!);
  const key = `${m.source!}\u0000${m.partitionBy!}`;
  if (!sourceDays.has(key)) {
    sourceDays.set(key, wh.rows(`SELECT CAST(${part} AS VARCHAR), count(*) FROM ${quoteIdent(m.source!)} WHERE ${part} IS NOT NULL GROUP BY 1`)
      .then((rows) => new Map(rows.map((r) => [String(r[0]), Number(r[1])]))));
  }
  const current = await sourceDays.get(key)!;
  const previous = new Map((await wh.rows(`SELECT CAST(day AS VARCHAR), source_rows FROM ${STATE} WHERE model = ${quoteLiteral(m.name)}`))
    .map((r) => [String(r[0]), Number(r[1])]));
  const kind = await dropIfOther(wh, m.name, 'table');
  const saveState = async (): Promise<void> => {
    await wh.exec(`DELETE FROM ${STATE} WHERE model = ${quoteLiteral(m.name)}`);
    if (current.size > 0) {
      await wh.exec(`INSERT INTO ${STATE} VALUES ${[...current].map(([d, n]) => `(${quoteLiteral(m.name)}, DATE ${quoteLiteral(d)}, ${n})`).join(', ')}`);
    }
  };
  // A table that is not partitioned where the warehouse partitions (PostgreSQL) is rebuilt whole.
  const wantPartitioned = wh.dialect === 'postgres';
  if (full || kind === undefined || (wantPartitioned && kind !== 'partitioned')) {
    await transaction(wh, async () => {
      await wh.replaceTable(m.name, m.sql, { column: m.partitionBy!, days: [...current.keys()].sort() });
      await saveState();
    });
    return { action: 'rebuilt', partitions: current.size, rows: await count(wh, m.name) };
  }
  // Days the source no longer has at all are emptied, unless silver retention explains it (kept).
  const vanished = [...previous.keys()].filter((d) => !current.has(d) && (keepBefore === undefined || d >= keepBefore));
  const changed = [...[...current.keys()].filter((d) => current.get(d) !== previous.get(d)), ...vanished].sort();
  if (changed.length === 0) return { action: 'unchanged', partitions: 0, rows: await count(wh, m.name) };
  const days = changed.map((d) => `DATE ${quoteLiteral(d)}`).join(', ');
  await transaction(wh, async () => {
    await wh.exec(`DELETE FROM ${quoteIdent(m.name)} WHERE ${part} IN (${days})`);
    // After the delete: a new day's partition can be attached (none of its rows wait in the default one).
    await wh.ensurePartitions(m.name, { column: m.partitionBy!, days: changed.filter((d) => current.has(d)) });
    await wh.exec(`INSERT INTO ${quoteIdent(m.name)} SELECT * FROM (${m.sql}) AS model WHERE model.${part} IN (${days})`);
    await saveState();
  });
  return { action: 'incremental', partitions: changed.length, days: changed, rows: await count(wh, m.name) };
}
