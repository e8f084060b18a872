/**
 * Generator throughput: `node dist/bench/generator-bench.js [lines] [file]` writes `lines`
 * (default 2,000,000) Apache combined lines to /dev/null (or `file`) with 0 (in-thread), 1, 2
 * and 4 worker threads, and prints wall lines/s, MB/s, the process CPU seconds and the peak
 * RSS (sampled every 50 ms; worker threads included) of each run.
 */
import { generateAccessLog } from '../src/generator/index.js';
import { startRssSampler } from './rss-sampler.js';

const lines = Number(process.argv[2] ?? 2_000_000);
const file = process.argv[3] ?? '/dev/null';
for (const workers of [0, 1, 2, 4]) {
  const rss = startRssSampler(50);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await generateAccessLog({ lines, seed: 42, format: 'apache_combined', workers }, file);
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  process.stdout.write(`workers ${workers}: ${Math.round(lines / s).toLocaleString('en-US')} lines/s, ${(r.bytes / 1e6 / s).toFixed(0)} MB/s, ${s.toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU (all threads), peak RSS ${(rss.stop() / 2 ** 20).toFixed(0)} MB\n`);
}
