/** Reading a text field that a protecting stage (encrypt, privacy) must transform. */
import { EncryptFieldInvalid } from './errors.js';

/**
 * The value of `field` in `rec`: a string, or null. A missing field or a non-text value fails the
 * run with `TRB_CONFIG_ENCRYPT_FIELD` naming the stage and field: a protecting stage never lets a
 * value through untreated.
 */
export function textField(stage: string, rec: Readonly<Record<string, unknown>>, field: string): string | null {
  const v = rec[field];
  if (v === null || typeof v === 'string') return v;
  throw EncryptFieldInvalid({
    stage, field,
    reason: v === undefined ? `the records of this pipeline have no such field (they have ${Object.keys(rec).join(', ')})` : `it holds ${typeof v} values, not text`,
  });
}
