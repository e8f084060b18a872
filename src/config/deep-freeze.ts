/** Deep freezing of parsed configuration. */

/**
 * Freezes `value` and every object and array reachable from it, in place, and returns it.
 * Cycles are safe. Buffers and typed arrays are left alone (they cannot be frozen).
 */
export function deepFreeze<T>(value: T): T {
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v) || ArrayBuffer.isView(v)) return;
    seen.add(v);
    for (const k of Reflect.ownKeys(v)) walk((v as Record<PropertyKey, unknown>)[k]);
    Object.freeze(v);
  };
  walk(value);
  return value;
}
