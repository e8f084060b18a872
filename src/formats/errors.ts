/** Run-level errors of the formats area (bad format names or log format strings in config). */
import { defineError } from '../core/errors.js';

/** A pipeline names a format that is not built in. */
export const UnknownFormat = defineError<{ format: string; known: readonly string[] }>(
  'TRB_CONFIG_UNKNOWN_FORMAT',
  'Unknown log format `{format}` (known: {known}); for a custom layout set `format: log_format` and `log_format: ...`',
  { family: 'config' });

/** A `log_format` string (Apache LogFormat or Nginx log_format) cannot be compiled. */
export const LogFormatInvalid = defineError<{ log_format: string; reason: string }>(
  'TRB_CONFIG_LOG_FORMAT_INVALID',
  'Cannot compile log format `{log_format}`: {reason}',
  { family: 'config' });
