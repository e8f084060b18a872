/** The benchmark's result object (`--json`) and its human rendering. */
import type { StageSummary } from '../src/engine/runtime/run-summary.js';
import type { MalformedCounts } from '../src/generator/index.js';
import type { MachineInfo } from './machine-info.js';
import type { ParseThroughput } from './parse-throughput.js';
import type { WatchLatency } from './watch-latency.js';

/** The GoAccess side of the comparison; `ratio` = Tributary lines/s ÷ GoAccess lines/s. */
export interface GoAccessReport {
  readonly version: string;
  readonly seconds: number;
  readonly lines_per_sec: number;
  readonly peak_rss_mb: number | null;
  readonly ratio: number;
  /** GoAccess's valid / failed request counts for the same file (compare with landed / quarantined). */
  readonly valid_requests: number | null;
  readonly failed_requests: number | null;
}

/** Everything one bench run measured (the `--json` object). */
export interface BenchReport {
  readonly command: string;
  readonly machine: MachineInfo;
  readonly input: {
    readonly file: string;
    readonly lines: number;
    readonly bytes: number;
    readonly cached: boolean;
    readonly malformed: MalformedCounts;
    /** Quarantine count a correct pipeline produces: `min` if truncated_tail lines are kept (lenient parser), `max` if rejected. */
    readonly expected_quarantined: { readonly min: number; readonly max: number };
  };
  /** Generator throughput when the input was generated in this run, else null. */
  readonly generator: { readonly seconds: number; readonly lines_per_sec: number; readonly mb_per_sec: number } | null;
  readonly lines: number;
  readonly bytes: number;
  /** Wall seconds of the pipeline run (runPipelineFile call). */
  readonly seconds: number;
  readonly lines_per_sec: number;
  readonly mb_per_sec: number;
  /** Peak RSS sampled every 50 ms during the run, and the process lifetime peak from the kernel. */
  readonly peak_rss_mb: number;
  readonly max_rss_mb: number;
  readonly run: {
    readonly status: string;
    readonly workers: number;
    /** `engine.bronze.encryption` of the run. */
    readonly bronze_encryption: string;
    /** Whether the geoip, useragent and privacy stages ran. */
    readonly enrich: boolean;
    readonly parsed: number;
    readonly quarantined: number;
    readonly quarantine_by_reason: Readonly<Record<string, number>>;
    readonly duplicates: number;
    readonly landed: number;
    readonly commits: number;
    readonly engine_seconds: number;
  } | null;
  readonly stages: Readonly<Record<string, StageSummary>>;
  readonly timings: Readonly<Record<string, number>>;
  readonly goaccess: GoAccessReport | null;
  readonly watch: WatchLatency | null;
  readonly parse_only: ParseThroughput | null;
}

const n0 = (x: number): string => Math.round(x).toLocaleString('en-US');
const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);

/** Renders the report as aligned text lines for a terminal. */
export function renderBenchReport(r: BenchReport): string {
  const out: string[] = [];
  const row = (k: string, v: string): void => { out.push(`  ${k.padEnd(26)} ${v}`); };
  out.push(`Tributary benchmark — ${r.machine.cpu}, ${r.machine.nproc} CPUs, ${r.machine.mem_gb} GB, Node ${r.machine.node}`);
  out.push(`Input: ${r.input.file} (${n0(r.input.lines)} lines, ${f1(r.input.bytes / 1e6)} MB${r.input.cached ? ', cached' : ''})`);
  if (r.generator) row('generator', `${n0(r.generator.lines_per_sec)} lines/s, ${f1(r.generator.mb_per_sec)} MB/s (${f2(r.generator.seconds)} s)`);
  if (r.parse_only) {
    const p = r.parse_only;
    out.push('Parse only (worker threads, no sinks):');
    row('throughput', `${n0(p.lines_per_sec)} lines/s, ${f1(p.mb_per_sec)} MB/s with ${p.workers} workers (${f2(p.seconds)} s)`);
    row('parsed / rejected', `${n0(p.parsed)} / ${n0(p.rejected)}`);
    row('worker CPU', `parse ${f2(p.parse_cpu_seconds)} s, split+encode ${f2(p.split_encode_cpu_seconds)} s`);
  }
  if (r.run) {
    out.push('Pipeline (files → parse → validate → dedupe → lake + duckdb):');
    row('throughput', `${n0(r.lines_per_sec)} lines/s, ${f1(r.mb_per_sec)} MB/s (${f2(r.seconds)} s, ${r.run.workers} workers, bronze encryption ${r.run.bronze_encryption})`);
    row('peak RSS', `${f1(r.peak_rss_mb)} MB sampled, ${f1(r.max_rss_mb)} MB process lifetime`);
    row('status', `${r.run.status}: landed ${n0(r.run.landed)}, quarantined ${n0(r.run.quarantined)}, duplicates ${n0(r.run.duplicates)}, ${r.run.commits} commits`);
    const e = r.input.expected_quarantined;
    const ok = r.run.quarantined >= e.min && r.run.quarantined <= e.max;
    row('quarantine check', `${ok ? 'ok' : 'MISMATCH'}: generator wrote ${n0(e.min)}–${n0(e.max)} lines that must be quarantined (${Object.entries(r.run.quarantine_by_reason).map(([k, v]) => `${k} ${n0(v)}`).join(', ')})`);
    for (const [id, s] of Object.entries(r.stages)) {
      row(`stage ${id}`, `${f2(s.seconds)} s CPU  in ${n0(s.in)} passed ${n0(s.passed)} rejected ${n0(s.rejected)} filtered ${n0(s.filtered)}`);
    }
    for (const [k, v] of Object.entries(r.timings)) row(`phase ${k}`, `${f2(v)} s`);
  }
  if (r.goaccess) {
    const g = r.goaccess;
    out.push(`GoAccess ${g.version} (same file, same run):`);
    row('throughput', `${n0(g.lines_per_sec)} lines/s (${f2(g.seconds)} s)${g.peak_rss_mb === null ? '' : `, peak RSS ${f1(g.peak_rss_mb)} MB`}`);
    row('Tributary ÷ GoAccess', `${f2(g.ratio)}×`);
    if (g.valid_requests !== null) row('GoAccess counts', `valid ${n0(g.valid_requests)}, failed ${n0(g.failed_requests ?? 0)}`);
  }
  if (r.watch) {
    const w = r.watch;
    out.push(`Watch latency (${w.appends} single-line appends, ${w.seen} seen; ${w.settings}):`);
    row('append → queryable', `p50 ${n0(w.p50_ms)} ms, p95 ${n0(w.p95_ms)} ms, max ${n0(w.max_ms)} ms`);
    row('append → commit', `p50 ${n0(w.commit_p50_ms)} ms, p95 ${n0(w.commit_p95_ms)} ms (${w.commits} commits)`);
  }
  return out.join('\n');
}
