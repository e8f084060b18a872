/**
 * Defence in depth for secret values: every value a {@link import('./secret-value.js').SecretValue}
 * resolves to is remembered (in this process only), and text leaving the process through the
 * logger, CLI error output and run records is scrubbed of those values. Redaction by type
 * (`[redacted]` from SecretValue) is the first line; this catches a value that escaped its wrapper,
 * e.g. a driver error message quoting a connection string.
 */

const known = new Set<string>();
const MIN_LENGTH = 4;

/** Remembers `value` for {@link scrubSecrets} (values shorter than 4 characters are ignored). */
export function rememberSecret(value: string): void {
  if (value.length >= MIN_LENGTH) known.add(value);
}

/** `text` with every remembered secret value replaced by `[redacted]`. */
export function scrubSecrets(text: string): string {
  if (known.size === 0) return text;
  let out = text;
  for (const v of known) if (out.includes(v)) out = out.split(v).join('[redacted]');
  return out;
}
