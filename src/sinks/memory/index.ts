/** The `memory` sink: an in-process fake for tests that passes the sink contract. */
import type { SinkContext, SinkSpec } from '../../core/component.js';
import { MemoryConfig } from './config.js';
import { MemorySink } from './memory-sink.js';

/** Spec of the `memory` sink (registered in engine/registry.ts). */
export const memorySinkSpec: SinkSpec<MemoryConfig> = Object.freeze({
  kind: 'sink',
  type: 'memory',
  description: 'Keeps committed rows in process memory (for tests); same watermark and quarantine semantics as the real sinks.',
  config: MemoryConfig,
  create: async (id: string, config: MemoryConfig, ctx: SinkContext) => new MemorySink(id, config, ctx),
});

export { MemoryConfig } from './config.js';
export { MemorySink, parseBatchCsv } from './memory-sink.js';
export { memoryStore, dropMemoryStore } from './memory-store.js';
export type { MemoryStore, MemoryRow, MemoryQuarantineRow } from './memory-store.js';
export { parseCsv } from './parse-csv.js';
