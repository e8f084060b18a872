/** The built-in formats, in detection-priority order, and their short aliases. */
import type { AccessRecord, ErrorLogRecord } from '../core/record.js';
import { apacheCombined, apacheCommon, apacheVhostCombined } from './apache/apache-formats.js';
import { apacheError } from './apache/apache-error.js';
import type { LineFormat } from './format.js';
import { createJsonLinesFormat } from './json/json-lines.js';
import { nginxCombined, nginxForwarded, nginxMain, nginxTimed } from './nginx/nginx-formats.js';
import { nginxError } from './nginx/nginx-error.js';

/** Built-in access-log formats (the default candidates of `auto`). */
export const ACCESS_FORMATS: readonly LineFormat<AccessRecord>[] = Object.freeze([
  apacheCombined, apacheCommon, apacheVhostCombined, nginxCombined, nginxMain, nginxForwarded, nginxTimed,
  createJsonLinesFormat(),
]);

/** Built-in error-log formats. */
export const ERROR_FORMATS: readonly LineFormat<ErrorLogRecord>[] = Object.freeze([apacheError, nginxError]);

/** Every built-in format. */
export const BUILTIN_FORMATS: readonly LineFormat[] = Object.freeze([...ACCESS_FORMATS, ...ERROR_FORMATS]);

/** Short names accepted in config for built-in formats. */
export const FORMAT_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  common: 'apache_common', combined: 'apache_combined', vhost_combined: 'apache_vhost_combined',
  clf: 'apache_common', nginx: 'nginx_combined', jsonl: 'json',
});
