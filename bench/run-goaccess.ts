/**
 * Runs GoAccess on the benchmark input in the same run, as the peer to compare against:
 * `goaccess <file> --log-format=COMBINED -o <workdir>/report.json`, timed, with its peak RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One GoAccess run. */
export interface GoAccessResult {
  readonly version: string;
  readonly seconds: number;
  readonly linesPerSec: number;
  /** Peak RSS sampled from /proc every 50 ms (VmHWM), bytes; null when unavailable. */
  readonly peakRssBytes: number | null;
  readonly report: string;
  /** GoAccess's own counts from the report (`general`), null when the report cannot be read. */
  readonly validRequests: number | null;
  readonly failedRequests: number | null;
}

/** The GoAccess version line, or null when `goaccess` is not on PATH. */
export function goaccessVersion(): string | null {
  const r = spawnSync('goaccess', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return /GoAccess - (\d+(?:\.\d+)*)/.exec(r.stdout)?.[1] ?? r.stdout.split('\n')[0] ?? 'unknown';
}

const vmHwm = (pid: number): number | null => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
};

/**
 * Runs GoAccess over `file` (which has `lines` lines) writing `<workdir>/report.json`. Rejects
 * when it cannot start or exits non-zero (with its stderr in the message).
 */
export async function runGoAccess(file: string, lines: number, workdir: string, version: string): Promise<GoAccessResult> {
  const report = join(workdir, 'report.json');
  const t0 = performance.now();
  const child = spawn('goaccess', [file, '--log-format=COMBINED', '-o', report], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  let peak: number | null = null;
  const timer = setInterval(() => {
    const v = child.pid === undefined ? null : vmHwm(child.pid);
    if (v !== null) peak = Math.max(peak ?? 0, v);
  }, 50);
  try {
    const code = await new Promise<number | null>((res, rej) => {
      child.once('error', rej);
      child.once('exit', (c) => res(c));
    });
    if (code !== 0) throw new Error(`goaccess exited with ${code}: ${stderr.trim().slice(0, 500)}`);
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  let general: { valid_requests?: unknown; failed_requests?: unknown } = {};
  try {
    general = (JSON.parse(readFileSync(report, 'utf8')) as { general?: typeof general }).general ?? {};
  } catch { /* counts stay null */ }
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return { version, seconds, linesPerSec: lines / seconds, peakRssBytes: peak, report, validRequests: num(general.valid_requests), failedRequests: num(general.failed_requests) };
}
