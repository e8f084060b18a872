/** The `threat` stage type, as listed in `engine/stage-registry.ts`. */
import type { StageSpec } from '../../core/component.js';
import { ThreatConfig } from './config.js';
import { prepareThreatStage } from './prepare-threat.js';
import { THREAT_COLUMNS, ThreatStage } from './threat-stage.js';

export { ThreatConfig } from './config.js';
export { THREAT_COLUMNS, ThreatStage } from './threat-stage.js';

/**
 * Declaration of the `threat` stage: it adds {@link THREAT_COLUMNS}. Put it before `privacy` (which
 * redacts URLs). Its `prepare` downloads `url` reputation lists on the main thread (see
 * {@link prepareThreatStage}); the workers only read files.
 */
export const threatStageSpec: StageSpec<ThreatConfig> = Object.freeze({
  kind: 'stage',
  type: 'threat',
  description: 'Attack signatures (rules as YAML data: SQL injection, XSS, traversal, Log4Shell, Shellshock, command injection, scanner probes, attack tools) and IP reputation lists (local files, or URLs refreshed on a schedule) → threat_score, threat_tags, threat_rules.',
  config: ThreatConfig,
  columns: () => THREAT_COLUMNS,
  prepare: prepareThreatStage,
  create: (id: string, config: ThreatConfig) => new ThreatStage(id, config),
});
