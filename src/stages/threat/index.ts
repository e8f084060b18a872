/** The `threat` stage type, as listed in `engine/stage-registry.ts`. */
import type { StageSpec } from '../../core/component.js';
import { ThreatConfig } from './config.js';
import { THREAT_COLUMNS, ThreatStage } from './threat-stage.js';

export { ThreatConfig } from './config.js';
export { THREAT_COLUMNS, ThreatStage } from './threat-stage.js';

/** Declaration of the `threat` stage: it adds {@link THREAT_COLUMNS}. Put it before `privacy` (which redacts URLs). */
export const threatStageSpec: StageSpec<ThreatConfig> = Object.freeze({
  kind: 'stage',
  type: 'threat',
  description: 'Attack signatures (rules as YAML data: SQL injection, XSS, traversal, Log4Shell, Shellshock, command injection, scanner probes, attack tools) → threat_score, threat_tags, threat_rules.',
  config: ThreatConfig,
  columns: () => THREAT_COLUMNS,
  create: (id: string, config: ThreatConfig) => new ThreatStage(id, config),
});
