/** The `gold:` section of a pipeline file. The only declaration of its options. */
import { z } from 'zod';

/** `gold:` — models built in the pipeline's DuckDB or PostgreSQL warehouse. */
export const GoldSection = z.strictObject({
  builtin: z.array(z.enum(['web'])).default(['web']).meta({
    description: 'Built-in model sets: `web` = the web analytics star schema (fact_requests, dim_date/geo/user_agent/endpoint/referrer/visitor), rollups per minute/hour/day, endpoint performance (p50/p95/p99), referrers, search keywords, 404s, bots, sessions, entry/exit pages, security events per client and rule. `[]` = only your own models.',
  }),
  models_dir: z.string().min(1).optional().meta({
    description: 'Directory of your own models (`<name>.sql`, header comments `-- materialized: table|view|incremental`, `-- partition_by: <date column>`, `-- source: <table>`) and tests (`tests.yml`); relative to the pipeline file. A model may read built-in ones.',
    examples: ['./models'],
  }),
  endpoint_patterns: z.array(z.strictObject({
    pattern: z.string().min(1).meta({ description: 'Regular expression (RE2) on the path.' }),
    replacement: z.string().meta({ description: 'Replacement (`\\1` for groups).' }),
  })).default([]).meta({
    description: 'Endpoint normalisation applied before the automatic one (numeric, UUID and ≥16-hex-digit segments become `:id`).',
    examples: [[{ pattern: '^/api/v[0-9]+/', replacement: '/api/:version/' }]],
  }),
  after_run: z.boolean().default(true).meta({ description: 'Refresh the models after every successful one-shot `tributary run` (incremental models rebuild only the days that changed).' }),
  watch_refresh_secs: z.number().int().min(0).default(300).meta({ description: 'With `after_run`, in `tributary run --watch`: refresh the models this often while new rows land (0 = only when the watch stops).' }),
  warehouse: z.string().min(1).optional().meta({ description: 'Id of the `duckdb` or `postgres` sink to build in (the built-in models and tests run on both). Default: the pipeline\'s first `duckdb` sink, else its first `postgres` sink.' }),
}).meta({ description: 'Gold layer, in the DuckDB or PostgreSQL warehouse: SQL models (dependencies read from the SQL), built-in web analytics models, model tests.' });

/** A parsed {@link GoldSection}. */
export type GoldConfig = z.infer<typeof GoldSection>;
