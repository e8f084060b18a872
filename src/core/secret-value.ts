/**
 * A secret value in memory. It prints as `[redacted]` everywhere: `String()`, template literals,
 * `JSON.stringify`, `util.inspect` / `console.log`, error messages built from it. The only way to
 * the plaintext is {@link SecretValue.reveal}, called at the one place that hands it to a driver.
 *
 * Config fields declared with `secretRef()` parse into an unresolved SecretValue holding only the
 * reference template (`${secret:NAME}`, or text with several references such as
 * `postgres://app:${secret:pg_password}@db/app`); the engine resolves it through the vault before
 * components are built.
 */
import { inspect } from 'node:util';
import { defineError } from './errors.js';
import { rememberSecret } from './secret-scrubber.js';

/** `reveal()` was called on a secret that the engine has not resolved through the vault. */
export const SecretUnresolved = defineError<{ secrets: readonly string[] }>(
  'TRB_SECRET_UNRESOLVED',
  'Secret {secrets} was used before it was resolved from the vault (an engine bug: resolve the config first)',
  { family: 'internal' });

const REDACTED = '[redacted]';
const REF = /\$\{secret:([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/** A redacted secret; see the module doc. Instances are immutable. */
export class SecretValue {
  /** The reference template as written in the config (safe to print: it holds names, not values). */
  readonly template: string;
  /** Names of the secrets the template refers to, in order of first use. */
  readonly names: readonly string[];
  readonly #value: string | undefined;

  private constructor(template: string, value: string | undefined) {
    this.template = template;
    this.names = Object.freeze([...new Set([...template.matchAll(REF)].map((m) => m[1] ?? ''))]);
    this.#value = value;
    if (value !== undefined) rememberSecret(value);
    Object.freeze(this);
  }

  /** An unresolved value for a config template containing at least one `${secret:NAME}`. */
  static reference(template: string): SecretValue {
    return new SecretValue(template, undefined);
  }

  /** A resolved value that is not from a config (e.g. read by `tributary secrets get`). */
  static of(value: string, name = 'value'): SecretValue {
    return new SecretValue(`\${secret:${name}}`, value);
  }

  /** True when {@link reveal} will return the plaintext. */
  get resolved(): boolean {
    return this.#value !== undefined;
  }

  /**
   * A resolved copy: every `${secret:NAME}` of the template replaced by `lookup(NAME)`. `lookup`
   * throws for a missing secret (the vault's own error, naming it).
   */
  resolve(lookup: (name: string) => string): SecretValue {
    return new SecretValue(this.template, this.template.replace(REF, (_m, name: string) => {
      const v = lookup(name);
      rememberSecret(v);
      return v;
    }));
  }

  /** The plaintext. Throws `TRB_SECRET_UNRESOLVED` when not resolved. */
  reveal(): string {
    if (this.#value === undefined) throw SecretUnresolved({ secrets: this.names.map((n) => `\`${n}\``) });
    return this.#value;
  }

  toString(): string { return REDACTED; }
  toJSON(): string { return REDACTED; }
  [Symbol.toPrimitive](): string { return REDACTED; }
  [inspect.custom](): string { return REDACTED; }
}

/** True for a {@link SecretValue}. */
export function isSecretValue(v: unknown): v is SecretValue {
  return v instanceof SecretValue;
}
