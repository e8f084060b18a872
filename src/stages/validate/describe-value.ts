/** Renders field values for rejection reasons: short, quoted, never throwing. */

/** Longest value rendering (in characters) a reason carries before it is cut with `…`. */
export const MAX_REASON_VALUE_CHARS = 80;

/**
 * Renders `v` for a human reason: strings JSON-quoted, numbers and booleans as-is, other values as
 * JSON. The text of the value is cut to {@link MAX_REASON_VALUE_CHARS} characters (marked `…`).
 */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return cut(String(v));
  if (typeof v === 'string') return JSON.stringify(cut(v));
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    json = undefined;
  }
  return cut(json ?? Object.prototype.toString.call(v));
}

/** Epoch milliseconds as ISO-8601 when representable, else the plain number. Never throws. */
export function describeEpochMs(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

function cut(s: string): string {
  return s.length > MAX_REASON_VALUE_CHARS ? `${s.slice(0, MAX_REASON_VALUE_CHARS)}…` : s;
}
