/**
 * The one place sinks read a `secretRef()` config field's plaintext. Today such a field parses to
 * its `${secret:NAME}` reference string; once the vault resolves configs it is a
 * {@link SecretValue}. Both shapes go through here, so switching the schema changes nothing else.
 */
import { isSecretValue, SecretUnresolved, type SecretValue } from '../../core/secret-value.js';
import { SECRET_REF_PATTERN } from '../../config/schema/secret-ref.js';

/**
 * The plaintext of a secret config field, to hand to a driver (never log it). Throws
 * `TRB_SECRET_UNRESOLVED` for a reference the engine has not resolved through the vault.
 */
export function revealSecret(field: string | SecretValue): string {
  if (isSecretValue(field)) return field.reveal();
  const refs = [...field.matchAll(SECRET_REF_PATTERN)].map((m) => `\`${m[1] ?? ''}\``);
  if (refs.length > 0) throw SecretUnresolved({ secrets: refs });
  return field;
}
