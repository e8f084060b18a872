/** The built-in access-log checks, compiled once per stage from its config. */
import { isIP } from 'node:net';
import type { ValidateConfig } from './config.js';
import type { Check, CheckFailure, ValidatedRecord } from './check.js';
import { describeEpochMs, describeValue } from './describe-value.js';

/** RFC 9110 §5.6.2 `token` (1*tchar). */
export const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DOTTED_QUAD = /^(?:::ffff:)?\d+\.\d+\.\d+\.\d+$/i;

const fail = (code: CheckFailure['code'], field: string, reason: string): CheckFailure => ({ code, field, reason });

function checkClientIp(rec: ValidatedRecord): CheckFailure | null {
  const v: unknown = rec.client_ip;
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' && isIP(v) !== 0) return null;
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
    if (!HTTP_TOKEN.test(v)) return fail('schema_violation', 'method', `method ${describeValue(v)} is not an RFC 9110 token`);
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

function lengthsCheck(limits: readonly (readonly [string, number])[]): Check {
  const fields = limits.map(([f]) => f);
  const maxes = limits.map(([, m]) => m);
  const n = limits.length;
  return (rec) => {
    const r = rec as unknown as Readonly<Record<string, unknown>>;
    for (let k = 0; k < n; k++) {
      const field = fields[k]!;
      const v = r[field];
      if (typeof v === 'string' && v.length > maxes[k]!) {
        return fail('value_out_of_range', field, `${field} ${describeValue(v)} is ${v.length} characters long, above max_lengths.${field}=${maxes[k]!}`);
      }
    }
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
  if (on.lengths) {
    const limits = Object.entries(config.max_lengths).filter((e): e is [string, number] => e[1] !== null);
    if (limits.length > 0) checks.push(lengthsCheck(limits));
  }
  return checks;
}
