/**
 * Where a run's memory goes: runs a pipeline in-process and reports the peak RSS with the main
 * thread's V8 heap and external buffers at that moment (worker threads and DuckDB are the rest).
 *
 *   npm run build && node dist/bench/memory-probe.js <pipeline.yaml> [data-dir]
 */
import { rmSync } from 'node:fs';
import { runPipelineFile } from '../src/engine/runtime/run-pipeline.js';

const [file, dataDir = 'bench/out/memory-probe-data'] = process.argv.slice(2);
if (!file) { console.error('usage: memory-probe <pipeline.yaml> [data-dir]'); process.exit(1); }
rmSync(dataDir, { recursive: true, force: true });
let peak = process.memoryUsage();
const timer = setInterval(() => { const m = process.memoryUsage(); if (m.rss > peak.rss) peak = m; }, 50);
const summary = await runPipelineFile(file, { dataDir, trigger: 'bench' });
clearInterval(timer);
const mb = (n: number): number => Math.round(n / 1048576);
console.log(JSON.stringify({
  status: summary.status, seconds: summary.seconds, lines: summary.linesRead, workers: summary.workers,
  peak_rss_mb: mb(peak.rss), main_heap_total_mb: mb(peak.heapTotal), main_heap_used_mb: mb(peak.heapUsed),
  external_mb: mb(peak.external), array_buffers_mb: mb(peak.arrayBuffers),
}));
