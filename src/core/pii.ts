/**
 * Column classification for access control and audits: every output column carries a `pii` tag.
 * - `none`: no personal data (status, bytes, timings);
 * - `pseudonymous`: personal data made non-identifying without extra information (truncated IPs,
 *   keyed pseudonyms, masked or redacted values);
 * - `personal`: identifies or can single out a person (client IP, user name, URLs and referers that
 *   may carry e-mails or tokens, user agents used for fingerprinting);
 * - `sensitive`: personal data kept recoverable (encrypted tokens readable by privileged roles).
 * These are the tags of the raw record; the `privacy` and `encrypt` stages change them per pipeline
 * (see {@link classifyAfter}), and the run summary records the result for every output column.
 */

/** The classification tags, least to most sensitive. */
export const PII_CLASSES = ['none', 'pseudonymous', 'personal', 'sensitive'] as const;
/** One of {@link PII_CLASSES}. */
export type PiiClass = (typeof PII_CLASSES)[number];

/** Tags of record columns as parsed (columns not listed are `none`). */
export const RAW_COLUMN_PII: Readonly<Record<string, PiiClass>> = Object.freeze({
  client_ip: 'personal', ident: 'personal', user: 'personal', path: 'personal', query: 'personal',
  referer: 'personal', user_agent: 'personal', x_forwarded_for: 'personal', extras: 'personal',
  message: 'personal', source_uri: 'none',
  visitor_id: 'pseudonymous', client_id: 'pseudonymous', session_id: 'pseudonymous',
});

/** The tag of a column after a privacy policy (`truncate`, `pseudonymize`, `encrypt`, `mask`, `drop`, `redact_url`, `keep`). */
export function classifyAfter(before: PiiClass, policy: string): PiiClass {
  switch (policy) {
    case 'drop': return 'none';
    case 'truncate': case 'pseudonymize': case 'mask': case 'redact_url': return before === 'none' ? 'none' : 'pseudonymous';
    case 'encrypt': return before === 'none' ? 'none' : 'sensitive';
    default: return before;
  }
}
