/** Run-level errors of the `encrypt` stage. */
import { defineError } from '../../core/errors.js';

/**
 * A listed field is absent from the records or holds non-text values (e.g. an access-log field in
 * an error-log pipeline). Fails the run rather than leaving a field the user asked to protect in
 * clear text.
 */
export const EncryptFieldInvalid = defineError<{ stage: string; field: string; reason: string }>(
  'TRB_CONFIG_ENCRYPT_FIELD',
  'Stage `{stage}` cannot encrypt field `{field}`: {reason}; fix its `fields` list',
  { family: 'config' });
