/** The `dedupe` stage type, as listed in `engine/stage-registry.ts`. */
import type { StageSpec } from '../../core/component.js';
import { DedupeConfig } from './config.js';
import { DedupeStage } from './dedupe-stage.js';

export { DedupeConfig } from './config.js';
export { DedupeStage } from './dedupe-stage.js';
export { recordId } from './record-id.js';

/** Declaration of the `dedupe` stage: config schema plus factory (no I/O; runs in worker threads). */
export const dedupeStageSpec: StageSpec<DedupeConfig> = Object.freeze({
  kind: 'stage',
  type: 'dedupe',
  description: 'Drops records already stored (below the committed offset of their stream) and repeated offsets within a batch.',
  config: DedupeConfig,
  create: (id: string, config: DedupeConfig) => new DedupeStage(id, config),
});
