/**
 * `generateAccessLog`: one deterministic access log (a single format per file) written to a
 * stream or a path, at well over a million lines per second.
 */
import type { Writable } from 'node:stream';
import type { AccessLogFormat } from './line-factory.js';
import { createLineSource, resolveWorkers } from './line-source.js';
import type { MalformedCounts } from './malformed-kinds.js';
import { emptyMalformedCounts } from './malformed-kinds.js';
import { openOutputFile } from './output-file.js';
import { createPrng } from './prng.js';

/** Relative weights of the two formats (they need not sum to 1). */
export interface FormatWeights {
  readonly apache_combined: number;
  readonly nginx_main: number;
}

/** Options shared by {@link generateAccessLog} and `generateDemoLogs`. */
export interface GenerateOptions {
  /** Exact number of lines to write (a non-negative integer); malformed and empty lines count. */
  readonly lines: number;
  /** PRNG seed; the same options and seed give byte-identical output. Default 42. */
  readonly seed?: number;
  /** First instant covered. Default 2026-11-01T00:00:00Z. */
  readonly start?: Date;
  /** Days covered; timestamps follow a diurnal curve over this window. Default 7. */
  readonly days?: number;
  /** Format weights. Default 0.5 / 0.5. A file always has one format: see {@link GenerateAccessLogOptions.format}. */
  readonly formats?: FormatWeights;
  /** Share of malformed lines in [0, 1] (see MALFORMED_KINDS). Default 0.004. */
  readonly malformedRatio?: number;
  /**
   * Worker threads generating blocks in parallel (the bytes do not depend on it). Default: up to
   * 4, one per core, from 300,000 lines on; 0 below that or on one core.
   */
  readonly workers?: number;
}

/** Options of {@link generateAccessLog}. */
export interface GenerateAccessLogOptions extends GenerateOptions {
  /** The file's format. Default: drawn once from `formats` with the seed. */
  readonly format?: AccessLogFormat;
  /** UTC offset of the timestamps in minutes. Default +60 for Apache, 0 for nginx. */
  readonly utcOffsetMinutes?: number;
}

/** What {@link generateAccessLog} wrote. */
export interface GenerateAccessLogResult {
  readonly format: AccessLogFormat;
  readonly lines: number;
  /** Uncompressed bytes. */
  readonly bytes: number;
  readonly malformed: MalformedCounts;
}

/** Defaults of {@link GenerateOptions}. */
export const GENERATE_DEFAULTS = Object.freeze({
  seed: 42,
  start: new Date('2026-11-01T00:00:00Z'),
  days: 7,
  formats: Object.freeze({ apache_combined: 0.5, nginx_main: 0.5 }) as FormatWeights,
  malformedRatio: 0.004,
});

/** Throws a RangeError naming the first invalid option. */
export function checkGenerateOptions(o: GenerateOptions): void {
  if (!Number.isSafeInteger(o.lines) || o.lines < 0) throw new RangeError(`generator: lines must be a non-negative integer, got ${o.lines}`);
  if (o.days !== undefined && !(o.days > 0)) throw new RangeError(`generator: days must be > 0, got ${o.days}`);
  if (o.malformedRatio !== undefined && !(o.malformedRatio >= 0 && o.malformedRatio <= 1)) throw new RangeError(`generator: malformedRatio must be in [0, 1], got ${o.malformedRatio}`);
  if (o.start !== undefined && Number.isNaN(o.start.getTime())) throw new RangeError('generator: start is an invalid Date');
  const f = o.formats;
  if (f !== undefined && !(f.apache_combined >= 0 && f.nginx_main >= 0 && f.apache_combined + f.nginx_main > 0)) throw new RangeError('generator: format weights must be >= 0 and not both 0');
}

/**
 * Writes `opts.lines` access-log lines to `out`: a Writable (left open; backpressure respected)
 * or a file path (created with its directories; gzip when it ends in `.gz`). Deterministic: no
 * clock, no Math.random. Rejects on invalid options (RangeError) or a stream error.
 */
export async function generateAccessLog(opts: GenerateAccessLogOptions, out: Writable | string): Promise<GenerateAccessLogResult> {
  checkGenerateOptions(opts);
  const seed = opts.seed ?? GENERATE_DEFAULTS.seed;
  const w = opts.formats ?? GENERATE_DEFAULTS.formats;
  const format = opts.format ?? (createPrng(seed, 999).next() * (w.apache_combined + w.nginx_main) < w.apache_combined ? 'apache_combined' : 'nginx_main');
  if (opts.lines === 0) {
    if (typeof out === 'string') await openOutputFile(out).close();
    return { format, lines: 0, bytes: 0, malformed: emptyMalformedCounts() };
  }
  const source = createLineSource({
    format,
    seed,
    stream: 0,
    start: opts.start ?? GENERATE_DEFAULTS.start,
    days: opts.days ?? GENERATE_DEFAULTS.days,
    lines: opts.lines,
    utcOffsetMinutes: opts.utcOffsetMinutes ?? (format === 'apache_combined' ? 60 : 0),
    malformedRatio: opts.malformedRatio ?? GENERATE_DEFAULTS.malformedRatio,
  }, resolveWorkers(opts.workers, opts.lines));
  const file = typeof out === 'string' ? openOutputFile(out) : null;
  try {
    const bytes = await source.writeTo(file?.stream ?? (out as Writable), opts.lines, file !== null);
    await file?.close();
    return { format, lines: opts.lines, bytes, malformed: source.malformed() };
  } catch (e) {
    await file?.abort();
    throw e;
  } finally {
    await source.close();
  }
}
