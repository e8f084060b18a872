/** The `encrypt` stage type, as listed in `engine/stage-registry.ts`. */
import type { StageBuildContext, StageSpec } from '../../core/component.js';
import { EncryptConfig } from './config.js';
import { EncryptStage } from './encrypt-stage.js';

export { EncryptConfig } from './config.js';
export { EncryptStage } from './encrypt-stage.js';

/**
 * Declaration of the `encrypt` stage. It asks the engine for the current version of its `field`
 * key (`keys`), which the engine fetches from the vault on the main thread and hands to `create`
 * in the worker; `create` does no I/O.
 */
export const encryptStageSpec: StageSpec<EncryptConfig> = Object.freeze({
  kind: 'stage',
  type: 'encrypt',
  description: 'Encrypts listed text fields (AES-256-GCM under a vault key) into printable tokens before silver and the warehouse.',
  config: EncryptConfig,
  keys: (config: EncryptConfig) => [{ name: config.key, kind: 'field' as const }],
  create: (id: string, config: EncryptConfig, ctx?: StageBuildContext) => new EncryptStage(id, config, ctx?.keys ?? []),
});
