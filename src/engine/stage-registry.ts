/**
 * The stage types, listed explicitly (one line each). Kept apart from the full registry so worker
 * threads load only what they run, not the sinks' database drivers.
 */
import type { StageSpec } from '../core/component.js';
import { parseStageSpec } from '../stages/parse/index.js';
import { validateStageSpec } from '../stages/validate/index.js';
import { dedupeStageSpec } from '../stages/dedupe/index.js';
import { encryptStageSpec } from '../stages/encrypt/index.js';
import { privacyStageSpec } from '../stages/privacy/index.js';
import { userAgentStageSpec } from '../stages/useragent/index.js';
import { geoipStageSpec } from '../stages/geoip/index.js';
import { threatStageSpec } from '../stages/threat/index.js';
import { sessionsStageSpec } from '../stages/sessions/index.js';
import { behaviorStageSpec } from '../stages/behavior/index.js';

/** Every stage type, in documentation order. */
export const stageSpecs: readonly StageSpec<any>[] = Object.freeze([
  parseStageSpec,
  validateStageSpec,
  dedupeStageSpec,
  geoipStageSpec,
  userAgentStageSpec,
  threatStageSpec,
  sessionsStageSpec,
  behaviorStageSpec,
  encryptStageSpec,
  privacyStageSpec,
]);
