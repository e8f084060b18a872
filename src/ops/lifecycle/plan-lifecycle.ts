/**
 * Plans a lifecycle run: finds, per layer, what the pipeline's retention expires (lake files,
 * warehouse rows, bronze segments and objects) with counts and bytes. Changes nothing; the
 * warehouses stay attached (read-only for a dry run) so the same session can apply the plan.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { LoadedPipeline } from '../../config/load-config.js';
import type { PipelineConfig } from '../../config/schema/pipeline.js';
import type { Deployment } from '../../engine/bootstrap.js';
import { registry } from '../../engine/registry.js';
import { erasureTargets } from '../../security/erase/erasure-targets.js';
import { readIdentifierPolicies } from '../../security/erase/identifier-policies.js';
import { planBronzeExpiry, type BronzePlan } from './bronze-retention.js';
import { buildLifecycleReport, type ReportInput } from './build-lifecycle-report.js';
import { ColdStorage } from './cold-storage.js';
import { planLakeExpiry, type LakePlan } from './lake-retention.js';
import type { LifecycleReport, WarehouseTableExpiry } from './lifecycle-report.js';
import type { RetentionCutoffs } from './retention-cutoffs.js';
import { PostgresRetention, type PgPlannedExpiry } from './postgres-retention.js';
import type { PlannedDelete, WarehouseRetention } from './warehouse-retention.js';
import { WarehouseSession } from './warehouse-session.js';

type Entry = { readonly id: string; readonly type: string } & Readonly<Record<string, unknown>>;

/** A pipeline config with its secrets resolved (component entries as plain records). */
export type ResolvedPipeline = Omit<PipelineConfig, 'stages' | 'sinks'> & { readonly stages: readonly Entry[]; readonly sinks: readonly Entry[] };

/** Everything a lifecycle run found; close `session` when done. */
export interface LifecyclePlan {
  readonly cold: ColdStorage | null;
  readonly lake: LakePlan;
  readonly bronze: BronzePlan;
  readonly session: WarehouseSession;
  readonly warehouse: ReadonlyMap<WarehouseRetention, readonly PlannedDelete[]>;
  /** PostgreSQL warehouses (`postgres` sinks) and what expires in each. */
  readonly postgres: ReadonlyMap<PostgresRetention, readonly PgPlannedExpiry[]>;
  /** The report inputs shared by the plan's and the outcome's report. */
  readonly input: Omit<ReportInput, 'warehouse' | 'compacted'>;
  /** What would be removed (the dry run's report). */
  readonly report: LifecycleReport;
}

/** A planned delete as reported (without its SQL predicate). */
export const reportedDelete = ({ predicate: _p, ...e }: PlannedDelete): WarehouseTableExpiry => e;

/** A planned PostgreSQL expiry as reported: partitions dropped (count) and rows. */
export const reportedPgExpiry = ({ predicate: _p, dropPartitions, deleteRows: _d, ...e }: PgPlannedExpiry): WarehouseTableExpiry => ({ ...e, partitions: dropPartitions.length });

/** Closes the warehouse connections of `plan`. */
export async function closePlan(plan: Pick<LifecyclePlan, 'session' | 'postgres'>): Promise<void> {
  await plan.session.close();
  for (const r of plan.postgres.keys()) await r.close();
}

/**
 * Plans the retention of `cfg` at `cutoffs` over the stores of `d`. Throws the store's,
 * `TRB_LIFECYCLE_WAREHOUSE_FAILED` (a warehouse cannot be opened) and
 * `TRB_SECRET_ENCRYPTION_UNAVAILABLE` (an encrypted warehouse without DuckDB's crypto).
 */
export async function planLifecycle(
  loaded: LoadedPipeline, cfg: ResolvedPipeline, d: Deployment, o: { readonly cutoffs: RetentionCutoffs; readonly requestId: string; readonly changeId: string; readonly dryRun: boolean },
): Promise<LifecyclePlan> {
  const { retention } = cfg;
  const policies = readIdentifierPolicies(cfg.stages, registry.stages);
  const targets = erasureTargets(cfg.sinks, registry.sinks, { baseDir: loaded.baseDir, dataDir: d.dataDir }, policies.outputDatasets);
  const coldRoot = retention.cold_storage === undefined ? undefined
    : isAbsolute(retention.cold_storage) ? retention.cold_storage : resolve(loaded.baseDir, retention.cold_storage);
  const cold = coldRoot === undefined ? null : new ColdStorage(coldRoot, cfg.name);
  const notes: string[] = [];
  const others = targets.others.filter((t) => t.type !== 'postgres');
  if (others.length > 0) notes.push(`Sinks not managed by lifecycle: ${others.map((t) => `\`${t.id}\` (${t.type})`).join(', ')}.`);
  const lake = await planLakeExpiry(d.control, cfg.name, targets.lakes, o.cutoffs);
  const session = await WarehouseSession.open(targets.warehouses, join(d.stagingDir, o.changeId), o.dryRun);
  const postgres = new Map<PostgresRetention, PgPlannedExpiry[]>();
  try {
    const warehouse = new Map<WarehouseRetention, PlannedDelete[]>();
    for (const w of session.warehouses) warehouse.set(w, await w.plan(o.cutoffs, retention.gold_tables, notes));
    for (const { id, type: _type, ...options } of cfg.sinks.filter((e) => e.type === 'postgres')) {
      const r = await PostgresRetention.open(id, options, loaded.baseDir, policies.outputDatasets);
      postgres.set(r, []); // closed with the plan even if planning fails
      postgres.set(r, await r.plan(o.cutoffs, retention.gold_tables, notes));
    }
    const bronze = await planBronzeExpiry(d.control, d.bronze, cfg.name, o.cutoffs.bronze);
    const input = { pipeline: cfg.name, requestId: o.requestId, dryRun: o.dryRun, cutoffs: o.cutoffs, cold, bronze, lake, notes };
    const report = buildLifecycleReport({ ...input, warehouse: [...[...warehouse.values()].flat().map(reportedDelete), ...[...postgres.values()].flat().map(reportedPgExpiry)] });
    return { cold, lake, bronze, session, warehouse, postgres, input, report };
  } catch (err) {
    await closePlan({ session, postgres });
    throw err;
  }
}
