/** `tributary query "<sql>"`: SQL against the warehouse, as a table, CSV or JSON. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Validation } from '../../core/errors.js';
import { openWarehouse } from '../../sinks/duckdb/warehouse.js';
import { loadPipelineFile } from '../../config/load-config.js';
import { registry } from '../../engine/registry.js';
import { formatCsv, formatJsonLines, formatTable } from '../output/format-table.js';

/** Finds the warehouse file: --db, else the pipeline's duckdb sink, else $TRIBUTARY_DATA_DIR, else ./.tributary. */
export async function resolveWarehousePath(o: { db?: string; pipeline?: string }): Promise<string> {
  if (o.db) return resolve(o.db);
  if (o.pipeline) {
    const loaded = await loadPipelineFile(o.pipeline, registry);
    const sink = (loaded.config.sinks as readonly { type: string; path?: string }[]).find((s) => s.type === 'duckdb');
    if (!sink) throw Validation({ reason: `pipeline ${o.pipeline} has no duckdb sink`, field: 'pipeline' });
    return sink.path ? resolve(loaded.baseDir, sink.path) : join(loaded.dataDir, 'warehouse.duckdb');
  }
  const dataDir = process.env.TRIBUTARY_DATA_DIR;
  if (dataDir) return join(resolve(dataDir), 'warehouse.duckdb');
  const demo = resolve('tributary-demo/data/warehouse.duckdb');
  return existsSync(demo) && !existsSync(resolve('.tributary/warehouse.duckdb')) ? demo : resolve('.tributary/warehouse.duckdb');
}

/** Registers `query`. */
export function registerQuery(program: Command): void {
  program.command('query')
    .description('Run SQL against the warehouse (read-only)')
    .argument('<sql>', 'SQL statement, e.g. "select * from top_paths limit 10"')
    .option('-f, --format <format>', 'table | csv | json', 'table')
    .option('--json', 'same as --format json')
    .option('--db <file>', 'warehouse DuckDB file')
    .option('-p, --pipeline <file>', 'use the warehouse of this pipeline')
    .addHelpText('after', '\nViews: requests_per_hour, top_paths, status_mix, top_clients, quarantine_by_reason.\nExample: tributary query "select * from status_mix" --format csv')
    .action(async (sql: string, o: { format: string; json?: boolean; db?: string; pipeline?: string }) => {
      const format = o.json ? 'json' : o.format;
      if (!['table', 'csv', 'json'].includes(format)) throw Validation({ reason: `unknown format \`${format}\` (use table, csv or json)`, field: 'format' });
      const wh = await openWarehouse(await resolveWarehousePath(o), { readOnly: true });
      try {
        const res = await wh.query(sql);
        const rs = { columns: res.columns.map((c) => c.name), rows: res.rows };
        const text = format === 'csv' ? formatCsv(rs) : format === 'json' ? formatJsonLines(rs) : formatTable(rs);
        process.stdout.write(text.length ? `${text}\n` : '');
      } finally {
        await wh.close();
      }
    });
}
