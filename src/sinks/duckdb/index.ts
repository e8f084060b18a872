/** The `duckdb` sink: an embedded DuckDB warehouse with quarantine, watermarks and access views. */
import type { SinkContext, SinkSpec } from '../../core/component.js';
import { DuckdbConfig } from './config.js';
import { DuckdbSink } from './duckdb-sink.js';

/** Spec of the `duckdb` sink (registered in engine/registry.ts). */
export const duckdbSinkSpec: SinkSpec<DuckdbConfig> = Object.freeze({
  kind: 'sink',
  type: 'duckdb',
  description: 'Embedded DuckDB warehouse: one transaction per commit, per-stream watermarks, quarantine table and access-log views.',
  config: DuckdbConfig,
  create: async (id: string, config: DuckdbConfig, ctx: SinkContext) => new DuckdbSink(id, config, ctx),
});

export { DuckdbConfig } from './config.js';
export { DuckdbSink, warehousePath } from './duckdb-sink.js';
export { openWarehouse } from './warehouse.js';
export type { Warehouse, QueryResult, QueryParams } from './warehouse.js';
export { VIEW_NAMES } from './access-views.js';
