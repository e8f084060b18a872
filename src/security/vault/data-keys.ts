/**
 * Data keys held by the vault for other components: keyed-pseudonymisation keys (`hmac`, versions
 * are epochs), field-encryption keys (`field`, AES-256-GCM), the audit key (`audit`, HMAC-SHA256)
 * and age identities (`age`, for bronze archives and backups). Components depend on this interface,
 * not on the vault class, so they can be tested with any implementation of it.
 */
import type { VaultKind } from '../../seams/control-store/vault-store.js';

/** Kinds of vault entries that are generated keys (never typed in by a user). */
export type DataKeyKind = Exclude<VaultKind, 'secret'>;

/** One version of a data key, decrypted. Keep it in memory only; never log `material`. */
export interface DataKey {
  readonly name: string;
  readonly kind: DataKeyKind;
  /** 1, 2, ... (for `hmac` keys this is the epoch). */
  readonly version: number;
  /**
   * Key bytes: 32 random bytes for `hmac`, `field` and `audit`; for `age` the UTF-8 bytes of the
   * identity string `AGE-SECRET-KEY-1...`.
   */
  readonly material: Buffer;
  /** Public metadata; for `age` `{ recipient: 'age1...' }`. */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** Access to data keys. Every method fails with a `secret` family error when the vault is sealed. */
export interface DataKeys {
  /**
   * The latest version of `name`. When `name` does not exist and `create` is true, version 1 is
   * generated (and audited); otherwise `TRB_SECRET_NOT_FOUND`. A name of another kind is
   * `TRB_SECRET_KIND_MISMATCH`.
   */
  current(name: string, kind: DataKeyKind, opts?: { readonly create?: boolean }): Promise<DataKey>;
  /** One version of `name` (`TRB_SECRET_NOT_FOUND` when missing). */
  version(name: string, version: number): Promise<DataKey>;
  /** Every version of `name`, oldest first (empty when the name does not exist). */
  all(name: string): Promise<readonly DataKey[]>;
}
