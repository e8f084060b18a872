/**
 * The column classification the query engine masks by, read from the control store: every
 * pipeline's latest finished run records the `pii` tag of each output column in its summary
 * (engine/runtime/column-classification.ts). Where pipelines disagree on a column, the most
 * sensitive tag wins, so serving never unmasks what any pipeline classified as personal.
 */
import { PII_CLASSES, type PiiClass } from '../core/pii.js';
import type { RunRecord, RunQuery } from '../seams/control-store/control-store.js';

/** What {@link latestRunColumns} reads. */
export interface RunSource {
  listRuns(q?: RunQuery): Promise<readonly RunRecord[]>;
}

const rank = (c: PiiClass): number => PII_CLASSES.indexOf(c);
const isClass = (v: unknown): v is PiiClass => typeof v === 'string' && (PII_CLASSES as readonly string[]).includes(v);

/**
 * Output column → tag over the latest run with a summary of each pipeline (among the last
 * `scan` runs), or undefined when no run recorded columns yet (the engine then uses the raw tags).
 */
export async function latestRunColumns(runs: RunSource, scan = 200): Promise<Readonly<Record<string, PiiClass>> | undefined> {
  const seen = new Set<string>();
  const tags: Record<string, PiiClass> = {};
  for (const r of await runs.listRuns({ limit: scan })) {
    if (seen.has(r.pipeline)) continue;
    const columns = (r.counts as { columns?: unknown } | null)?.columns;
    if (columns === null || typeof columns !== 'object') continue;
    seen.add(r.pipeline);
    for (const [name, tag] of Object.entries(columns as Record<string, unknown>)) {
      if (!isClass(tag)) continue;
      const before = tags[name];
      if (before === undefined || rank(tag) > rank(before)) tags[name] = tag;
    }
  }
  return seen.size ? Object.freeze(tags) : undefined;
}
