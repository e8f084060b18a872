/** The `useragent` stage type, as listed in `engine/stage-registry.ts`. */
import type { StageSpec } from '../../core/component.js';
import { UserAgentConfig } from './config.js';
import { USER_AGENT_COLUMNS, UserAgentStage } from './useragent-stage.js';

export { UserAgentConfig } from './config.js';
export { USER_AGENT_COLUMNS, UserAgentStage } from './useragent-stage.js';

/** Declaration of the `useragent` stage: it adds {@link USER_AGENT_COLUMNS} to the records. */
export const userAgentStageSpec: StageSpec<UserAgentConfig> = Object.freeze({
  kind: 'stage',
  type: 'useragent',
  description: 'Browser, OS and device from the User-Agent (ua-parser-js 1.x, MIT) and bot detection (isbot + named list); cached per agent string.',
  config: UserAgentConfig,
  columns: () => USER_AGENT_COLUMNS,
  create: (id: string, config: UserAgentConfig) => new UserAgentStage(id, config),
});
