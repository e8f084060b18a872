/** The `privacy` stage type, as listed in `engine/stage-registry.ts`. */
import type { StageBuildContext, StageSpec } from '../../core/component.js';
import { PrivacyConfig } from './config.js';
import { PrivacyStage } from './privacy-stage.js';

export { PrivacyConfig } from './config.js';
export { PrivacyStage } from './privacy-stage.js';

/**
 * Declaration of the `privacy` stage. It asks the engine for the vault keys its policies need
 * (the HMAC pseudonym key, the field-encryption key), fetched on the main thread and handed to
 * `create` in the worker; `create` does no I/O.
 */
export const privacyStageSpec: StageSpec<PrivacyConfig> = Object.freeze({
  kind: 'stage',
  type: 'privacy',
  description: 'GDPR policies per field (truncate IPs, keyed pseudonyms, encrypt, mask, drop, redact personal data in URLs) before anything reaches silver or the warehouse.',
  config: PrivacyConfig,
  keys: (config: PrivacyConfig) => {
    const policies = Object.values(config.fields).map((p) => p.policy);
    return [
      ...(policies.includes('pseudonymize') ? [{ name: config.pseudonym_key, kind: 'hmac' as const }] : []),
      ...(policies.includes('encrypt') ? [{ name: config.encrypt_key, kind: 'field' as const }] : []),
    ];
  },
  create: (id: string, config: PrivacyConfig, ctx?: StageBuildContext) => new PrivacyStage(id, config, ctx?.keys ?? []),
});
