/**
 * `tributary lifecycle run` as a service: applies a pipeline's `retention:` to its bronze archive,
 * lake (silver and quarantine partitions) and warehouse (silver, quarantine and gold tables).
 * Steps: load the pipeline, open its deployment, take its run lock (no run writes meanwhile), record
 * a `lifecycle.run` attempt (privileged: a fail-closed audit log refuses here), plan every layer
 * (counts and bytes, nothing changed), then, unless a dry run, expire the lake, the warehouse and
 * bronze, each as a `lifecycle.<layer>` attempt and outcome with its counts, and record the run's
 * outcome.
 */
import { randomUUID } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { loadPipelineFile, resolveConfigSecrets, type LoadedPipeline } from '../../config/load-config.js';
import type { PipelineConfig } from '../../config/schema/pipeline.js';
import { isTributaryError } from '../../core/errors.js';
import { openDeployment, type Deployment } from '../../engine/bootstrap.js';
import { registry } from '../../engine/registry.js';
import { acquireRunLock } from '../../engine/runtime/run-lock.js';
import { erasureTargets } from '../../security/erase/erasure-targets.js';
import { readIdentifierPolicies } from '../../security/erase/identifier-policies.js';
import type { AuditEvent } from '../../security/audit/audit-trail.js';
import type { DataKeys } from '../../security/vault/data-keys.js';
import { bronzeIntentFile, expireBronze, finishBronzeExpiry, planBronzeExpiry } from './bronze-retention.js';
import { buildLifecycleReport } from './build-lifecycle-report.js';
import { ColdStorage } from './cold-storage.js';
import { expireLake, planLakeExpiry } from './lake-retention.js';
import type { LifecycleReport, WarehouseTableExpiry } from './lifecycle-report.js';
import { retentionCutoffs } from './retention-cutoffs.js';
import type { PlannedDelete } from './warehouse-retention.js';
import { WarehouseSession } from './warehouse-session.js';

/** How to run the lifecycle. */
export interface LifecycleOptions {
  /** Plan and report only; change nothing (still audited). */
  readonly dryRun?: boolean;
  /** Evaluate retention as of this time instead of now (previews, tests). */
  readonly at?: Date;
  /** Override the pipeline's data directory. */
  readonly dataDir?: string;
  /** Who runs it, as the audit log names it (the CLI passes `cli:<user>`). Default `engine`. */
  readonly actor?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Data keys instead of the deployment's vault (tests). */
  readonly keys?: DataKeys;
  /** Rewrite each warehouse file after deleting, so the expired rows' bytes are gone (default false). */
  readonly compact?: boolean;
}

type Entry = { readonly id: string; readonly type: string } & Readonly<Record<string, unknown>>;
type Resolved = Omit<PipelineConfig, 'stages' | 'sinks'> & { readonly stages: readonly Entry[]; readonly sinks: readonly Entry[] };

/** Loads `file` and runs the lifecycle (see {@link runLifecycle}). */
export async function lifecycleFromPipelineFile(file: string, opts: LifecycleOptions = {}): Promise<LifecycleReport> {
  return runLifecycle(await loadPipelineFile(file, registry, { env: opts.env ?? process.env }), opts);
}

/**
 * Applies the retention of `loaded` and returns the report. Throws `TRB_PIPELINE_BUSY` when a run
 * holds the pipeline, `TRB_AUDIT_WRITE_FAILED` when a fail-closed audit log cannot record the
 * attempt, and the `TRB_LIFECYCLE_*`, store and vault errors of the steps; every failure after the
 * attempt is audited.
 */
export async function runLifecycle(loaded: LoadedPipeline, opts: LifecycleOptions = {}): Promise<LifecycleReport> {
  const env = opts.env ?? process.env;
  const actor = opts.actor ?? 'engine';
  const d = await openDeployment(opts.dataDir ?? loaded.dataDir, env, opts.keys ? { keys: opts.keys } : {});
  try {
    const cfg = await resolveConfigSecrets(loaded, d.vault, { actor, pipeline: loaded.config.name }) as unknown as Resolved;
    const lock = acquireRunLock(d.dataDir, cfg.name);
    try {
      return await lifecycleLocked(loaded, cfg, d, opts, actor);
    } finally { lock.release(); }
  } finally {
    await d.close();
  }
}

