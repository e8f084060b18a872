/**
 * Pipeline files for engine tests over access logs: one `files` source reading `logs/*.log` beside
 * the file, a stage list and sinks, written as YAML text (so tests exercise the real loader).
 */

/** Every enrichment in the recommended order, then privacy (stage types). */
export const ENRICHED_STAGES: readonly string[] = Object.freeze(['geoip', 'useragent', 'threat', 'sessions', 'behavior', 'privacy']);

/** The lake + DuckDB sinks most tests land in. */
export const LAKE_AND_WAREHOUSE = '  - id: lake\n    type: lake\n  - id: warehouse\n    type: duckdb\n';

/** Options of {@link logPipeline}. */
export interface LogPipelineSpec {
  readonly name: string;
  /** `parse` format (default: none given, i.e. `auto`). */
  readonly format?: string;
  /** Stages after `parse`: type names, or raw YAML list items (starting with `  - `). Default validate, dedupe. */
  readonly stages?: readonly string[];
  /** The `sinks:` list as YAML (default {@link LAKE_AND_WAREHOUSE}). */
  readonly sinks?: string;
  /** More top-level YAML appended (e.g. `gold:` or `engine:` sections). */
  readonly extra?: string;
  /** `data_dir:` of the pipeline (default: none, i.e. the data directory the run is given). */
  readonly dataDir?: string;
}

/** The YAML text of the pipeline `spec` describes. */
export function logPipeline(spec: LogPipelineSpec): string {
  const stages = (spec.stages ?? ['validate', 'dedupe']).filter((s) => s !== '').map((s) => (s.startsWith('  - ') ? s : `  - type: ${s}\n`)).join('');
  return `name: ${spec.name}
${spec.dataDir === undefined ? '' : `data_dir: ${spec.dataDir}\n`}sources:
  - id: access
    type: files
    include: ["logs/*.log"]
stages:
  - type: parse
${spec.format === undefined ? '' : `    format: ${spec.format}\n`}${stages}sinks:
${spec.sinks ?? LAKE_AND_WAREHOUSE}${spec.extra ?? ''}`;
}
