/**
 * Persistence of the secret vault inside the control store. This layer stores ciphertext only: it
 * never sees a master key, a data key or a plaintext value (the crypto is in `security/vault`).
 * Both control-store adapters implement it with the same SQL (`sql-vault-store.ts`) and pass the
 * vault part of `test/contract/control-store.contract.ts`.
 */

/** What kind of value an entry holds; fixed for all versions of a name. */
export const VAULT_KINDS = ['secret', 'hmac', 'field', 'audit', 'age'] as const;
/** One of {@link VAULT_KINDS}. */
export type VaultKind = (typeof VAULT_KINDS)[number];

/** A version to store; its `version` is assigned by {@link VaultStore.putVersion}. */
export interface NewVaultVersion {
  readonly name: string;
  readonly kind: VaultKind;
  /** Encoded ciphertext of the value under the version's data key. */
  readonly ciphertext: string;
  /** Encoded data key, wrapped by the master key `masterKeyId`. */
  readonly wrappedKey: string;
  readonly masterKeyId: string;
  /** Who wrote it (an actor name, never a credential). */
  readonly createdBy: string;
  /** Rotation policy in days (doctor flags versions older than this), or null. */
  readonly rotateAfterDays: number | null;
  /** Public, non-secret metadata (e.g. an age recipient), JSON object or null. */
  readonly meta: Readonly<Record<string, unknown>> | null;
}

/** A stored version. */
export interface VaultVersion extends NewVaultVersion {
  /** 1, 2, ... per name. */
  readonly version: number;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
}

/** The vault's persistence (`ControlStore.vault`). Errors are `store` family codes. */
export interface VaultStore {
  /**
   * Stores the next version of `v.name` (1 for a new name) and returns its number. Atomic: two
   * concurrent writers get distinct versions. `expectVersion` (optional) makes it compare-and-set:
   * the write fails with `TRB_STORE_CONFLICT` unless the latest version is exactly that (0 = the name
   * must not exist). A name's kind never changes: a different kind is `TRB_STORE_CONFLICT` too.
   */
  putVersion(v: NewVaultVersion, opts?: { readonly expectVersion?: number }): Promise<number>;
  /** One version of `name` (latest when `version` is omitted), or undefined. */
  getVersion(name: string, version?: number): Promise<VaultVersion | undefined>;
  /** Every version of `name` (or of every name), ordered by name then version. */
  listVersions(name?: string): Promise<readonly VaultVersion[]>;
  /** Deletes every version of `name`; returns how many rows went. */
  remove(name: string): Promise<number>;
  /**
   * Replaces the wrapped data key of one version, only if it is still wrapped by
   * `fromMasterKeyId` (compare-and-set; true when it changed). The ciphertext is untouched, so a
   * crash between two calls leaves every version readable with the old or the new master key.
   */
  rewrap(name: string, version: number, fromMasterKeyId: string, wrappedKey: string, toMasterKeyId: string): Promise<boolean>;
}
