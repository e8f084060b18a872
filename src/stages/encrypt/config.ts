/**
 * Options of the `encrypt` stage: which text fields become `enc:v1:` tokens, under which vault
 * key, bound to which dataset name. The only declaration of the stage's config.
 */
import { z } from 'zod';
import { ACCESS_SCHEMA, ERROR_SCHEMA } from '../../core/record.js';

/** Record columns that hold text (the only ones a token can replace), across the built-in schemas. */
export const TEXT_COLUMNS: ReadonlySet<string> = new Set(
  [...ACCESS_SCHEMA.columns, ...ERROR_SCHEMA.columns].filter((c) => c.type === 'varchar').map((c) => c.name));

/** Config of the `encrypt` stage. */
export const EncryptConfig = z.strictObject({
  fields: z.array(z.string().refine((f) => TEXT_COLUMNS.has(f), {
    message: `must be a text column of the record (${[...TEXT_COLUMNS].sort().join(', ')})`,
  })).min(1, { error: 'list at least one field' })
    .refine((a) => new Set(a).size === a.length, { message: 'lists a field twice' })
    .meta({ description: 'Text fields whose values are replaced by encrypted tokens (`enc:v1:<key>:<version>:<payload>`); null values stay null.', examples: [['client_ip', 'user']] }),
  key: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/, { error: 'must be a vault key name: letters, digits, `_`, `.` or `-`' })
    .default('field')
    .meta({ description: 'Vault data key (kind `field`, AES-256-GCM) to encrypt with; created on first use. Tokens record its version, so rotation keeps old tokens readable.' }),
  dataset: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { error: 'must be a plain identifier' }).default('requests')
    .meta({ description: 'Dataset name bound into every token (with the field name): a token only decrypts as the same dataset and field. Use the sinks\' table/dataset name.' }),
}).meta({ description: 'Encrypts listed fields (AES-256-GCM, vault key) before they reach silver and the warehouse; recover values with the privileged `tributary decrypt`.' });

/** A parsed {@link EncryptConfig}. */
export type EncryptConfig = z.infer<typeof EncryptConfig>;
