/**
 * The canonical JSON text hashed by the audit chain. PostgreSQL `jsonb` reorders object keys (and
 * SQLite keeps them as written), so an entry's details must hash the same whichever order its keys
 * come back in: objects are written with their keys sorted (by UTF-16 code units), recursively,
 * without whitespace; everything else is written as `JSON.stringify` writes it.
 */

/**
 * The canonical text of `value`, which must be plain JSON (null, booleans, finite numbers, strings,
 * arrays, plain objects); `undefined` object members are left out as `JSON.stringify` does.
 * Throws a TypeError for anything else (a bug: callers pass values from {@link toAuditDetails} or
 * read back from the store).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not JSON`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
      const o = value as Record<string, unknown>;
      const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} is not JSON`);
  }
}
