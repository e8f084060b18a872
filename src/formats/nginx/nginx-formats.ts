/** Nginx access-log formats: the built-in `combined` and the usual `main` variants with timings. */
import type { AccessRecord } from '../../core/record.js';
import type { LineFormat } from '../format.js';
import { compileNginxLogFormat } from './nginx-log-format.js';

const COMBINED = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

/** Nginx's predefined `combined` (same layout as Apache combined, `\xHH` escaping). */
export const nginxCombined: LineFormat<AccessRecord> = compileNginxLogFormat(COMBINED, {
  name: 'nginx_combined', description: `Nginx predefined combined: '${COMBINED}'`, allowTrailing: true,
});

const MAIN = `${COMBINED} "$http_x_forwarded_for" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time"`;

/** `main` with timings, as in most reverse-proxy setups. */
export const nginxMain: LineFormat<AccessRecord> = compileNginxLogFormat(MAIN, {
  name: 'nginx_main', description: `Nginx main with upstream timings: '${MAIN}'`,
});

const FORWARDED = `${COMBINED} "$http_x_forwarded_for"`;

/** The `main` of the nginx.org package's nginx.conf: combined + X-Forwarded-For. */
export const nginxForwarded: LineFormat<AccessRecord> = compileNginxLogFormat(FORWARDED, {
  name: 'nginx_forwarded', description: `Nginx package default main: '${FORWARDED}'`,
});

const TIMED = `${COMBINED} $request_time $upstream_response_time`;

/** Combined followed by bare request and upstream times. */
export const nginxTimed: LineFormat<AccessRecord> = compileNginxLogFormat(TIMED, {
  name: 'nginx_timed', description: `Nginx combined + timings: '${TIMED}'`,
});
