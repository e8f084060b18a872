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
import { loadPipelineFile, resolveConfigSecrets, type LoadedPipeline } from '../../config/load-config.js';
import { isTributaryError } from '../../core/errors.js';
import { openDeployment, type Deployment } from '../../engine/bootstrap.js';
import { registry } from '../../engine/registry.js';
import { acquireRunLock } from '../../engine/runtime/run-lock.js';
import type { AuditEvent } from '../../security/audit/audit-trail.js';
import type { DataKeys } from '../../security/vault/data-keys.js';
import { bronzeIntentFile, expireBronze, finishBronzeExpiry } from './bronze-retention.js';
import { buildLifecycleReport } from './build-lifecycle-report.js';
import { expireLake } from './lake-retention.js';
import type { LifecycleReport, WarehouseTableExpiry } from './lifecycle-report.js';
import { closePlan, planLifecycle, reportedDelete, reportedPgExpiry, type LifecyclePlan, type ResolvedPipeline } from './plan-lifecycle.js';
import { retentionCutoffs } from './retention-cutoffs.js';

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

/** Records one `lifecycle.<action>` event of the current run. */
type Audit = (action: string, outcome: AuditEvent['outcome'], details: Record<string, unknown>, privileged?: boolean) => Promise<void>;

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
    const cfg = await resolveConfigSecrets(loaded, d.vault, { actor, pipeline: loaded.config.name }) as unknown as ResolvedPipeline;
    const lock = acquireRunLock(d.dataDir, cfg.name);
    try {
      return await lifecycleLocked(loaded, cfg, d, opts, actor);
    } finally { lock.release(); }
  } finally {
    await d.close();
  }
}

async function lifecycleLocked(loaded: LoadedPipeline, cfg: ResolvedPipeline, d: Deployment, opts: LifecycleOptions, actor: string): Promise<LifecycleReport> {
  const dryRun = opts.dryRun ?? false;
  const cutoffs = retentionCutoffs(cfg.retention, opts.at ?? new Date());
  const requestId = randomUUID();
  const changeId = `lifecycle-${requestId.replaceAll('-', '').slice(0, 12)}`;
  const audit: Audit = (action, outcome, details, privileged = false) =>
    d.audit.record({ actor, target: cfg.name, requestId, action: `lifecycle.${action}`, outcome, details }, { privileged });
  await audit('run', 'attempt', { dryRun, cutoffs, retention: { ...cfg.retention } }, true);
  const step = { name: 'plan' };
  let plan: LifecyclePlan | undefined;
  try {
    plan = await planLifecycle(loaded, cfg, d, { cutoffs, requestId, changeId, dryRun });
    const report = dryRun ? plan.report : await applyPlan(plan, cfg.name, changeId, d, opts.compact ?? false, audit, step);
    await audit('run', 'ok', { dryRun, ...report.totals }, true);
    return report;
  } catch (err) {
    const code = isTributaryError(err) ? err.code : 'TRB_INTERNAL';
    if (step.name !== 'plan') await audit(step.name, 'error', { error: code });
    await audit('run', 'error', { dryRun, step: step.name, error: code });
    throw err;
  } finally {
    if (plan) await closePlan(plan);
  }
}

/** Expires the lake, then the warehouse, then bronze, each audited; `step.name` follows the layer being changed. */
async function applyPlan(plan: LifecyclePlan, pipeline: string, changeId: string, d: Deployment, compact: boolean, audit: Audit, step: { name: string }): Promise<LifecycleReport> {
  const t = plan.report.totals;
  step.name = 'lake';
  const lakeCounts = { partitions: t.lakePartitions, files: t.lakeFiles, rows: t.lakeRows, bytes: t.lakeBytes };
  await audit('lake', 'attempt', { ...lakeCounts, cold: plan.cold !== null });
  const moved = await expireLake(d.control, pipeline, changeId, plan.lake, plan.cold);
  await audit('lake', 'ok', { ...lakeCounts, moved: moved.length, byArea: countBy(plan.report.lake, (p) => p.area) });

  step.name = 'warehouse';
  const deleted: WarehouseTableExpiry[] = [];
  const compacted: string[] = [];
  await audit('warehouse', 'attempt', { compact, tables: tableCounts(plan.report.warehouse) });
  for (const [w, planned] of plan.warehouse) {
    const r = await w.apply(planned, compact);
    for (const e of planned) deleted.push({ ...reportedDelete(e), rows: r.deleted.get(e.table) ?? 0 });
    if (r.compacted) compacted.push(w.target.path);
  }
  for (const [r, planned] of plan.postgres) {
    const removed = await r.apply(planned);
    for (const e of planned) deleted.push({ ...reportedPgExpiry(e), rows: removed.get(e.table) ?? 0 });
  }
  await audit('warehouse', 'ok', { compacted: compacted.length, tables: tableCounts(deleted) });

  step.name = 'bronze';
  const bronzeCounts = { segments: plan.report.bronze.segments, objects: plan.report.bronze.objects, bytes: plan.report.bronze.bytes };
  await audit('bronze', 'attempt', bronzeCounts);
  const intent = bronzeIntentFile(d.dataDir, pipeline);
  const recovered = await finishBronzeExpiry(d.control, d.bronze, intent);
  await expireBronze(d.control, d.bronze, pipeline, plan.bronze, intent);
  await audit('bronze', 'ok', { ...bronzeCounts, recovered });
  return buildLifecycleReport({ ...plan.input, warehouse: deleted, compacted });
}

const tableCounts = (tables: readonly WarehouseTableExpiry[]): Record<string, number> => Object.fromEntries(tables.map((w) => [`${w.sink}.${w.table}`, w.rows]));

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}
