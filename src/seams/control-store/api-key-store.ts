/**
 * Persistence of API keys inside the control store (`ControlStore.apiKeys`). It holds the public
 * id (the key's lookup prefix), metadata and a scrypt hash of the key, never the key itself; the
 * format and hashing live in `security/apikeys`. Both adapters implement it with the same SQL
 * (`sql-api-key-store.ts`) and pass `test/contract/identity-store.contract.ts`.
 */

/** A key to store. Instants are ISO-8601 UTC strings. */
export interface NewApiKeyRow {
  /** The key's public lookup prefix; unique. */
  readonly id: string;
  /** A human label (`grafana-prod`). */
  readonly name: string;
  readonly role: string;
  /** Permissions the key is narrowed to; empty = all of the role's. */
  readonly scopes: readonly string[];
  /** Encoded scrypt hash with its parameters (see security/apikeys/key-hash.ts). */
  readonly hash: string;
  readonly createdAt: string;
  /** Actor that created it (`cli:alice`, `api:<id>`); never a credential. */
  readonly createdBy: string;
  readonly expiresAt: string | null;
}

/** A stored key. */
export interface ApiKeyRow extends NewApiKeyRow {
  /** When the key stops (or stopped) working; may lie in the future during a rotation grace period. */
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  /** Id of the key that replaced this one by rotation. */
  readonly replacedBy: string | null;
  /** Last successful authentication, updated at most about once a minute. */
  readonly lastUsedAt: string | null;
}

/** The API keys' persistence. Errors are `store` family codes. */
export interface ApiKeyStore {
  /** Stores a new key. `TRB_STORE_CONFLICT` when the id exists, `TRB_STORE_VALUE_INVALID` for bad values. */
  insert(k: NewApiKeyRow): Promise<void>;
  /** The key with this id, read from the database on every call (never cached), or undefined. */
  get(id: string): Promise<ApiKeyRow | undefined>;
  /** Every key, oldest first (then by id). */
  list(): Promise<readonly ApiKeyRow[]>;
  /**
   * Sets `revokedAt = at` unless the key is already revoked at or before `at` (so revoking a key in
   * its rotation grace period makes it stop at once). True when the row changed; false when it was
   * already revoked by then or the id is unknown.
   */
  revoke(id: string, at: string, by: string): Promise<boolean>;
  /**
   * Rotation in ONE transaction: inserts `next` and marks `oldId` as replaced by it and revoked at
   * `revokeAt` (now, or the end of a grace period). `TRB_STORE_CONFLICT` (nothing changed) when
   * `oldId` does not exist or is already revoked.
   */
  rotate(oldId: string, revokeAt: string, by: string, next: NewApiKeyRow): Promise<void>;
  /**
   * Records a use: sets `lastUsedAt = at` only when it is unset or older than `staleBefore`, so a
   * busy key costs one small conditional write per interval, not per request.
   */
  touch(id: string, at: string, staleBefore: string): Promise<void>;
}
