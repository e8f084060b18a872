/** Allocation helper for access records: one object shape (schema column order) for every format. */
import type { AccessRecord } from '../core/record.js';

/**
 * A fresh AccessRecord with every field null except `format`. All formats build records through
 * this function so V8 sees a single hidden class (fast property stores downstream).
 */
export function newAccessRecord(format: string): AccessRecord {
  return {
    client_ip: null, ident: null, user: null, ts: null, ts_offset_min: null, method: null, path: null,
    query: null, protocol: null, status: null, bytes_sent: null, referer: null, user_agent: null,
    request_time_ms: null, upstream_time_ms: null, vhost: null, port: null, x_forwarded_for: null,
    format, extras: null,
  };
}
