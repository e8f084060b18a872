/** The `pii` tag of every output column of a pipeline (see core/pii.ts), for the run summary. */
import { classifyAfter, RAW_COLUMN_PII, type PiiClass } from '../../core/pii.js';
import { LINEAGE_COLUMNS, type RecordSchema } from '../../core/record.js';

type Entry = Readonly<Record<string, unknown>> & { readonly type: string };

/**
 * Tags of `schema`'s columns and the lineage columns after the pipeline's `privacy` and `encrypt`
 * stages, in stage order. `privacy` without `fields` applies its defaults (parsed config passed in).
 */
export function classifyColumns(schema: RecordSchema, stages: readonly Entry[]): Readonly<Record<string, PiiClass>> {
  const tags: Record<string, PiiClass> = {};
  for (const c of [...schema.columns, ...LINEAGE_COLUMNS]) tags[c.name] = RAW_COLUMN_PII[c.name] ?? 'none';
  for (const s of stages) {
    if (s.type === 'encrypt' && Array.isArray(s['fields'])) {
      for (const f of s['fields'] as string[]) if (f in tags) tags[f] = classifyAfter(tags[f] as PiiClass, 'encrypt');
    }
    if (s.type === 'privacy' && s['fields'] !== null && typeof s['fields'] === 'object') {
      for (const [f, p] of Object.entries(s['fields'] as Record<string, unknown>)) {
        const policy = typeof p === 'string' ? p : String((p as { policy?: unknown }).policy);
        if (f in tags) tags[f] = classifyAfter(tags[f] as PiiClass, policy);
      }
    }
  }
  return Object.freeze(tags);
}
