/** Command-line options of `npm run bench` (bench/bench.ts). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** Parsed bench options. */
export interface BenchOptions {
  /** Lines to generate and run through the pipeline. */
  readonly lines: number;
  readonly seed: number;
  /** Print one JSON object on stdout instead of the human report. */
  readonly json: boolean;
  /** Work directory (input cache, pipeline files, data). */
  readonly dir: string;
  /** Keep the data directories after the run (the input cache is always kept). */
  readonly keep: boolean;
  /** Run GoAccess on the same file when it is on PATH. */
  readonly goaccess: boolean;
  /** Measure watch-mode latency. */
  readonly watch: boolean;
  /** Appends in the watch-latency test. */
  readonly watchAppends: number;
  /** Only measure parsing (worker threads), no pipeline run, no GoAccess, no watch. */
  readonly parseOnly: boolean;
  /** `engine.bronze.encryption` of the measured pipeline (default `auto`: age with the vault). */
  readonly bronzeEncryption: 'auto' | 'age' | 'none';
  /** Run the pipeline with the enrichment, keyed and privacy stages (geoip, useragent, threat, sessions, behavior, privacy). */
  readonly enrich: boolean;
  /** Worker threads of the measured run (undefined = the pipeline's `auto`). */
  readonly workers?: number;
}

/** Usage text printed for `--help` and on a bad option. */
export const BENCH_USAGE = `Usage: npm run bench -- [options]
  --lines N          lines to generate (default 2000000, about 500 MB)
  --seed N           generator seed (default 42)
  --json             print one JSON object with the results
  --dir DIR          work directory (default bench/out)
  --keep             keep the pipeline data directories after the run
  --no-goaccess      skip the GoAccess comparison
  --no-watch         skip the watch-mode latency test
  --watch-appends N  appends in the watch-latency test (default 100)
  --parse-only       measure parse throughput only (worker threads)
  --bronze-encryption auto|age|none   bronze archive encryption (default auto: age through the vault)
  --workers N        worker threads of the measured run (default: engine.workers auto = cores - 1)
  --enrich           add the geoip, useragent, threat, sessions, behavior and privacy stages to the measured pipeline`;

const int = (name: string, v: string | undefined, dflt: number, min: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`--${name} must be an integer >= ${min}, got ${v}`);
  return n;
};

/**
 * Parses `argv` (without node and script). Throws a RangeError or TypeError (from parseArgs) on
 * an unknown option or a bad value; returns null when `--help` was given.
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | null {
  const { values: v } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      lines: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      dir: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'no-goaccess': { type: 'boolean', default: false },
      'no-watch': { type: 'boolean', default: false },
      'watch-appends': { type: 'string' },
      'parse-only': { type: 'boolean', default: false },
      'bronze-encryption': { type: 'string', default: 'auto' },
      enrich: { type: 'boolean', default: false },
      workers: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return null;
  const enc = v['bronze-encryption'];
  if (enc !== 'auto' && enc !== 'age' && enc !== 'none') throw new RangeError(`--bronze-encryption must be auto, age or none, got ${enc}`);
  return {
    bronzeEncryption: enc,
    enrich: v.enrich,
    ...(v.workers === undefined ? {} : { workers: int('workers', v.workers, 1, 1) }),
    lines: int('lines', v.lines, 2_000_000, 1),
    seed: int('seed', v.seed, 42, 0),
    json: v.json,
    dir: resolve(v.dir ?? 'bench/out'),
    keep: v.keep,
    goaccess: !v['no-goaccess'],
    watch: !v['no-watch'],
    watchAppends: int('watch-appends', v['watch-appends'], 100, 1),
    parseOnly: v['parse-only'],
  };
}
