/**
 * `npm run bench`: generates (or reuses) an Apache combined log, runs the reference pipeline on
 * it in-process (files → parse auto → validate → dedupe → lake + duckdb), samples peak RSS, runs
 * GoAccess on the same file when installed, and measures watch-mode latency. Options: see
 * BENCH_USAGE (`npm run bench -- --help`). Human report on stdout, or one JSON object with --json.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runPipelineFile } from '../src/engine/runtime/run-pipeline.js';
import type { RunSummary } from '../src/engine/runtime/run-summary.js';
import { expectedRejections } from '../src/generator/index.js';
import { ensureBenchInput } from './bench-input.js';
import { BENCH_USAGE, parseBenchArgs, type BenchOptions } from './bench-options.js';
import { writeBenchPipeline } from './bench-pipeline.js';
import { renderBenchReport, type BenchReport, type GoAccessReport } from './bench-report.js';
import { machineInfo } from './machine-info.js';
import { measureParseThroughput, type ParseThroughput } from './parse-throughput.js';
import { lifetimeMaxRss, startRssSampler } from './rss-sampler.js';
import { goaccessVersion, runGoAccess } from './run-goaccess.js';
import { measureWatchLatency, type WatchLatency } from './watch-latency.js';

const MB = 1e6;
const MIB = 2 ** 20;

async function runPipelinePhase(o: BenchOptions, inputRel: string, say: (s: string) => void): Promise<{ summary: RunSummary; seconds: number; peakRss: number }> {
  const dataDir = join(o.dir, 'run-data');
  rmSync(dataDir, { recursive: true, force: true });
  const file = writeBenchPipeline(o.dir, 'bench.yaml', { name: 'bench', include: inputRel, dataDir: 'run-data', bronzeEncryption: o.bronzeEncryption, enrich: o.enrich });
  say(`Running ${file} …`);
  let lastSay = 0;
  const sampler = startRssSampler(50);
  const t0 = performance.now();
  const summary = await runPipelineFile(file, {
    trigger: 'bench',
    dataDir,
    ...(o.workers === undefined ? {} : { workers: o.workers }),
    onProgress: (p) => {
      if (p.elapsedMs - lastSay < 2_000) return;
      lastSay = p.elapsedMs;
      say(`  ${p.linesRead.toLocaleString('en-US')} lines read, ${p.landed.toLocaleString('en-US')} landed (${(p.elapsedMs / 1000).toFixed(0)} s)`);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  return { summary, seconds, peakRss: sampler.stop() };
}

async function main(): Promise<void> {
  let o: BenchOptions | null;
  try {
    o = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${BENCH_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (o === null) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return;
  }
  const opts = o;
  const say = (s: string): void => { process.stderr.write(`${s}\n`); };
  mkdirSync(opts.dir, { recursive: true });
  say(`Preparing ${opts.lines.toLocaleString('en-US')} lines (seed ${opts.seed}) in ${opts.dir} …`);
  const input = await ensureBenchInput(opts.dir, opts.lines, opts.seed);
  const generator = input.cached ? null : { seconds: input.seconds, lines_per_sec: input.lines / input.seconds, mb_per_sec: input.bytes / MB / input.seconds };
  if (generator) say(`  generated ${(input.bytes / MB).toFixed(1)} MB at ${Math.round(generator.lines_per_sec).toLocaleString('en-US')} lines/s`);

  let parseOnly: ParseThroughput | null = null;
  let run: Awaited<ReturnType<typeof runPipelinePhase>> | null = null;
  let goaccess: GoAccessReport | null = null;
  let watch: WatchLatency | null = null;
  if (opts.parseOnly) {
    say('Measuring parse throughput on worker threads …');
    parseOnly = await measureParseThroughput(input.path);
  } else {
    run = await runPipelinePhase(opts, relative(opts.dir, input.path), say);
    const version = opts.goaccess ? goaccessVersion() : null;
    if (opts.goaccess && version === null) say('GoAccess is not on PATH: skipping the comparison (apt-get install goaccess).');
    if (version !== null) {
      say(`Running GoAccess ${version} on the same file …`);
      const g = await runGoAccess(input.path, input.lines, opts.dir, version);
      const ours = run.summary.linesRead / run.seconds;
      goaccess = { version, seconds: g.seconds, lines_per_sec: g.linesPerSec, peak_rss_mb: g.peakRssBytes === null ? null : g.peakRssBytes / MIB, ratio: ours / g.linesPerSec, valid_requests: g.validRequests, failed_requests: g.failedRequests };
    }
    if (opts.watch) {
      say(`Measuring watch latency (${opts.watchAppends} appends) …`);
      watch = (await measureWatchLatency(opts.dir, opts.watchAppends, opts.seed)).latency;
    }
  }
  if (!opts.keep) {
    for (const d of ['run-data', 'watch']) rmSync(join(opts.dir, d), { recursive: true, force: true });
  }
  const s = run?.summary;
  const report: BenchReport = {
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machineInfo(),
    input: {
      file: input.path, lines: input.lines, bytes: input.bytes, cached: input.cached, malformed: input.generator.malformed,
      expected_quarantined: { min: expectedRejections(input.generator.malformed), max: expectedRejections(input.generator.malformed) },
    },
    generator,
    lines: s?.linesRead ?? parseOnly?.lines ?? 0,
    bytes: s?.bytesRead ?? parseOnly?.bytes ?? 0,
    seconds: run?.seconds ?? parseOnly?.seconds ?? 0,
    lines_per_sec: run ? run.summary.linesRead / run.seconds : parseOnly?.lines_per_sec ?? 0,
    mb_per_sec: run ? run.summary.bytesRead / MB / run.seconds : parseOnly?.mb_per_sec ?? 0,
    peak_rss_mb: (run?.peakRss ?? 0) / MIB,
    max_rss_mb: lifetimeMaxRss() / MIB,
    run: s ? {
      status: s.status, workers: s.workers, bronze_encryption: o.bronzeEncryption, enrich: o.enrich, parsed: s.parsed, quarantined: s.quarantined,
      quarantine_by_reason: s.quarantineByReason, duplicates: s.duplicates, landed: s.landed,
      commits: s.commits, engine_seconds: s.seconds,
    } : null,
    stages: s?.stages ?? {},
    timings: s?.timings ?? {},
    goaccess,
    watch,
    parse_only: parseOnly,
  };
  process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${renderBenchReport(report)}\n`);
  if (s && s.status !== 'succeeded') {
    say(`The pipeline run ended with status ${s.status}${s.error ? `: ${s.error.code} ${s.error.message}` : ''}`);
    process.exitCode = 1;
  }
}

await main();
