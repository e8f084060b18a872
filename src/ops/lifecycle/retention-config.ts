/**
 * `retention:` of a pipeline file: how long each layer keeps data before `tributary lifecycle run`
 * removes it (or moves it to `cold_storage`). The single declaration of those options, their
 * defaults and their docs.
 */
import { z } from 'zod';
import { retentionDuration } from './retention-duration.js';

/** Default gold table patterns: fact and rollup tables (dimensions are kept: they have no age). */
export const DEFAULT_GOLD_TABLES: readonly string[] = Object.freeze([
  'fact_*', 'rollup_*',
  // The built-in web models kept by day (src/models/builtin/web): gold outlives silver, so these go by `retention.gold`.
  'endpoint_performance_day', 'visitor_days', 'visitor_geo_days', 'referrers_day', 'search_keywords_day', 'not_found_day', 'bots_day',
  'sessions_day', 'entry_exit_pages_day', 'security_events_day',
]);

/** `retention:` — data lifecycle per layer. */
export const RetentionSection = z.strictObject({
  bronze: retentionDuration().default('7d').meta({
    description: 'Raw input (bronze objects) is deleted this long after its ingestion (the manifest\'s `ingestedAt`). Only committed objects are ever deleted.',
    examples: ['7d', '36h'],
  }),
  silver: retentionDuration().default('90d').meta({
    description: 'Lake day partitions (`day=YYYY-MM-DD`, UTC) and warehouse rows (by `ts`) of the days before the cutoff day (now minus this, UTC) are removed; the warehouse mirrors silver.',
    examples: ['90d', '1y'],
  }),
  gold: retentionDuration().default('2y').meta({
    description: 'Rows of the warehouse\'s gold tables (`gold_tables`) whose time column is before the cutoff day are deleted.',
    examples: ['2y'],
  }),
  quarantine: retentionDuration().default('30d').meta({
    description: 'Lake quarantine partitions and warehouse quarantine rows (by `quarantined_at`) of the days before the cutoff day are removed.',
    examples: ['30d'],
  }),
  cold_storage: z.string().min(1).optional().meta({
    description: 'Directory (relative to the pipeline file) expired lake partitions are MOVED to, as the same compressed (and, when the lake is encrypted, encrypted) '
      + 'Parquet files, under `<cold_storage>/<pipeline>/<silver|quarantine>/<dataset>/day=YYYY-MM-DD/`, with an index `_moved.jsonl`. Absent: expired partitions are deleted.',
    examples: ['./archive'],
  }),
  gold_tables: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\*?$/, { error: 'must be a table name, or a prefix ending with `*`' }))
    .default([...DEFAULT_GOLD_TABLES]).meta({
      description: 'Warehouse tables the `gold` retention applies to: names, or prefixes ending with `*`. Each table\'s time column is the first of `ts`, `day`, `date`, `hour`, `bucket` '
        + 'of a date or timestamp type (else its first such column); tables without one are reported and kept.',
      examples: [['fact_*', 'rollup_*', 'daily_summary']],
    }),
}).meta({ description: 'Data lifecycle: how long each layer keeps data (`tributary lifecycle run` applies it). See docs/operations.md.' });

/** Validated `retention:` section (defaults applied). */
export type RetentionConfig = Readonly<z.output<typeof RetentionSection>>;
