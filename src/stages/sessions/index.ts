/** The `sessions` stage type, as listed in `engine/stage-registry.ts`. */
import type { StageBuildContext, StageSpec } from '../../core/component.js';
import { SessionsConfig } from './config.js';
import { SESSION_KEYED_COLUMNS, SESSION_RECORD_COLUMNS, SessionsStage } from './sessions-stage.js';
import { SessionTracker } from './session-tracker.js';

export { SessionsConfig } from './config.js';
export { SESSION_KEYED_COLUMNS, SESSION_RECORD_COLUMNS, SessionsStage } from './sessions-stage.js';
export { SessionTracker, sessionId } from './session-tracker.js';
export { VisitorIds, utcDay, isVisitorId, DEFAULT_VISITOR_KEY } from './visitor-id.js';

/**
 * Declaration of the `sessions` stage: a keyed stage. Workers compute `visitor_id` and `is_page`
 * (with the vault key fetched on the main thread); the engine thread assigns `session_id` and
 * `session_seq` in stream order and commits the open sessions with the data. Put it after `dedupe`
 * (a duplicate would count twice) and before `privacy` (it needs the raw client IP and agent).
 */
export const sessionsStageSpec: StageSpec<SessionsConfig> = Object.freeze({
  kind: 'stage',
  type: 'sessions',
  description: 'Visitor ids (daily-salted keyed hash of IP + agent) and sessions (id, sequence; 30 minutes of inactivity ends one), correct across batches, files and restarts.',
  config: SessionsConfig,
  keys: (config: SessionsConfig) => [{ name: config.visitor_key, kind: 'hmac' as const }],
  columns: () => SESSION_RECORD_COLUMNS,
  create: (id: string, config: SessionsConfig, ctx?: StageBuildContext) => new SessionsStage(id, config, ctx?.keys ?? []),
  keyed: Object.freeze({
    columns: () => SESSION_KEYED_COLUMNS,
    outputs: () => [],
    operator: (_id: string, config: SessionsConfig) => new SessionTracker(config.timeout_minutes, config.max_visitors),
  }),
});
