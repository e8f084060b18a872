/**
 * `tributary demo`: the main job on the embedded default. Generates a realistic access log
 * (deterministic), runs examples/web-logs/pipeline.yaml on it and prints the run summary plus a few
 * answers from the warehouse.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { generateDemoLogs } from '../../generator/index.js';
import { openWarehouse } from '../../sinks/duckdb/warehouse.js';
import { formatTable } from '../output/format-table.js';
import { renderSummary } from '../output/print-summary.js';
import { packageRoot } from '../package-root.js';
import { exitCodeFor, runWithTerminal } from './run.js';

/** The questions the demo asks the warehouse once the run is done. */
export const DEMO_QUERIES: readonly { readonly title: string; readonly sql: string }[] = [
  { title: 'Top paths', sql: 'SELECT path, requests, round(error_rate * 100, 2) AS error_pct, p95_request_time_ms FROM top_paths ORDER BY requests DESC LIMIT 8' },
  { title: 'Status mix', sql: 'SELECT * FROM status_mix ORDER BY 1' },
  { title: 'Requests per hour (busiest 8 hours)', sql: 'SELECT hour, requests, errors FROM requests_per_hour ORDER BY requests DESC LIMIT 8' },
];

/** Registers `demo`. */
export function registerDemo(program: Command): void {
  program.command('demo')
    .description('Generate a realistic access log and run the web-logs pipeline on it (embedded, no server)')
    .option('--lines <n>', 'lines to generate', (v) => Number.parseInt(v, 10), 1_000_000)
    .option('--seed <n>', 'generator seed (same seed → same bytes)', (v) => Number.parseInt(v, 10), 42)
    .option('--dir <dir>', 'where logs and data go', 'tributary-demo')
    .option('--json', 'print the run summary and answers as JSON')
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', '\nRun it twice: the second run lands nothing new (checkpoints + dedupe).\nThen: tributary query "select * from top_paths limit 5"')
    .action(async (o: { lines: number; seed: number; dir: string; json?: boolean; progress: boolean }) => {
      const dir = resolve(o.dir);
      const logsDir = join(dir, 'logs');
      const marker = join(dir, 'logs.json');
      const wanted = JSON.stringify({ lines: o.lines, seed: o.seed });
      const say = (s: string): void => { if (!o.json) process.stderr.write(`${s}\n`); };
      if (!existsSync(marker) || readFileSync(marker, 'utf8') !== wanted) {
        say(`Generating ${o.lines.toLocaleString('en-US')} access-log lines (seed ${o.seed}) into ${logsDir} …`);
        mkdirSync(logsDir, { recursive: true });
        const g = await generateDemoLogs(logsDir, { lines: o.lines, seed: o.seed });
        writeFileSync(marker, wanted);
        say(`  ${g.files.length} files, ${(g.bytes / 1e6).toFixed(1)} MB`);
      } else say(`Reusing the generated logs in ${logsDir}`);
      process.env.WEB_LOGS_DIR = logsDir;
      const pipeline = join(packageRoot(), 'examples/web-logs/pipeline.yaml');
      say(`Running ${pipeline} …`);
      const summary = await runWithTerminal(pipeline, { dataDir: join(dir, 'data'), json: o.json ?? false, progress: o.progress, label: 'demo' });
      const answers: { title: string; columns: string[]; rows: unknown[][] }[] = [];
      const whPath = summary.locations.find((l) => l.type === 'duckdb')?.location.split('#')[0] ?? join(dir, 'data', 'warehouse.duckdb');
      if (summary.status !== 'failed' && existsSync(whPath)) {
        const wh = await openWarehouse(whPath, { readOnly: true });
        try {
          for (const q of DEMO_QUERIES) {
            const r = await wh.query(q.sql);
            answers.push({ title: q.title, columns: r.columns.map((c) => c.name), rows: r.rows as unknown[][] });
          }
        } finally { await wh.close(); }
      }
      if (o.json) process.stdout.write(`${JSON.stringify({ summary, answers }, null, 2)}\n`);
      else {
        process.stdout.write(`${renderSummary(summary)}\n`);
        for (const a of answers) process.stdout.write(`\n${pc.bold(a.title)}\n${formatTable(a)}\n`);
        process.stdout.write(`\nAsk your own: tributary query --db ${whPath} "select * from top_clients limit 5"\n`);
      }
      process.exitCode = exitCodeFor(summary);
    });
}
