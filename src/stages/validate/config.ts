/**
 * Options of the `validate` stage: built-in access-log checks (each can be switched off), path
 * decoding, per-field length caps and a list of user rules. This schema is the only declaration of
 * the stage's config; defaults, docs and the JSON Schema all come from it.
 */
import { z } from 'zod';
import { ACCESS_SCHEMA, ERROR_SCHEMA } from '../../core/record.js';

const COLUMN_NAMES: ReadonlySet<string> = new Set([...ACCESS_SCHEMA.columns, ...ERROR_SCHEMA.columns].map((c) => c.name));
const EXTRAS_FIELD = /^extras\.[^.\s][^\s]*$/;

/** True when `name` is a record column (access or error schema) or `extras.<key>`. */
export function isRuleField(name: string): boolean {
  return COLUMN_NAMES.has(name) || EXTRAS_FIELD.test(name);
}

/** Returns the compile error of a user regex, or null when it compiles. */
export function regexError(source: string): string | null {
  try {
    new RegExp(source);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const isoInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be an ISO-8601 date (2000-01-01) or a date-time with Z or an offset (2000-01-01T00:00:00Z)',
});
const length = (def: number, what: string) =>
  z.number().int().positive().nullable().default(def)
    .meta({ description: `Maximum length of \`${what}\` in characters (UTF-16 code units); null = no limit.` });
const scalar = z.union([z.string(), z.number()]);

/** One user rule: every check it sets must hold for the field's value. */
export const ValidateRule = z.strictObject({
  field: z.string().refine(isRuleField, { message: 'must be a record column (e.g. `status`, `path`) or `extras.<key>`' })
    .meta({ description: 'Field the rule applies to: a record column or `extras.<key>`.' }),
  required: z.boolean().optional()
    .meta({ description: 'Reject with `required_missing` when the value is null or absent. Without it, an absent value skips the other checks.' }),
  allowed: z.array(scalar).min(1).optional()
    .meta({ description: 'Allowed values, compared as strings (`200` matches 200 and "200"); otherwise `value_out_of_range`.' }),
  regex: z.string().refine((s) => regexError(s) === null, { message: 'is not a valid JavaScript regular expression' }).optional()
    .meta({ description: 'JavaScript regular expression the value (as a string) must match; not anchored, use ^...$ for a full match. Otherwise `schema_violation`.' }),
  min_length: z.number().int().nonnegative().optional()
    .meta({ description: 'Minimum length in characters of the value as a string; otherwise `value_out_of_range`.' }),
  max_length: z.number().int().nonnegative().optional()
    .meta({ description: 'Maximum length in characters of the value as a string; otherwise `value_out_of_range`.' }),
  min: z.number().optional()
    .meta({ description: 'Minimum numeric value (inclusive); a non-numeric value is `type_conversion_failed`, a smaller one `value_out_of_range`.' }),
  max: z.number().optional()
    .meta({ description: 'Maximum numeric value (inclusive); a non-numeric value is `type_conversion_failed`, a larger one `value_out_of_range`.' }),
}).refine((r) => r.required !== undefined || r.allowed !== undefined || r.regex !== undefined || r.min_length !== undefined
  || r.max_length !== undefined || r.min !== undefined || r.max !== undefined,
{ message: 'a rule must set at least one of required, allowed, regex, min_length, max_length, min, max' })
  .meta({ description: 'A user rule on one field; the first failing check rejects the record.' });
/** A parsed {@link ValidateRule}. */
export type ValidateRule = z.infer<typeof ValidateRule>;

/** Switches for the built-in checks; every check is on by default. */
export const ValidateChecks = z.strictObject({
  client_ip: z.boolean().default(true)
    .meta({ description: 'When present, `client_ip` must be an IPv4 or IPv6 address (IPv4-mapped included).' }),
  ts: z.boolean().default(true)
    .meta({ description: '`ts` must be present and within [`ts_min`, now + `ts_max_future_secs`].' }),
  method: z.boolean().default(true)
    .meta({ description: '`method` must be an RFC 9110 token (null only with `allow_junk_requests`), and in `allowed_methods` when set.' }),
  status: z.boolean().default(true)
    .meta({ description: 'When present, `status` must be an integer in 100..599.' }),
  non_negative: z.boolean().default(true)
    .meta({ description: 'When present, `bytes_sent` and `request_time_ms` must be finite and >= 0.' }),
  lengths: z.boolean().default(true)
    .meta({ description: 'Apply `max_lengths`.' }),
}).meta({ description: 'Turn individual built-in checks on or off.' });

/** Per-field maximum lengths applied by the `lengths` check. */
export const ValidateMaxLengths = z.strictObject({
  path: length(8192, 'path'),
  query: length(8192, 'query'),
  user_agent: length(2048, 'user_agent'),
  referer: length(4096, 'referer'),
  x_forwarded_for: length(2048, 'x_forwarded_for'),
  vhost: length(255, 'vhost'),
  user: length(256, 'user'),
  ident: length(256, 'ident'),
  protocol: length(32, 'protocol'),
}).meta({ description: 'Maximum string lengths; a longer value is `value_out_of_range`.' });

/** Config of the `validate` stage. */
export const ValidateConfig = z.strictObject({
  checks: ValidateChecks.default(ValidateChecks.parse({})),
  ts_min: isoInstant.default('2000-01-01')
    .meta({ description: 'Earliest accepted `ts` (ISO-8601 date or date-time with offset).', examples: ['2000-01-01', '2020-06-01T00:00:00Z'] }),
  ts_max_future_secs: z.number().int().nonnegative().default(86_400)
    .meta({ description: 'How far `ts` may lie after the reference clock, in seconds (clock skew, time zones).' }),
  now: isoInstant.optional()
    .meta({ description: 'Fixed reference clock for `ts_max_future_secs` (ISO-8601); by default the wall clock at each batch. For tests and backfills.' }),
  allow_junk_requests: z.boolean().default(true)
    .meta({ description: 'Accept records whose request line was junk (null `method`), e.g. TLS handshakes sent to an HTTP port.' }),
  allowed_methods: z.array(z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'must be an RFC 9110 token')).min(1).optional()
    .meta({ description: 'When set, `method` must be one of these (case-sensitive); otherwise `value_out_of_range`.', examples: [['GET', 'HEAD', 'POST']] }),
  decode_path: z.boolean().default(true)
    .meta({ description: 'Percent-decode `path` as UTF-8 (`+` stays `+`). A malformed escape or invalid UTF-8 keeps the raw path and sets `extras.path_raw_invalid = "1"`; never a rejection.' }),
  max_lengths: ValidateMaxLengths.default(ValidateMaxLengths.parse({})),
  rules: z.array(ValidateRule).default([])
    .meta({ description: 'User rules, checked in order after the built-in checks.' }),
}).meta({ description: 'Checks parsed access-log records and quarantines the ones that fail.' });
/** A parsed {@link ValidateConfig}. */
export type ValidateConfig = z.infer<typeof ValidateConfig>;
