/**
 * `generateDemoLogs`: the demo data set — an Apache log (+0100) with an older rotated part
 * `access.log.1.gz`, and an nginx main-with-timings log (-0500), written deterministically.
 */
import { join } from 'node:path';
import { checkGenerateOptions, GENERATE_DEFAULTS, type GenerateOptions } from './generate-access-log.js';
import type { AccessLogFormat } from './line-factory.js';
import { createLineSource, resolveWorkers, type LineSource } from './line-source.js';
import { emptyMalformedCounts, MALFORMED_KINDS, type MalformedCounts } from './malformed-kinds.js';
import { openOutputFile } from './output-file.js';

/** Options of {@link generateDemoLogs}. */
export interface GenerateDemoOptions extends GenerateOptions {
  /** Share of the Apache lines (the oldest ones) written to `apache/access.log.1.gz`. Default 0.4. */
  readonly rotatedShare?: number;
  /** UTC offset of the nginx timestamps in minutes. Default -300 (-0500). Apache is always +0100. */
  readonly nginxUtcOffsetMinutes?: number;
}

/** One file written by {@link generateDemoLogs}. */
export interface GeneratedFile {
  readonly path: string;
  readonly format: AccessLogFormat;
  readonly lines: number;
  /** Uncompressed bytes. */
  readonly bytes: number;
  readonly gzip: boolean;
}

/** What {@link generateDemoLogs} wrote. */
export interface GenerateDemoResult {
  /** Paths of the files written, oldest Apache part first. */
  readonly files: readonly string[];
  /** Per-file details, in the order of `files`. */
  readonly parts: readonly GeneratedFile[];
  /** Total lines (equals `opts.lines`). */
  readonly lines: number;
  /** Total uncompressed bytes. */
  readonly bytes: number;
  readonly malformed: MalformedCounts;
}

const APACHE_OFFSET = 60;

async function writeFile(source: LineSource, path: string, lines: number, format: AccessLogFormat): Promise<GeneratedFile> {
  const file = openOutputFile(path);
  try {
    const bytes = await source.writeTo(file.stream, lines, true);
    await file.close();
    return { path, format, lines, bytes, gzip: path.endsWith('.gz') };
  } catch (e) {
    await file.abort();
    throw e;
  }
}

/**
 * Writes `<dir>/apache/access.log.1.gz`, `<dir>/apache/access.log` and `<dir>/nginx/access.log`.
 * Lines are split between the formats by `formats` weights; the Apache timeline continues from
 * the rotated part into the live file. Same options → byte-identical files. Existing files are
 * replaced; a format with 0 lines gets no file. Rejects with RangeError on invalid options.
 */
export async function generateDemoLogs(dir: string, opts: GenerateDemoOptions): Promise<GenerateDemoResult> {
  checkGenerateOptions(opts);
  const rotatedShare = opts.rotatedShare ?? 0.4;
  if (!(rotatedShare >= 0 && rotatedShare <= 1)) throw new RangeError(`generator: rotatedShare must be in [0, 1], got ${rotatedShare}`);
  const w = opts.formats ?? GENERATE_DEFAULTS.formats;
  const apacheLines = Math.round((opts.lines * w.apache_combined) / (w.apache_combined + w.nginx_main));
  const nginxLines = opts.lines - apacheLines;
  const base = {
    seed: opts.seed ?? GENERATE_DEFAULTS.seed,
    start: opts.start ?? GENERATE_DEFAULTS.start,
    days: opts.days ?? GENERATE_DEFAULTS.days,
    malformedRatio: opts.malformedRatio ?? GENERATE_DEFAULTS.malformedRatio,
  };
  const parts: GeneratedFile[] = [];
  const malformed = emptyMalformedCounts();
  const add = (m: MalformedCounts): void => { for (const k of MALFORMED_KINDS) malformed[k.kind] += m[k.kind]; };
  if (apacheLines > 0) {
    const src = createLineSource({ ...base, format: 'apache_combined', stream: 1, lines: apacheLines, utcOffsetMinutes: APACHE_OFFSET }, resolveWorkers(opts.workers, apacheLines));
    try {
      const rotated = Math.round(apacheLines * rotatedShare);
      if (rotated > 0) parts.push(await writeFile(src, join(dir, 'apache', 'access.log.1.gz'), rotated, 'apache_combined'));
      parts.push(await writeFile(src, join(dir, 'apache', 'access.log'), apacheLines - rotated, 'apache_combined'));
      add(src.malformed());
    } finally {
      await src.close();
    }
  }
  if (nginxLines > 0) {
    const src = createLineSource({ ...base, format: 'nginx_main', stream: 2, lines: nginxLines, utcOffsetMinutes: opts.nginxUtcOffsetMinutes ?? -300 }, resolveWorkers(opts.workers, nginxLines));
    try {
      parts.push(await writeFile(src, join(dir, 'nginx', 'access.log'), nginxLines, 'nginx_main'));
      add(src.malformed());
    } finally {
      await src.close();
    }
  }
  return {
    files: parts.map((p) => p.path),
    parts,
    lines: opts.lines,
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
    malformed,
  };
}
