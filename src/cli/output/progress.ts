/**
 * Progress for long CLI work: a cli-progress bar on a terminal (bytes when the total is known,
 * else a running line count), a plain line every few seconds otherwise, nothing with --json.
 */
import cliProgress from 'cli-progress';
import type { RunProgress } from '../../engine/runtime/run-summary.js';

/** A progress reporter fed by the engine's onProgress callback. */
export interface ProgressReporter {
  update(p: RunProgress): void;
  stop(): void;
}

const mb = (n: number): string => (n / 1e6).toFixed(1);

/** Creates a reporter writing to stderr; `enabled=false` gives a no-op. */
export function createProgress(label: string, enabled: boolean): ProgressReporter {
  if (!enabled) return { update() {}, stop() {} };
  const stream = process.stderr;
  if (!stream.isTTY) {
    let last = 0;
    return {
      update(p) {
        if (Date.now() - last < 5000) return;
        last = Date.now();
        stream.write(`${label}: ${p.linesRead.toLocaleString('en-US')} lines, ${mb(p.bytesRead)} MB read, ${p.landed.toLocaleString('en-US')} landed\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({
    stream, hideCursor: true, clearOnComplete: true, etaBuffer: 50,
    format: `${label} [{bar}] {percentage}% | {lines} lines | {rate} lines/s | {mbDone}/{mbTotal} MB | ETA {eta_formatted}`,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  let lastDraw = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - lastDraw < 100) return;
      lastDraw = now;
      const total = p.totalBytes ?? Math.max(p.bytesRead, 1);
      const payload = { lines: p.linesRead.toLocaleString('en-US'), rate: Math.round(p.linesRead / Math.max(p.elapsedMs / 1000, 0.001)).toLocaleString('en-US'), mbDone: mb(p.bytesRead), mbTotal: p.totalBytes === undefined ? '?' : mb(total) };
      if (!started) { bar.start(total, p.bytesRead, payload); started = true; } else { bar.setTotal(total); bar.update(p.bytesRead, payload); }
    },
    stop() { if (started) bar.stop(); },
  };
}
