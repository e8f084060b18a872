/**
 * Options of the `privacy` stage: one policy per field, applied before the first write of silver.
 * The only declaration of the stage's config.
 */
import { z } from 'zod';
import { TEXT_COLUMNS } from '../encrypt/config.js';

const KEY_NAME = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, { error: 'must be a vault key name: letters, digits, `_`, `.` or `-`' });

/** Policy names. */
export const PRIVACY_POLICIES = ['truncate', 'pseudonymize', 'encrypt', 'mask', 'drop', 'redact_url', 'keep'] as const;

const Truncate = z.strictObject({
  policy: z.literal('truncate'),
  ipv4_prefix: z.number().int().min(0).max(32).default(24).meta({ description: 'IPv4 bits kept (24 = last byte zeroed).' }),
  ipv6_prefix: z.number().int().min(0).max(128).default(48).meta({ description: 'IPv6 bits kept.' }),
});
const Mask = z.strictObject({
  policy: z.literal('mask'),
  keep_start: z.number().int().min(0).default(0).meta({ description: 'Characters kept at the start.' }),
  keep_end: z.number().int().min(0).default(0).meta({ description: 'Characters kept at the end.' }),
  char: z.string().length(1).default('*').meta({ description: 'Replacement character.' }),
});
const Simple = z.strictObject({ policy: z.enum(['pseudonymize', 'encrypt', 'drop', 'redact_url', 'keep']) });

/** One field's policy: a policy name, or an object with the policy and its options. */
export const FieldPolicy = z.union([
  z.enum(PRIVACY_POLICIES).transform((policy) => (policy === 'truncate' ? Truncate.parse({ policy })
    : policy === 'mask' ? Mask.parse({ policy }) : { policy })),
  Truncate, Mask, Simple,
]).meta({ description: 'A policy name (`truncate`, `pseudonymize`, `encrypt`, `mask`, `drop`, `redact_url`, `keep`) or an object `{ policy, ...options }`.' });

/** A parsed {@link FieldPolicy}. */
export type FieldPolicy = z.infer<typeof FieldPolicy>;

/** Policies applied when `fields` is not given. */
export const DEFAULT_FIELD_POLICIES: Readonly<Record<string, string>> = Object.freeze({
  client_ip: 'truncate', x_forwarded_for: 'truncate', user: 'pseudonymize', path: 'redact_url', query: 'redact_url', referer: 'redact_url',
});

/** Config of the `privacy` stage. */
export const PrivacyConfig = z.strictObject({
  fields: z.record(z.string().refine((f) => TEXT_COLUMNS.has(f), { message: `must be a text column of the record (${[...TEXT_COLUMNS].sort().join(', ')})` }), FieldPolicy)
    .prefault(DEFAULT_FIELD_POLICIES as Record<string, 'truncate'>)
    .meta({
      description: 'Policy per field. Default: client_ip and x_forwarded_for truncated, user pseudonymised, path, query and referer redacted.',
      examples: [{ client_ip: 'pseudonymize', user: 'drop', referer: 'redact_url' }],
    }),
  pseudonym_key: KEY_NAME.default('pseudonyms')
    .meta({ description: 'Vault HMAC key for `pseudonymize` (created on first use); its version is the pseudonym epoch (`tributary secrets rotate pseudonyms` starts a new one).' }),
  encrypt_key: KEY_NAME.default('field')
    .meta({ description: 'Vault field-encryption key for `encrypt` (tokens recoverable with the privileged `tributary decrypt`).' }),
  dataset: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { error: 'must be a plain identifier' }).default('requests')
    .meta({ description: 'Dataset name bound into encrypted tokens.' }),
}).meta({ description: 'GDPR policies per field (truncate IPs, keyed pseudonyms, encrypt, mask, drop, redact personal data in URLs), applied before anything reaches silver or the warehouse.' });

/** A parsed {@link PrivacyConfig}. */
export type PrivacyConfig = z.infer<typeof PrivacyConfig>;
