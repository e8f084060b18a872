/**
 * Measures how long the lake and duckdb sinks take to load one large access-log batch (write +
 * commit), on a synthetic CSV in the engine's dialect. Not a test: prints numbers only.
 *
 *   node --import tsx src/sinks/measure-load.ts [rows=250000]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, Sink, SinkBatch, SinkContext } from '../core/component.js';
import { ACCESS_SCHEMA, LINEAGE_COLUMNS } from '../core/record.js';
import { LakeSink } from './lake/lake-sink.js';
import { DuckdbSink } from './duckdb/duckdb-sink.js';

const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148',
  'curl/8.5.0', 'Googlebot/2.1 (+http://www.google.com/bot.html)',
];
const PATHS = ['/', '/index.html', '/api/v1/orders', '/api/v1/users/42', '/static/app.js', '/login', '/wp-login.php'];

/** Writes an access CSV of `rows` rows (deterministic) and returns its path. */
export function writeAccessCsv(dir: string, rows: number): string {
  const header = [...ACCESS_SCHEMA.columns, ...LINEAGE_COLUMNS].map((c) => c.name).join(',');
  const out: string[] = [header];
  const t0 = Date.UTC(2024, 2, 5);
  let off = 0;
  for (let i = 0; i < rows; i++) {
    const d = new Date(t0 + i * 700);
    const ts = `${d.toISOString().slice(0, 19).replace('T', ' ')}.${String((i * 37) % 1_000_000).padStart(6, '0')}`;
    const status = [200, 200, 200, 304, 404, 500][i % 6]!;
    const row = [
      q(`10.${i % 256}.${(i >> 8) % 256}.${(i * 7) % 256}`), '', i % 50 === 0 ? q('alice') : '', ts, '0', q('GET'),
      q(PATHS[i % PATHS.length]!), i % 3 === 0 ? q(`id=${i}&q=a,b`) : '', q('HTTP/1.1'), String(status), String(100 + (i * 13) % 50_000),
      i % 2 === 0 ? q('https://example.com/?r="x"') : '', q(AGENTS[i % AGENTS.length]!), String((i % 997) / 3), i % 4 === 0 ? '' : String((i % 89) / 7),
      q('www.example.com'), '443', '', q('nginx_combined'), i % 10 === 0 ? q('{"h":"v"}') : '',
      q('stream-1'), String(off), String(i + 1), q('/var/log/nginx/access.log'),
    ];
    off += 230;
    out.push(row.join(','));
  }
  const path = join(dir, 'batch.csv');
  writeFileSync(path, `${out.join('\n')}\n`);
  return path;
}

async function time(label: string, sink: Sink, batch: SinkBatch): Promise<number> {
  await sink.open();
  const t = performance.now();
  const w = await sink.write(batch);
  const files = await sink.commit(batch.commitId);
  const ms = performance.now() - t;
  await sink.close();
  console.log(`${label}: ${w.written} rows in ${ms.toFixed(0)} ms (${Math.round(w.written / (ms / 1000))} rows/s), ${files.length} files`);
  return ms;
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 250_000);
  const dir = mkdtempSync(join(tmpdir(), 'trb-measure-'));
  try {
    const csvPath = writeAccessCsv(dir, rows);
    console.log(`CSV: ${rows} rows, ${(statSync(csvPath).size / 1e6).toFixed(1)} MB`);
    const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
    const ctx: SinkContext = { pipeline: 'measure', baseDir: dir, dataDir: dir, schema: ACCESS_SCHEMA, outputs: [], log };
    const batch = (id: string): SinkBatch => ({
      commitId: id, schema: ACCESS_SCHEMA, csvPath, rows, rejections: [],
      streams: new Map([['stream-1', { from: 0, to: rows * 230 }]]), outputs: [],
    });
    for (let run = 1; run <= 2; run++) {
      await time(`lake   run ${run}`, new LakeSink('lake', { path: join(dir, `lake${run}`), dataset: 'requests', compression: 'zstd', row_group_size: 122_880, memory_limit: '256MB' }, ctx), batch(`m-${run}`));
      await time(`duckdb run ${run}`, new DuckdbSink('wh', { path: join(dir, `wh${run}.duckdb`), table: 'requests', quarantine_table: 'quarantine', memory_limit: '256MB' }, ctx), batch(`m-${run}`));
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
