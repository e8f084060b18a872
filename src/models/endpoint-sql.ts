/**
 * Endpoint normalisation as a SQL expression (portable: `regexp_replace(..., 'g')` exists in DuckDB
 * and PostgreSQL): `/users/123/orders/9f8a0c…` → `/users/:id/orders/:id`, so performance per
 * endpoint is meaningful. Configured patterns apply first (in order), then path segments that are
 * numbers, UUIDs or long hex strings (≥ 16 hex digits: hashes, object ids) become `:id`.
 */
import { quoteLiteral } from '../sinks/_shared/sql.js';

/** A user pattern: `pattern` (a regular expression, RE2 syntax) replaced by `replacement` (`\\1` for groups). */
export interface EndpointPattern {
  readonly pattern: string;
  readonly replacement: string;
}

/** Automatic segment patterns, applied after the configured ones. */
const AUTO: readonly string[] = [
  '/[0-9]+(/|$)',
  '/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(/|$)',
  '/[0-9a-fA-F]{16,}(/|$)',
];

/** The SQL expression normalising the path column `column` (an already-quoted identifier or expression). */
export function endpointExpr(column: string, patterns: readonly EndpointPattern[] = []): string {
  let e = column;
  for (const p of patterns) e = `regexp_replace(${e}, ${quoteLiteral(p.pattern)}, ${quoteLiteral(p.replacement)}, 'g')`;
  // Twice: adjacent segments (`/1/2`) share the slash the first pass consumed.
  for (let pass = 0; pass < 2; pass++) for (const a of AUTO) e = `regexp_replace(${e}, ${quoteLiteral(a)}, '/:id\\1', 'g')`;
  return e;
}
