/**
 * Where the vault's master key comes from. The vault never holds master key bytes itself: it asks
 * a provider to wrap and unwrap data keys, the way a KMS works. Local providers (env var, key file)
 * do the wrapping with AES-256-GCM in process (`local-keyring.ts`); a KMS provider sends the data
 * key to the KMS (AWS KMS Encrypt/Decrypt, Vault Transit encrypt/decrypt) and never sees the key.
 */

/** A data key wrapped by one master key version. */
export interface WrappedKey {
  /** Master key id, e.g. `mk-3f2a9c1e7b4d5a60` (local) or the KMS key id/version. Safe to print. */
  readonly keyId: string;
  /** Opaque printable text. */
  readonly wrapped: string;
}

/** A source of master keys. */
export interface MasterKeyProvider {
  /** `env`, `file` or `kms`. */
  readonly kind: 'env' | 'file' | 'kms';
  /** Human description of where the key is (a path, a variable name, a KMS key); never key bytes. */
  readonly location: string;
  /** False when no master key is available (the vault is sealed). */
  available(): Promise<boolean>;
  /** Id of the key new wraps use. Throws `TRB_SECRET_VAULT_SEALED` when unavailable. */
  currentKeyId(): Promise<string>;
  /** Ids of every key version this provider can unwrap with, current first. */
  keyIds(): Promise<readonly string[]>;
  /** Wraps `dataKey` with the current master key; `context` is bound as additional data. */
  wrap(dataKey: Buffer, context: string): Promise<WrappedKey>;
  /**
   * Unwraps a data key. Throws `TRB_SECRET_WRONG_MASTER_KEY` when `keyId` is not held and
   * `TRB_SECRET_CORRUPTED` when authentication fails (altered bytes or context).
   */
  unwrap(w: WrappedKey, context: string, secret: string): Promise<Buffer>;
  /**
   * Creates a new master key version and makes it current; older versions stay usable for
   * unwrapping. Returns the new id. Providers that cannot (env) throw `TRB_SECRET_ROTATION_EXTERNAL`
   * with instructions.
   */
  rotate(): Promise<string>;
  /**
   * Forgets key versions other than the current one (after every entry was re-wrapped). Providers
   * that cannot (env: the operator unsets the old variable) do nothing.
   */
  retire?(keepIds: readonly string[]): Promise<void>;
  /** Advice printed to the operator about this provider (where the key is, how to move it). */
  readonly notice?: string;
}
