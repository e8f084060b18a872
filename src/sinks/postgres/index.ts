/** The `postgres` sink: a PostgreSQL warehouse with day partitions, watermarks, a load ledger, quarantine and access views. */
import type { SinkContext, SinkSpec } from '../../core/component.js';
import { PostgresConfig } from './config.js';
import { PostgresSink } from './postgres-sink.js';

/** Spec of the `postgres` sink (registered in engine/registry.ts). */
export const postgresSinkSpec: SinkSpec<PostgresConfig> = Object.freeze({
  kind: 'sink',
  type: 'postgres',
  description: 'PostgreSQL warehouse: COPY into staging, one transaction per commit with per-stream watermarks and a load ledger, '
    + 'tables partitioned by day on `ts`, quarantine table and access-log views.',
  config: PostgresConfig,
  create: async (id: string, config: PostgresConfig, ctx: SinkContext) => new PostgresSink(id, config, ctx),
});

export { PostgresConfig } from './config.js';
export { PostgresSink } from './postgres-sink.js';
