/** Small fake component specs for config tests (no I/O: `create` is never called by config code). */
import { z } from 'zod';
import type { SinkSpec, SourceSpec, StageSpec } from '../../src/core/component.js';
import type { ComponentRegistry } from '../../src/config/registry-types.js';
import { secretRef } from '../../src/config/schema/secret-ref.js';

const never = (): never => { throw new Error('fake spec: create must not be called by config code'); };

/** A `files` source with include globs, a numeric option and a nested object. */
export const fakeFilesSource: SourceSpec = {
  kind: 'source', type: 'files', description: 'Reads local files.',
  config: z.strictObject({
    include: z.array(z.string()).min(1).meta({ description: 'Glob patterns of files to read.', examples: [['logs/*.log']] }),
    exclude: z.array(z.string()).default([]).meta({ description: 'Glob patterns to skip.' }),
    max_line_bytes: z.number().int().min(1).default(65536).meta({ description: 'Longest line kept, bytes.' }),
    follow: z.boolean().default(false).meta({ description: 'Keep reading appended data.' }),
    encoding: z.enum(['utf8', 'latin1']).default('utf8').meta({ description: 'Text encoding.' }),
    rotate: z.strictObject({
      wait_ms: z.number().int().min(0).default(1000).meta({ description: 'Wait after rotation, ms.' }),
    }).prefault({}).meta({ description: 'Rotation handling.' }),
  }),
  create: never,
};

/** An `http` source with a secret token. */
export const fakeHttpSource: SourceSpec = {
  kind: 'source', type: 'http', description: 'Polls an HTTP endpoint.',
  config: z.strictObject({
    url: z.string().meta({ description: 'Endpoint URL.' }),
    token: secretRef({ description: 'Bearer token.' }).optional(),
    interval_secs: z.number().min(0.1).default(60).meta({ description: 'Polling interval, seconds.' }),
  }),
  create: never,
};

/** Stages: `parse` (enum option), `validate` (no options), `dedupe` (numeric option). */
export const fakeStages: readonly StageSpec[] = [
  { kind: 'stage', type: 'parse', description: 'Parses lines.', create: never,
    config: z.strictObject({ format: z.enum(['auto', 'apache_combined', 'nginx_main']).default('auto').meta({ description: 'Log format.' }) }) },
  { kind: 'stage', type: 'validate', description: 'Validates records.', create: never, config: z.strictObject({}) },
  { kind: 'stage', type: 'dedupe', description: 'Drops duplicates.', create: never,
    config: z.strictObject({ window_secs: z.number().int().min(1).default(3600).meta({ description: 'Dedupe window, seconds.' }) }) },
];

/** Sinks: `lake` (path option) and `duckdb` (table option). */
export const fakeSinks: readonly SinkSpec[] = [
  { kind: 'sink', type: 'lake', description: 'Parquet lake.', create: () => never(),
    config: z.strictObject({ path: z.string().default('lake').meta({ description: 'Lake directory.' }) }) },
  { kind: 'sink', type: 'duckdb', description: 'DuckDB warehouse.', create: () => never(),
    config: z.strictObject({ table: z.string().default('access').meta({ description: 'Target table.' }), file: z.string().optional().meta({ description: 'Database file.' }) }) },
];

/** The fake registry used by the config tests. */
export const fakeRegistry: ComponentRegistry = Object.freeze({
  sources: [fakeFilesSource, fakeHttpSource],
  stages: fakeStages,
  sinks: fakeSinks,
});

/** A valid pipeline in the fake registry's vocabulary (line numbers matter to the tests). */
export const VALID_YAML = `name: web-logs
description: Access logs
sources:
  - id: access
    type: files
    include: ["logs/*.log*"]
stages:
  - type: parse
    format: auto
  - type: validate
  - type: dedupe
sinks:
  - id: lake
    type: lake
  - id: warehouse
    type: duckdb
`;
