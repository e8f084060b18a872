/** Error codes of the gold model layer. */
import { defineError } from '../core/errors.js';

/** A model file is malformed: bad header, SQL that does not parse, unknown materialisation. */
export const ModelInvalid = defineError<{ model: string; file: string; reason: string }>(
  'TRB_SCHEMA_MODEL_INVALID', 'Model `{model}` ({file}) is invalid: {reason}', { family: 'schema' });

/** Models depend on each other in a cycle. */
export const ModelCycle = defineError<{ cycle: string }>(
  'TRB_SCHEMA_MODEL_CYCLE', 'Gold models depend on each other in a cycle: {cycle}', { family: 'schema' });

/** A model's SQL failed in the warehouse. Models after it in dependency order were not run. */
export const ModelFailed = defineError<{ model: string; reason: string }>(
  'TRB_SINK_MODEL_FAILED', 'Model `{model}` failed: {reason}', { family: 'sink' });

/** Model tests failed (the models were built; their data broke a declared expectation). */
export const ModelTestsFailed = defineError<{ failed: number; total: number; first: string }>(
  'TRB_QUALITY_MODEL_TESTS_FAILED', '{failed} of {total} model tests failed; first: {first}', { family: 'quality' });

/** The pipeline has no warehouse the models could run in (no `duckdb` or `postgres` sink, or none with the id `gold.warehouse` names). */
export const ModelsNoWarehouse = defineError<{ file: string }>(
  'TRB_CONFIG_MODELS_NO_WAREHOUSE', 'Pipeline {file} has gold models but no `duckdb` or `postgres` sink to build them in (or none with the id `gold.warehouse` names)', { family: 'config' });

/** The PostgreSQL warehouse has not received data yet: no schema or no request table. */
export const ModelsWarehouseEmpty = defineError<{ warehouse: string; table: string }>(
  'TRB_SINK_MODELS_WAREHOUSE_EMPTY', 'The PostgreSQL warehouse {warehouse} has no `{table}` table yet; run the pipeline first (e.g. `tributary run <pipeline.yaml>`)', { family: 'sink' });
