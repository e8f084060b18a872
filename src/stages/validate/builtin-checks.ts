/** The built-in access-log checks, compiled once per stage from its config. */
import { isIP } from 'node:net';
import type { ValidateConfig } from './config.js';
import type { Check, CheckFailure, ValidatedRecord } from './check.js';
import { describeEpochMs, describeValue } from './describe-value.js';
import { isHttpToken, isPlainIPv4 } from './fast-syntax.js';

const DOTTED_QUAD = /^(?:::ffff:)?\d+\.\d+\.\d+\.\d+$/i;

const fail = (code: CheckFailure['code'], field: string, reason: string): CheckFailure => ({ code, field, reason });

function checkClientIp(rec: ValidatedRecord): CheckFailure | null {
  const v: unknown = rec.client_ip;
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' && (isPlainIPv4(v) || isIP(v) !== 0)) return null;
  if (typeof v === 'string' && DOTTED_QUAD.test(v)) {
    return fail('value_out_of_range', 'client_ip', `client_ip ${describeValue(v)} has an IPv4 octet outside 0..255 or with a leading zero`);
  }
  return fail('type_conversion_failed', 'client_ip', `client_ip ${describeValue(v)} is not an IPv4 or IPv6 address`);
}

function tsCheck(minMs: number, minText: string, futureSecs: number): Check {
  return (rec, tsMaxMs) => {
    const v: unknown = rec.ts;
    if (v === null || v === undefined) return fail('required_missing', 'ts', 'ts is missing');
    if (typeof v !== 'number' || Number.isNaN(v)) return fail('type_conversion_failed', 'ts', `ts ${describeValue(v)} is not epoch milliseconds`);
    if (v < minMs) return fail('value_out_of_range', 'ts', `ts ${describeEpochMs(v)} is before ts_min ${minText}`);
    if (v > tsMaxMs) {
      return fail('value_out_of_range', 'ts', `ts ${describeEpochMs(v)} is more than ts_max_future_secs=${futureSecs} after the clock (${describeEpochMs(tsMaxMs - futureSecs * 1000)})`);
    }
    return null;
  };
}

function methodCheck(allowJunk: boolean, allowed: ReadonlySet<string> | null): Check {
  return (rec) => {
    const v: unknown = rec.method;
    if (v === null || v === undefined) {
      return allowJunk ? null : fail('required_missing', 'method', 'method is missing (junk request) and allow_junk_requests is false');
    }
    if (typeof v !== 'string') return fail('type_conversion_failed', 'method', `method ${describeValue(v)} is not a string`);
    if (!isHttpToken(v)) return fail('schema_violation', 'method', `method ${describeValue(v)} is not an RFC 9110 token`);
    if (allowed !== null && !allowed.has(v)) {
      return fail('value_out_of_range', 'method', `method ${describeValue(v)} is not in allowed_methods [${[...allowed].join(', ')}]`);
    }
    return null;
  };
}

function checkStatus(rec: ValidatedRecord): CheckFailure | null {
  const v: unknown = rec.status;
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || Number.isNaN(v)) return fail('type_conversion_failed', 'status', `status ${describeValue(v)} is not a number`);
  if (!Number.isInteger(v) || v < 100 || v > 599) return fail('value_out_of_range', 'status', `status ${describeValue(v)} is outside 100..599`);
  return null;
}

function nonNegative(field: 'bytes_sent' | 'request_time_ms'): Check {
  return (rec) => {
    const v: unknown = rec[field];
    if (v === null || v === undefined) return null;
    if (typeof v !== 'number' || Number.isNaN(v)) return fail('type_conversion_failed', field, `${field} ${describeValue(v)} is not a number`);
    if (v < 0 || v === Infinity) return fail('value_out_of_range', field, `${field} ${describeValue(v)} is not a finite number >= 0`);
    return null;
  };
}

type LengthField = keyof ValidateConfig['max_lengths'];

function lengthFailure(field: LengthField, v: string, max: number): CheckFailure {
  return fail('value_out_of_range', field, `${field} ${describeValue(v)} is ${v.length} characters long, above max_lengths.${field}=${max}`);
}

// One function with direct property loads: a loop over field names would make every load a
// megamorphic keyed access, which costs more than all the other checks together.
function lengthsCheck(limits: ValidateConfig['max_lengths']): Check {
  const lim = (f: LengthField): number => limits[f] ?? Infinity;
  const path = lim('path'), query = lim('query'), userAgent = lim('user_agent'), referer = lim('referer');
  const xff = lim('x_forwarded_for'), vhost = lim('vhost'), user = lim('user'), ident = lim('ident'), protocol = lim('protocol');
  const over = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > max;
  return (rec) => {
    if (over(rec.path, path)) return lengthFailure('path', rec.path, path);
    if (over(rec.query, query)) return lengthFailure('query', rec.query, query);
    if (over(rec.user_agent, userAgent)) return lengthFailure('user_agent', rec.user_agent, userAgent);
    if (over(rec.referer, referer)) return lengthFailure('referer', rec.referer, referer);
    if (over(rec.x_forwarded_for, xff)) return lengthFailure('x_forwarded_for', rec.x_forwarded_for, xff);
    if (over(rec.vhost, vhost)) return lengthFailure('vhost', rec.vhost, vhost);
    if (over(rec.user, user)) return lengthFailure('user', rec.user, user);
    if (over(rec.ident, ident)) return lengthFailure('ident', rec.ident, ident);
    if (over(rec.protocol, protocol)) return lengthFailure('protocol', rec.protocol, protocol);
    return null;
  };
}

/**
 * Compiles the enabled built-in checks of `config`, in a fixed order: client_ip, ts, method,
 * status, non-negative sizes, lengths. `ts_min` must already be validated (the schema does it).
 */
export function compileBuiltinChecks(config: ValidateConfig): Check[] {
  const on = config.checks;
  const checks: Check[] = [];
  if (on.client_ip) checks.push(checkClientIp);
  if (on.ts) checks.push(tsCheck(Date.parse(config.ts_min), config.ts_min, config.ts_max_future_secs));
  if (on.method) checks.push(methodCheck(config.allow_junk_requests, config.allowed_methods ? new Set(config.allowed_methods) : null));
  if (on.status) checks.push(checkStatus);
  if (on.non_negative) checks.push(nonNegative('bytes_sent'), nonNegative('request_time_ms'));
  if (on.lengths && Object.values(config.max_lengths).some((m) => m !== null)) checks.push(lengthsCheck(config.max_lengths));
  return checks;
}
