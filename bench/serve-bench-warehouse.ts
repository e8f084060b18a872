/**
 * The warehouse of `npm run bench:serve`: generated nginx access logs run through the real pipeline
 * (parse → validate → dedupe → every enrichment → privacy → DuckDB, `user_agent` encrypted, gold
 * models built after the run), like test/helpers/rbac-warehouse.ts but at benchmark size.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { PiiClass } from '../src/core/pii.js';
import { generateAccessLog } from '../src/generator/index.js';
import { runPipelineFile } from '../src/engine/runtime/run-pipeline.js';
import { connectUtc } from '../src/sinks/_shared/duckdb-values.js';
import { ENRICHED_STAGES, logPipeline } from '../test/helpers/log-pipeline.js';

/** A built benchmark warehouse. */
export interface ServeBenchWarehouse {
  /** The pipeline's data directory (control store, vault, lake). */
  readonly dataDir: string;
  /** `<dataDir>/warehouse.duckdb`. */
  readonly warehouse: string;
  /** Column classifications of the run (the secure engine's PII source). */
  readonly columns: Readonly<Record<string, PiiClass>>;
  /** Rows of `requests`. */
  readonly rows: number;
  /** The busiest whole day in the data (`YYYY-MM-DD`), and the first day of the week around it. */
  readonly day: string;
  readonly weekStart: string;
}

/**
 * Generates `lines` lines (seed 11, nginx_main, over `days` days) into `dir/logs` and runs the
 * pipeline into `dir/data`. XDG_CONFIG_HOME must point at a throwaway directory (the vault's keys).
 * Throws when the run does not succeed.
 */
export async function buildServeBenchWarehouse(dir: string, lines: number, days = 7): Promise<ServeBenchWarehouse> {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  await generateAccessLog({ lines, seed: 11, format: 'nginx_main', malformedRatio: 0, start: new Date('2026-03-02T00:00:00Z'), days }, join(dir, 'logs', 'a.log'));
  const stages = ['validate', 'dedupe', ...ENRICHED_STAGES, '  - type: encrypt\n    fields: [user_agent]\n'];
  writeFileSync(join(dir, 'p.yaml'), logPipeline({ name: 'servebench', format: 'nginx_main', stages, extra: 'gold:\n  after_run: true\n' }));
  const dataDir = join(dir, 'data');
  const run = await runPipelineFile(join(dir, 'p.yaml'), { dataDir, workers: 2 });
  if (run.status !== 'succeeded') throw new Error(`bench pipeline failed: ${run.error?.message}`);
  const warehouse = join(dataDir, 'warehouse.duckdb');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await connectUtc(db);
  try {
    await conn.run(`ATTACH '${warehouse.replaceAll("'", "''")}' AS w (READ_ONLY)`);
    const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM w.main.requests')).getRows()[0]![0]);
    const [day, weekStart] = (await conn.runAndReadAll(
      'SELECT CAST(day AS VARCHAR), CAST(day - 3 AS VARCHAR) FROM w.main.fact_requests GROUP BY day ORDER BY count(*) DESC, day LIMIT 1',
    )).getRows()[0] as [string, string];
    return { dataDir, warehouse, columns: run.columns, rows, day, weekStart };
  } finally {
    conn.disconnectSync();
    db.closeSync();
  }
}
