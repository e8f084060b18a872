/** The run summary: what the CLI prints, the bench measures and the run record stores. */
import type { GoldReport } from '../../models/build-gold.js';
import type { SinkLocation } from '../../core/component.js';
import type { StageCounts } from '../../core/counts.js';
import type { PiiClass } from '../../core/pii.js';

/** Counts and time of one stage over a run. */
export interface StageSummary extends StageCounts {
  /** CPU seconds spent in the stage, summed over worker threads. */
  readonly seconds: number;
}

/** The outcome of one pipeline run. */
export interface RunSummary {
  readonly runId: string;
  readonly pipeline: string;
  readonly status: 'succeeded' | 'failed' | 'gate_failed' | 'interrupted';
  readonly startedAt: string;
  readonly seconds: number;
  readonly linesRead: number;
  readonly bytesRead: number;
  /** Records the parse stage produced. */
  readonly parsed: number;
  readonly quarantined: number;
  readonly quarantineByReason: Readonly<Record<string, number>>;
  /** Records dropped on purpose (empty lines, duplicates). */
  readonly filtered: number;
  readonly duplicates: number;
  /** Records that passed every stage and were committed to the sinks. */
  readonly landed: number;
  readonly commits: number;
  readonly linesPerSec: number;
  readonly mbPerSec: number;
  readonly stages: Readonly<Record<string, StageSummary>>;
  /** Wall or CPU seconds per phase: split, encode (worker CPU), bronze, sink:<id>, control, commit. */
  readonly timings: Readonly<Record<string, number>>;
  readonly locations: readonly SinkLocation[];
  readonly gate: { readonly maxInvalidRatio: number; readonly ratio: number; readonly passed: boolean };
  readonly workers: number;
  /** Format auto-detection per input (empty unless the parse stage uses `format: auto`). */
  readonly formats: readonly { readonly uri: string; readonly stream: string; readonly format: string; readonly confidence: number }[];
  /** The `pii` tag (none, pseudonymous, personal, sensitive) of every output column after this pipeline's privacy and encrypt stages. */
  readonly columns: Readonly<Record<string, PiiClass>>;
  /** Counters of the keyed stages by stage id (e.g. sessions opened, open at the end, evictions). */
  readonly keyed?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Reference data the stages used, by stage id (e.g. `geoip`: `databases` with build date and age in days). */
  readonly reference?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly error?: { readonly code: string; readonly message: string };
  /** The gold models refreshed after the run (`gold.after_run`), or why they failed. */
  readonly gold?: GoldReport | { readonly error: { readonly code: string; readonly message: string } };
}

/** Progress reported while a run goes on. */
export interface RunProgress {
  readonly linesRead: number;
  readonly bytesRead: number;
  readonly landed: number;
  readonly quarantined: number;
  readonly elapsedMs: number;
  /** Total input bytes when the sources know it (one-shot files), else undefined. */
  readonly totalBytes: number | undefined;
}

/** Reported after each commit (watch-mode latency is measured from it). */
export interface CommitInfo {
  readonly commitId: string;
  readonly rows: number;
  readonly lines: number;
  readonly rejected: number;
  readonly streams: ReadonlyMap<string, { readonly from: number; readonly to: number }>;
  readonly committedAt: number;
}
