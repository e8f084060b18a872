/**
 * Makes the free-form parts of an audit event storable and hashable. Callers must never pass secret
 * values (they pass names, versions, counts and hashes); this is the safety net for when one does by
 * mistake: a {@link SecretValue} becomes `[redacted]` and bytes (Buffer, typed arrays, ArrayBuffer)
 * become `[redacted bytes]`, so key material handed over by accident never reaches the log.
 *
 * Strings are made storable by both control-store adapters byte for byte: a lone UTF-16 surrogate
 * (which the drivers would silently turn into U+FFFD *after* hashing, breaking the chain) and NUL
 * (which PostgreSQL refuses) are replaced by U+FFFD before anything is hashed.
 */
import { isSecretValue } from '../../core/secret-value.js';

/** What a redacted secret value becomes. */
export const REDACTED = '[redacted]';
/** What redacted bytes become. */
export const REDACTED_BYTES = '[redacted bytes]';

const MAX_DEPTH = 16;
const UNSAFE_TEXT = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\0/g;

/** `s` with lone surrogates and NUL replaced by U+FFFD (identity for ordinary text). */
export function storableText(s: string): string {
  return s.replace(UNSAFE_TEXT, '\uFFFD');
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function walk(v: unknown, depth: number, seen: Set<object>): unknown {
  switch (typeof v) {
    case 'string': return storableText(v);
    case 'boolean': return v;
    case 'number': return Number.isFinite(v) ? v : null;
    case 'bigint': return v.toString();
    case 'undefined': case 'function': case 'symbol': return undefined;
    default: break;
  }
  if (v === null) return null;
  const o = v as object;
  if (isSecretValue(o)) return REDACTED;
  if (Buffer.isBuffer(o) || ArrayBuffer.isView(o) || o instanceof ArrayBuffer) return REDACTED_BYTES;
  if (o instanceof Date) return Number.isFinite(o.getTime()) ? o.toISOString() : null;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (seen.has(o)) return '[circular]';
  seen.add(o);
  try {
    if (Array.isArray(o)) return o.map((x) => walk(x, depth + 1, seen) ?? null);
    if (!isPlainObject(o)) {
      const toJSON = (o as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return walk((toJSON as () => unknown).call(o), depth + 1, seen);
      if (o instanceof Error) return { name: storableText(o.name), message: storableText(o.message) };
      return `[${storableText(o.constructor?.name ?? 'object')}]`;
    }
    // fromEntries, not assignment: a `__proto__` key stays a plain member.
    const out: [string, unknown][] = [];
    for (const [k, x] of Object.entries(o)) {
      const w = walk(x, depth + 1, seen);
      if (w !== undefined) out.push([storableText(k), w]);
    }
    return Object.fromEntries(out);
  } finally {
    seen.delete(o);
  }
}

/**
 * The plain-JSON details stored with an entry: a deep copy of `details` with secrets and bytes
 * redacted (see the module doc), dates as ISO strings, bigints as decimal strings, non-finite
 * numbers as null, functions and `undefined` members dropped, cycles as `[circular]`. Returns null
 * for undefined or null. Never throws.
 */
export function toAuditDetails(details: Readonly<Record<string, unknown>> | null | undefined): Readonly<Record<string, unknown>> | null {
  if (details === undefined || details === null) return null;
  const w = walk(details, 0, new Set());
  return typeof w === 'object' && w !== null && !Array.isArray(w) ? w as Record<string, unknown> : { value: w ?? null };
}
