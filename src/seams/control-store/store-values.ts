/**
 * Checks and encodes values before they reach a control-store database, so both adapters refuse
 * the same inputs with the same error (`TRB_STORE_VALUE_INVALID`) before any statement runs.
 */
import { StoreValueInvalid } from '../store-errors.js';

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function check(v: unknown, what: string, path: string, seen: Set<object>): void {
  switch (typeof v) {
    case 'boolean': return;
    case 'string':
      // PostgreSQL text and jsonb cannot hold NUL; refusing it everywhere keeps the adapters identical.
      if (v.includes('\0')) throw StoreValueInvalid({ what, path, reason: 'contains a NUL character' });
      return;
    case 'number':
      if (!Number.isFinite(v)) throw StoreValueInvalid({ what, path, reason: `is ${v}, which JSON cannot hold` });
      return;
    case 'object': {
      if (v === null) return;
      if (seen.has(v)) throw StoreValueInvalid({ what, path, reason: 'is a circular reference' });
      seen.add(v);
      if (Array.isArray(v)) v.forEach((x, i) => check(x, what, `${path}[${i}]`, seen));
      else if (isPlainObject(v)) {
        for (const [k, x] of Object.entries(v)) {
          if (k.includes('\0')) throw StoreValueInvalid({ what, path, reason: 'has a key containing a NUL character' });
          if (x !== undefined) check(x, what, `${path}.${k}`, seen);
        }
      } else throw StoreValueInvalid({ what, path, reason: `is a ${v.constructor?.name ?? 'non-plain object'}, not plain JSON` });
      seen.delete(v);
      return;
    }
    default:
      throw StoreValueInvalid({ what, path, reason: `is a ${typeof v}, not plain JSON` });
  }
}

/**
 * Returns the JSON text of `value` (plain JSON only, see control-store.ts) or throws
 * `TRB_STORE_VALUE_INVALID` naming the offending path (e.g. `value.offsets[2]`).
 */
export function toJsonText(value: unknown, what: string, path = 'value'): string {
  check(value, what, path, new Set());
  return JSON.stringify(value);
}

/** Like {@link toJsonText} but the value must be a plain object (checkpoints). */
export function toJsonObjectText(value: unknown, what: string, path = 'value'): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw StoreValueInvalid({ what, path, reason: 'must be a JSON object' });
  }
  return toJsonText(value, what, path);
}

/** Normalises an ISO-8601 timestamp to `YYYY-MM-DDTHH:mm:ss.sssZ`, or throws `TRB_STORE_VALUE_INVALID`. */
export function toIsoTimestamp(value: string, what: string, path: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw StoreValueInvalid({ what, path, reason: `is not an ISO-8601 timestamp (${String(value)})` });
  return new Date(ms).toISOString();
}

/** Throws `TRB_STORE_VALUE_INVALID` unless `n` is a safe integer (>= `min`). */
export function checkInteger(n: number, what: string, path: string, min = Number.MIN_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(n) || n < min) {
    throw StoreValueInvalid({ what, path, reason: `must be an integer >= ${min === Number.MIN_SAFE_INTEGER ? 'MIN_SAFE_INTEGER' : min} (got ${String(n)})` });
  }
  return n;
}

/** Throws `TRB_STORE_VALUE_INVALID` unless `s` is a non-empty string. */
export function checkText(s: string, what: string, path: string): string {
  if (typeof s !== 'string' || s.length === 0) throw StoreValueInvalid({ what, path, reason: 'must be a non-empty string' });
  if (s.includes('\0')) throw StoreValueInvalid({ what, path, reason: 'contains a NUL character' });
  return s;
}

/** A timestamp column as the driver returned it (pg: Date, SQLite: ISO text) as ISO-8601 text. */
export function toIso(v: unknown): string {
  return v instanceof Date ? v.toISOString() : String(v);
}