async function lifecycleLocked(loaded: LoadedPipeline, cfg: Resolved, d: Deployment, opts: LifecycleOptions, actor: string): Promise<LifecycleReport> {
  const dryRun = opts.dryRun ?? false;
  const retention = cfg.retention;
  const cutoffs = retentionCutoffs(retention, opts.at ?? new Date());
  const requestId = randomUUID();
  const changeId = `lifecycle-${requestId.replaceAll('-', '').slice(0, 12)}`;
  const base = { actor, target: cfg.name, requestId } as const;
  const audit = (action: string, outcome: AuditEvent['outcome'], details: Record<string, unknown>, privileged = false): Promise<void> =>
    d.audit.record({ ...base, action: `lifecycle.${action}`, outcome, details }, { privileged });
  await audit('run', 'attempt', { dryRun, cutoffs, retention: { ...retention } }, true);
  let session: WarehouseSession | undefined;
  let step = 'plan';
  try {
    const policies = readIdentifierPolicies(cfg.stages, registry.stages);
    const targets = erasureTargets(cfg.sinks, registry.sinks, { baseDir: loaded.baseDir, dataDir: d.dataDir }, policies.outputDatasets);
    const coldRoot = retention.cold_storage === undefined ? undefined
      : isAbsolute(retention.cold_storage) ? retention.cold_storage : resolve(loaded.baseDir, retention.cold_storage);
    const cold = coldRoot === undefined ? null : new ColdStorage(coldRoot, cfg.name);
    const notes: string[] = [];
    if (targets.others.length > 0) notes.push(`Sinks not managed by lifecycle: ${targets.others.map((o) => `\`${o.id}\` (${o.type})`).join(', ')}.`);

    const lakePlan = await planLakeExpiry(d.control, cfg.name, targets.lakes, cutoffs);
    session = await WarehouseSession.open(targets.warehouses, join(d.stagingDir, changeId), dryRun);
    const planned = new Map<(typeof session.warehouses)[number], PlannedDelete[]>();
    for (const w of session.warehouses) planned.set(w, await w.plan(cutoffs, retention.gold_tables, notes));
    const bronzePlan = await planBronzeExpiry(d.control, d.bronze, cfg.name, cutoffs.bronze);
    const strip = ({ predicate: _p, ...e }: PlannedDelete): WarehouseTableExpiry => e;
    const input = { pipeline: cfg.name, requestId, dryRun, cutoffs, cold, bronze: bronzePlan, lake: lakePlan, notes };
    const plan = buildLifecycleReport({ ...input, warehouse: [...planned.values()].flat().map(strip) });
    if (dryRun) {
      await audit('run', 'ok', { dryRun, ...plan.totals }, true);
      return plan;
    }

    step = 'lake';
    const lakeCounts = { partitions: plan.totals.lakePartitions, files: plan.totals.lakeFiles, rows: plan.totals.lakeRows, bytes: plan.totals.lakeBytes };
    await audit('lake', 'attempt', { ...lakeCounts, cold: cold !== null });
    const moved = await expireLake(d.control, cfg.name, changeId, lakePlan, cold);
    await audit('lake', 'ok', { ...lakeCounts, moved: moved.length, byArea: countBy(plan.lake, (p) => p.area) });

    step = 'warehouse';
    const deleted: WarehouseTableExpiry[] = [];
    const compacted: string[] = [];
    const compact = opts.compact ?? false;
    await audit('warehouse', 'attempt', { compact, tables: Object.fromEntries(plan.warehouse.map((w) => [`${w.sink}.${w.table}`, w.rows])) });
    for (const [w, p] of planned) {
      const r = await w.apply(p, compact);
      for (const e of p) deleted.push({ ...strip(e), rows: r.deleted.get(e.table) ?? 0 });
      if (r.compacted) compacted.push(w.target.path);
    }
    await audit('warehouse', 'ok', { compacted: compacted.length, tables: Object.fromEntries(deleted.map((w) => [`${w.sink}.${w.table}`, w.rows])) });

    step = 'bronze';
    const bronzeCounts = { segments: plan.bronze.segments, objects: plan.bronze.objects, bytes: plan.bronze.bytes };
    await audit('bronze', 'attempt', bronzeCounts);
    const intent = bronzeIntentFile(d.dataDir, cfg.name);
    const recovered = await finishBronzeExpiry(d.control, d.bronze, intent);
    await expireBronze(d.control, d.bronze, cfg.name, bronzePlan, intent);
    await audit('bronze', 'ok', { ...bronzeCounts, recovered });

    const report = buildLifecycleReport({ ...input, warehouse: deleted, compacted });
    await audit('run', 'ok', { dryRun, ...report.totals }, true);
    return report;
  } catch (err) {
    const code = isTributaryError(err) ? err.code : 'TRB_INTERNAL';
    if (step !== 'plan') await audit(step, 'error', { error: code });
    await audit('run', 'error', { dryRun, step, error: code });
    throw err;
  } finally {
    await session?.close();
  }
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}
