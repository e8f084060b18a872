/**
 * Model tests, declared in YAML next to the models (`tests.yml`): each is a query returning the
 * rows that break an expectation, passing when it returns none.
 *
 * ```yaml
 * tests:
 *   - { model: fact_requests, not_null: [day, endpoint_key] }
 *   - { model: dim_endpoint, unique: [endpoint_key] }
 *   - { model: fact_requests, accepted_values: { column: status_class, values: [2xx, 3xx, 4xx, 5xx, 1xx, other] } }
 *   - { model: fact_requests, relationships: { column: endpoint_key, to: dim_endpoint, field: endpoint_key } }
 *   - { model: dim_date, row_count: { min: 1, max: 100000 } }
 *   - { name: no negative bytes, sql: "select * from fact_requests where bytes_sent < 0" }
 * ```
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { quoteIdent, quoteLiteral, sqlIdentifier } from '../sinks/_shared/sql.js';
import { ModelInvalid } from './errors.js';
import type { GoldWarehouse } from './gold-warehouse.js';

const ident = sqlIdentifier();

/** One declared test (exactly one kind per entry). */
export const ModelTestSpec = z.strictObject({
  name: z.string().optional(),
  model: ident.optional(),
  not_null: z.array(ident).optional(),
  unique: z.array(ident).optional(),
  accepted_values: z.strictObject({ column: ident, values: z.array(z.union([z.string(), z.number()])).min(1) }).optional(),
  relationships: z.strictObject({ column: ident, to: ident, field: ident }).optional(),
  row_count: z.strictObject({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() }).optional(),
  sql: z.string().min(1).optional(),
});

/** A parsed {@link ModelTestSpec}. */
export type ModelTestSpec = z.infer<typeof ModelTestSpec>;

/** A test ready to run: its name and the query counting failing rows. */
export interface ModelTest {
  readonly name: string;
  readonly model: string | null;
  readonly sql: string;
}

/** The outcome of one test. */
export interface ModelTestResult {
  readonly name: string;
  readonly model: string | null;
  readonly passed: boolean;
  readonly failures: number;
  readonly error?: string;
}

/** Parses a tests file. Throws `TRB_SCHEMA_MODEL_INVALID` naming the file and entry. */
export function parseModelTests(file: string, text: string): ModelTest[] {
  const doc = (parseYaml(text) ?? {}) as { tests?: unknown };
  const parsed = z.strictObject({ tests: z.array(ModelTestSpec).default([]) }).safeParse(doc);
  if (!parsed.success) throw ModelInvalid({ model: 'tests', file, reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  return parsed.data.tests.flatMap((t, i) => expand(t, file, i));
}

function expand(t: ModelTestSpec, file: string, i: number): ModelTest[] {
  const m = t.model;
  const need = (): string => m ?? (() => { throw ModelInvalid({ model: 'tests', file, reason: `tests[${i}] needs \`model\`` }); })();
  const tbl = (): string => quoteIdent(need());
  const out: ModelTest[] = [];
  for (const c of t.not_null ?? []) out.push({ name: t.name ?? `${m}.${c} not_null`, model: m ?? null, sql: `SELECT count(*) FROM ${tbl()} WHERE ${quoteIdent(c)} IS NULL` });
  for (const c of t.unique ?? []) out.push({ name: t.name ?? `${m}.${c} unique`, model: m ?? null, sql: `SELECT count(*) FROM (SELECT ${quoteIdent(c)} FROM ${tbl()} WHERE ${quoteIdent(c)} IS NOT NULL GROUP BY 1 HAVING count(*) > 1) AS dup` });
  if (t.accepted_values) {
    const { column, values } = t.accepted_values;
    out.push({ name: t.name ?? `${m}.${column} accepted_values`, model: m ?? null,
      sql: `SELECT count(*) FROM ${tbl()} WHERE ${quoteIdent(column)} IS NOT NULL AND CAST(${quoteIdent(column)} AS VARCHAR) NOT IN (${values.map((v) => quoteLiteral(String(v))).join(', ')})` });
  }
  if (t.relationships) {
    const { column, to, field } = t.relationships;
    out.push({ name: t.name ?? `${m}.${column} → ${to}.${field}`, model: m ?? null,
      sql: `SELECT count(*) FROM ${tbl()} AS a WHERE a.${quoteIdent(column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(to)} AS b WHERE b.${quoteIdent(field)} = a.${quoteIdent(column)})` });
  }
  if (t.row_count) {
    const { min, max } = t.row_count;
    const cond = [min === undefined ? null : `n < ${min}`, max === undefined ? null : `n > ${max}`].filter(Boolean).join(' OR ') || 'false';
    out.push({ name: t.name ?? `${m} row_count`, model: m ?? null, sql: `SELECT CASE WHEN ${cond} THEN 1 ELSE 0 END FROM (SELECT count(*) AS n FROM ${tbl()}) AS total` });
  }
  if (t.sql) out.push({ name: t.name ?? `custom #${i + 1}`, model: m ?? null, sql: `SELECT count(*) FROM (${t.sql.replace(/;\s*$/, '')}) AS failing` });
  if (out.length === 0) throw ModelInvalid({ model: 'tests', file, reason: `tests[${i}] declares no test` });
  return out;
}

/** Runs `tests` in `wh` (a test's SQL is in the warehouse's dialect); a test whose query errors counts as failed with the error. */
export async function runModelTests(wh: GoldWarehouse, tests: readonly ModelTest[]): Promise<ModelTestResult[]> {
  const out: ModelTestResult[] = [];
  for (const t of tests) {
    try {
      const failures = Number((await wh.rows(t.sql))[0]?.[0] ?? 0);
      out.push({ name: t.name, model: t.model, passed: failures === 0, failures });
    } catch (err) {
      out.push({ name: t.name, model: t.model, passed: false, failures: -1, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
