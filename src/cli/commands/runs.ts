/** `tributary runs`: recent runs recorded in a data directory's control store. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openDeployment } from '../../engine/bootstrap.js';
import { formatTable } from '../output/format-table.js';

/** Registers `runs`. */
export function registerRuns(program: Command): void {
  program.command('runs')
    .description('List recent pipeline runs (status, counts, errors)')
    .option('--data-dir <dir>', 'data directory', process.env.TRIBUTARY_DATA_DIR ?? '.tributary')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('-n, --limit <n>', 'how many', (v) => Number.parseInt(v, 10), 20)
    .option('--json', 'print JSON')
    .action(async (o: { dataDir: string; pipeline?: string; limit: number; json?: boolean }) => {
      const d = await openDeployment(resolve(o.dataDir));
      try {
        const runs = await d.control.listRuns({ ...(o.pipeline ? { pipeline: o.pipeline } : {}), limit: o.limit });
        if (o.json) { process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`); return; }
        const rows = runs.map((r) => {
          const c = (r.counts ?? {}) as { linesRead?: number; landed?: number; quarantined?: number };
          return [r.id, r.pipeline, r.status, r.started_at, c.linesRead ?? null, c.landed ?? null, c.quarantined ?? null, r.error_code ?? ''];
        });
        process.stdout.write(`${formatTable({ columns: ['run', 'pipeline', 'status', 'started', 'lines', 'landed', 'quarantined', 'error'], rows })}\n`);
      } finally { await d.close(); }
    });
}
