/** The `parse` stage spec: raw lines → access or error records, by a configured or detected format. */
import type { StageSpec } from '../../core/component.js';
import { ParseConfig } from './config.js';
import { ParseStage } from './parse-stage.js';

export { ParseConfig } from './config.js';
export { ParseStage } from './parse-stage.js';

/** Registry entry for `type: parse`. */
export const parseStageSpec: StageSpec<ParseConfig> = Object.freeze({
  kind: 'stage' as const,
  type: 'parse',
  description: 'Parses web-server log lines (Apache, Nginx, JSON, error logs; auto-detected or custom LogFormat/log_format) into records.',
  config: ParseConfig,
  create: (id: string, config: ParseConfig) => new ParseStage(id, config),
});
