/**
 * Persistence of PostgreSQL-wire users inside the control store (`ControlStore.wireUsers`): a role
 * and a SCRAM-SHA-256 verifier (salt, iterations, StoredKey, ServerKey as base64), never a password.
 * The SCRAM computations live in `security/identity`. Both adapters share `sql-wire-user-store.ts`.
 */

/** A SCRAM-SHA-256 verifier (RFC 5802/7677), base64 fields as PostgreSQL and pg-gateway use them. */
export interface ScramVerifierRow {
  readonly salt: string;
  /** PBKDF2 iterations, at least 4096. */
  readonly iterations: number;
  readonly storedKey: string;
  readonly serverKey: string;
}

/** A user to store. */
export interface NewWireUserRow {
  readonly name: string;
  readonly role: string;
  readonly verifier: ScramVerifierRow;
  readonly createdBy: string;
}

/** A stored user. */
export interface WireUserRow extends NewWireUserRow {
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The wire users' persistence. Errors are `store` family codes. */
export interface WireUserStore {
  /** Stores a new user. `TRB_STORE_CONFLICT` when the name exists, `TRB_STORE_VALUE_INVALID` for bad values. */
  create(u: NewWireUserRow): Promise<void>;
  /** The user, read from the database on every call, or undefined. */
  get(name: string): Promise<WireUserRow | undefined>;
  /** Every user, by name. */
  list(): Promise<readonly WireUserRow[]>;
  /** Replaces the verifier (a new password); false when the user does not exist. */
  setVerifier(name: string, verifier: ScramVerifierRow): Promise<boolean>;
  /** Deletes the user; false when it did not exist. */
  remove(name: string): Promise<boolean>;
}
