/** The `behavior` stage type, as listed in `engine/stage-registry.ts`. */
import type { StageBuildContext, StageSpec } from '../../core/component.js';
import { BehaviorConfig } from './config.js';
import { BEHAVIOR_COLUMNS, BehaviorStage } from './behavior-stage.js';
import { BehaviorDetector } from './behavior-detector.js';
import { SECURITY_EVENTS, SECURITY_EVENTS_SCHEMA } from './security-events.js';

export { BehaviorConfig } from './config.js';
export { BEHAVIOR_COLUMNS, BehaviorStage } from './behavior-stage.js';
export { BehaviorDetector } from './behavior-detector.js';
export { SECURITY_EVENTS, SECURITY_EVENTS_SCHEMA } from './security-events.js';

/**
 * Declaration of the `behavior` stage: a keyed stage. Workers compute `client_id` (with the vault
 * pseudonym key fetched on the main thread) and what each request was; the engine thread keeps the
 * sliding windows per client, in stream order, and writes the `security_events` dataset. Put it
 * after `threat` (whose scores become signature events) and `dedupe`, and before `privacy`.
 */
export const behaviorStageSpec: StageSpec<BehaviorConfig> = Object.freeze({
  kind: 'stage',
  type: 'behavior',
  description: 'Per-client sliding windows (404 bursts, login brute force, rate spikes) and signature hits → the security_events dataset; adds client_id.',
  config: BehaviorConfig,
  keys: (config: BehaviorConfig) => [{ name: config.pseudonym_key, kind: 'hmac' as const }],
  columns: () => BEHAVIOR_COLUMNS,
  create: (id: string, config: BehaviorConfig, ctx?: StageBuildContext) => new BehaviorStage(id, config, ctx?.keys ?? []),
  keyed: Object.freeze({
    columns: () => [],
    outputs: () => [{ dataset: SECURITY_EVENTS, schema: SECURITY_EVENTS_SCHEMA }],
    operator: (_id: string, config: BehaviorConfig) => new BehaviorDetector(config),
  }),
});
