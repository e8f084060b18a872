/**
 * The deterministic access-log generator used by `tributary demo`, `tributary generate` and
 * `npm run bench`. Same options and seed → byte-identical output.
 */
export {
  generateAccessLog,
  GENERATE_DEFAULTS,
  type FormatWeights,
  type GenerateOptions,
  type GenerateAccessLogOptions,
  type GenerateAccessLogResult,
} from './generate-access-log.js';
export { generateDemoLogs, type GenerateDemoOptions, type GenerateDemoResult, type GeneratedFile } from './generate-demo-logs.js';
export type { AccessLogFormat } from './line-factory.js';
export {
  MALFORMED_KINDS,
  expectedRejections,
  type MalformedCounts,
  type MalformedDisposition,
  type MalformedKind,
  type MalformedKindInfo,
} from './malformed-kinds.js';
