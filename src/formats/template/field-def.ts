/**
 * The intermediate form both log-format compilers (Apache `%` directives, Nginx `$` variables)
 * produce: a list of literals and {@link FieldDef}s. A field names the record column(s) it fills
 * (its claims); when two fields claim the same column, the one with the lower rank (then the
 * earlier one) wins and the other is kept in `extras` under its key.
 */
import type { StrftimeParser } from '../time/strftime.js';

/** What a field's text becomes. Numeric ids keep the per-line switch cheap. */
export const Target = Object.freeze({
  ClientIp: 1, Ident: 2, User: 3, Request: 4, Method: 5, Path: 6, Query: 7, Protocol: 8, RequestUri: 9,
  Status: 10, Bytes: 11, Referer: 12, UserAgent: 13, ForwardedFor: 14, Vhost: 15, Port: 16,
  TimeUs: 17, TimeMs: 18, TimeSecs: 19, UpstreamList: 20,
  TsClf: 21, TsClfBracket: 22, TsIso: 23, TsEpochSecs: 24, TsEpochMs: 25, TsEpochUs: 26, TsStrftime: 27,
  TsFracMs: 28, TsFracUs: 29, Extra: 30,
} as const);

/** One of the {@link Target} ids. */
export type TargetId = (typeof Target)[keyof typeof Target];

/** A field of a compiled log format, before column conflicts are resolved. */
export interface FieldDef {
  readonly target: TargetId;
  /** The directive or variable as written (`%>s`, `$status`), for messages and docs. */
  readonly source: string;
  /** Field name used in reasons and `field` of a failure (`status`, `request`, `header_x_id`). */
  readonly name: string;
  /** `extras` key when the field is (or becomes) an extra. */
  readonly key: string;
  /** Record columns this field fills; empty for extras. */
  readonly claims: readonly string[];
  /** Lower rank wins a contested column. */
  readonly rank: number;
  /** Shared claims may coexist (pieces of one timestamp). */
  readonly shared?: boolean;
  /** For {@link Target.TsStrftime}. */
  readonly strftime?: StrftimeParser;
}

/** A parsed log-format string: literals and fields in line order. */
export type TemplateToken = string | FieldDef;

/** Builds an extras field. */
export function extraField(source: string, key: string): FieldDef {
  return { target: Target.Extra, source, name: key, key, claims: [], rank: 0 };
}

/** Turns a header name into its extras key: `X-Request-Id` → `header_x_request_id`. */
export function headerKey(prefix: string, header: string): string {
  return prefix + header.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/**
 * Resolves contested columns: each field keeps its target unless a better-ranked field already
 * claimed one of its columns, in which case it becomes an extra under its `key`.
 */
export function resolveClaims(tokens: readonly TemplateToken[]): TemplateToken[] {
  const order = tokens
    .map((t, i) => ({ t, i }))
    .filter((x): x is { t: FieldDef; i: number } => typeof x.t !== 'string')
    .sort((a, b) => a.t.rank - b.t.rank || a.i - b.i);
  const held = new Map<string, boolean>(); // column → held by a shared claim
  const out = [...tokens];
  for (const { t, i } of order) {
    if (t.claims.length === 0) continue;
    const blocked = t.claims.some((c) => held.has(c) && !(t.shared && held.get(c)));
    if (blocked) { out[i] = extraField(t.source, t.key); continue; }
    for (const c of t.claims) held.set(c, t.shared === true);
  }
  return out;
}
