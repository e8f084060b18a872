/**
 * Who is asking: the result of authentication, the input of authorization. Every interface (REST,
 * SQL over HTTP, the PostgreSQL wire protocol, the CLI) turns its credentials into an
 * {@link Identity}; the query engine and the routes decide from it alone.
 */

/** How the identity was proven. */
export type AuthMethod = 'api_key' | 'mtls' | 'scram' | 'local';

/**
 * Permissions a role grants and an API key's scopes narrow. A route or an action requires one.
 * `pii:read` is special: it unmasks personal and sensitive columns and decrypts encrypted fields.
 */
export const PERMISSIONS = [
  'sql:query', // run SQL (HTTP and PostgreSQL wire) over the datasets the role grants
  'datasets:read', // list datasets, schemas, PII classification
  'pipelines:read', // list and validate pipelines
  'pipelines:run', // trigger runs
  'runs:read', // run status, counts, errors
  'quarantine:read', // browse quarantine (masked unless pii:read)
  'audit:read', // read and verify the audit log
  'apikeys:admin', // create, list, revoke, rotate API keys and wire users
  'pii:read', // see personal/sensitive columns unmasked, decrypt encrypted fields
] as const;
/** One of {@link PERMISSIONS}. */
export type Permission = (typeof PERMISSIONS)[number];

/** An authenticated caller. Immutable. */
export interface Identity {
  /** Stable, non-secret subject for audit lines: `api:<public prefix>`, `user:<name>`, `cert:<CN>`, `cli:<os user>`. */
  readonly subject: string;
  /** The role whose grants apply (one role per identity; see security/rbac). */
  readonly role: string;
  /**
   * The permissions this identity may use: the role's permissions intersected with the key's
   * scopes (an API key without scopes gets all of its role's permissions).
   */
  readonly permissions: ReadonlySet<Permission>;
  readonly method: AuthMethod;
  /** The API key id (public prefix) when `method` is `api_key`; used to re-check revocation mid-stream. */
  readonly keyId?: string;
  /** Client address as the listener saw it (after trusted-proxy rules), for audit and allowlists. */
  readonly address?: string;
}

/** True when `id` holds permission `p`. */
export function can(id: Identity, p: Permission): boolean {
  return id.permissions.has(p);
}
