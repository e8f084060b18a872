/**
 * The pipeline files the benchmark runs: files → parse auto → validate → dedupe → lake + duckdb,
 * with the data directory inside the work directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a bench pipeline reads and writes, relative to the directory of the pipeline file. */
export interface BenchPipelineSpec {
  readonly name: string;
  /** Glob of the input files, relative to the pipeline file. */
  readonly include: string;
  /** Data directory, relative to the pipeline file. */
  readonly dataDir: string;
  /** Extra `engine:` settings, if any. */
  readonly engine?: Readonly<Record<string, number | string>>;
  /** `engine.bronze.encryption` (default: the product default, `auto`). */
  readonly bronzeEncryption?: 'auto' | 'age' | 'none';
  /** Add the enrichment, keyed and privacy stages (geoip, useragent, threat, sessions, behavior, privacy) after dedupe. */
  readonly enrich?: boolean;
}

const q = (s: string): string => JSON.stringify(s);

/** The YAML text of a bench pipeline (JSON-quoted scalars, so any path is safe). */
export function benchPipelineYaml(spec: BenchPipelineSpec): string {
  const engine = Object.entries(spec.engine ?? {}).map(([k, v]) => `  ${k}: ${typeof v === 'number' ? v : q(v)}`);
  if (spec.bronzeEncryption !== undefined) engine.push('  bronze:', `    encryption: ${spec.bronzeEncryption}`);
  return [
    `name: ${q(spec.name)}`,
    `description: "Benchmark pipeline written by bench/bench.ts"`,
    `data_dir: ${q(spec.dataDir)}`,
    'sources:',
    '  - id: access_logs',
    '    type: files',
    `    include: [${q(spec.include)}]`,
    'stages:',
    '  - type: parse',
    '    format: auto',
    '  - type: validate',
    '  - type: dedupe',
    ...(spec.enrich ? ['  - type: geoip', '  - type: useragent', '  - type: threat', '  - type: sessions', '  - type: behavior', '  - type: privacy'] : []),
    'sinks:',
    '  - id: lake',
    '    type: lake',
    '  - id: warehouse',
    '    type: duckdb',
    `    path: ${q(`${spec.dataDir}/warehouse.duckdb`)}`,
    'quality:',
    '  max_invalid_ratio: 0.05',
    ...(engine.length > 0 ? ['engine:', ...engine] : []),
    '',
  ].join('\n');
}

/** Writes `<dir>/<file>` with the pipeline of `spec`; returns its path. */
export function writeBenchPipeline(dir: string, file: string, spec: BenchPipelineSpec): string {
  const path = join(dir, file);
  writeFileSync(path, benchPipelineYaml(spec));
  return path;
}
