/** The `validate` stage type, as listed in `engine/stage-registry.ts`. */
import type { StageSpec } from '../../core/component.js';
import { ValidateConfig } from './config.js';
import { ValidateStage } from './validate-stage.js';

export { ValidateConfig } from './config.js';
export { ValidateStage } from './validate-stage.js';

/**
 * Declaration of the `validate` stage: config schema plus factory. `create` runs in worker threads,
 * does no I/O and throws `TRB_CONFIG_INVALID` when a rule's regex does not compile.
 */
export const validateStageSpec: StageSpec<ValidateConfig> = Object.freeze({
  kind: 'stage',
  type: 'validate',
  description: 'Checks parsed access-log records (IP, timestamp, method, status, sizes, lengths, user rules), percent-decodes paths and quarantines failures.',
  config: ValidateConfig,
  create: (id: string, config: ValidateConfig) => new ValidateStage(id, config),
});
