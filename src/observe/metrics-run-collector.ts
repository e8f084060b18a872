/**
 * Pipeline run metrics derived from the control store's run records: at each scrape, finished runs
 * not seen before by this process are added to the per-stage counters and the duration histogram;
 * the last-success gauge is set from the newest succeeded run per pipeline. Counters start from the
 * runs present at the first scrape (the most recent {@link RUN_WINDOW}) and only grow afterwards, as
 * Prometheus expects of counters (a restart resets them, which `rate()` handles).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RunQuery, RunRecord } from '../seams/control-store/control-store.js';

/** What the collector reads (the control store's `listRuns`). */
export interface RunMetricsSource {
  listRuns(q?: RunQuery): Promise<readonly RunRecord[]>;
}

/** Runs read per scrape (newest first). */
export const RUN_WINDOW = 500;

interface StageCountsLike { readonly in?: unknown; readonly passed?: unknown; readonly rejected?: unknown; readonly filtered?: unknown }

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** Registers the run metrics on `registry` and returns the function that refreshes them from `source`. */
export function createRunMetricsCollector(registry: Registry, source: RunMetricsSource): () => Promise<void> {
  const labelNames = ['pipeline', 'stage'] as const;
  const received = new Counter({ name: 'tributary_stage_received_records_total', help: 'Records into a stage, summed over finished runs.', labelNames, registers: [registry] });
  const sent = new Counter({ name: 'tributary_stage_sent_records_total', help: 'Records a stage passed on, summed over finished runs.', labelNames, registers: [registry] });
  const rejected = new Counter({ name: 'tributary_stage_rejected_records_total', help: 'Records a stage rejected to quarantine, summed over finished runs.', labelNames, registers: [registry] });
  const filtered = new Counter({ name: 'tributary_stage_filtered_records_total', help: 'Records a stage dropped on purpose (duplicates, empty lines).', labelNames, registers: [registry] });
  const runs = new Counter({ name: 'tributary_runs_total', help: 'Finished runs by pipeline and final status.', labelNames: ['pipeline', 'status'] as const, registers: [registry] });
  const seconds = new Histogram({
    name: 'tributary_run_duration_seconds', help: 'Wall time of finished runs.', labelNames: ['pipeline', 'status'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200], registers: [registry],
  });
  const lastSuccess = new Gauge({ name: 'tributary_run_last_success_timestamp_seconds', help: 'Unix time the newest succeeded run of the pipeline finished.', labelNames: ['pipeline'] as const, registers: [registry] });
  const seen = new Set<string>();
  const lastSeen = new Map<string, number>();
  return async () => {
    const list = await source.listRuns({ limit: RUN_WINDOW });
    const newestSuccess = new Map<string, number>();
    for (const r of list) {
      if (r.finished_at === null) continue;
      const finished = Date.parse(r.finished_at) / 1000;
      if (r.status === 'succeeded' && finished > (newestSuccess.get(r.pipeline) ?? 0)) newestSuccess.set(r.pipeline, finished);
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      runs.inc({ pipeline: r.pipeline, status: r.status });
      seconds.observe({ pipeline: r.pipeline, status: r.status }, Math.max(0, finished - Date.parse(r.started_at) / 1000));
      const stages = (r.counts as { stages?: Readonly<Record<string, StageCountsLike>> } | null)?.stages ?? {};
      for (const [stage, c] of Object.entries(stages)) {
        const labels = { pipeline: r.pipeline, stage };
        received.inc(labels, num(c.in));
        sent.inc(labels, num(c.passed));
        rejected.inc(labels, num(c.rejected));
        filtered.inc(labels, num(c.filtered));
      }
    }
    for (const [pipeline, t] of newestSuccess) {
      if (t > (lastSeen.get(pipeline) ?? 0)) { lastSeen.set(pipeline, t); lastSuccess.set({ pipeline }, t); }
    }
    // Bound memory: ids of runs that fell out of the window can no longer come back as new.
    if (seen.size > RUN_WINDOW * 4) {
      const keep = new Set(list.map((r) => r.id));
      for (const id of seen) if (!keep.has(id)) seen.delete(id);
    }
  };
}
