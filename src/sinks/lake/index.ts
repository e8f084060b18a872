/** The `lake` sink: silver Parquet files partitioned by day, with a quarantine area. */
import type { SinkContext, SinkSpec } from '../../core/component.js';
import { LakeConfig } from './config.js';
import { LakeSink } from './lake-sink.js';

/** Spec of the `lake` sink (registered in engine/registry.ts). */
export const lakeSinkSpec: SinkSpec<LakeConfig> = Object.freeze({
  kind: 'sink',
  type: 'lake',
  description: 'Silver lake: Parquet files partitioned by day (hive layout), committed atomically, with a quarantine area.',
  config: LakeConfig,
  create: async (id: string, config: LakeConfig, ctx: SinkContext) => new LakeSink(id, config, ctx),
});

export { LakeConfig } from './config.js';
export { LakeSink, lakeRoot } from './lake-sink.js';
export { reconcileLake } from './reconcile-lake.js';
export { settleLakeState } from './settle-lake-state.js';
export { unreferencedParts } from './unreferenced-parts.js';
export { readLakeRows, readLakeQuarantine } from './read-lake.js';
export { lakeLayout } from './lake-layout.js';
