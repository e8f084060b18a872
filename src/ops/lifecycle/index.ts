/** Data lifecycle (retention per layer, cold storage): `tributary lifecycle run` and its parts. */
export { RetentionSection, DEFAULT_GOLD_TABLES, type RetentionConfig } from './retention-config.js';
export { parseRetentionDuration, retentionDuration } from './retention-duration.js';
export { retentionCutoffs, type RetentionCutoffs } from './retention-cutoffs.js';
export { lifecycleFromPipelineFile, runLifecycle, type LifecycleOptions } from './run-lifecycle.js';
export type { LifecycleReport, BronzeExpiry, LakePartitionExpiry, WarehouseTableExpiry } from './lifecycle-report.js';
export { renderLifecycle } from './render-lifecycle.js';
export { parseScheduleInterval, runEvery } from './lifecycle-schedule.js';
