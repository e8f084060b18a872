/**
 * API-key authentication for the HTTP interfaces: `Authorization: Bearer trb_<prefix>_<secret>` →
 * {@link Identity}. Revocation, expiry and the role are read from the control store on every call,
 * so a revocation takes effect at once on every server process sharing the store; only the scrypt
 * verification of a (key, stored hash) pair is cached per process. Every failure is audited
 * (`auth.fail`, with its code and the client address, never the key) and thrown as a distinct
 * `TRB_AUTH_*` error, which the HTTP layer must answer with one identical 401 body.
 */
import type { ApiKeyRow, ApiKeyStore } from '../../seams/control-store/api-key-store.js';
import { isTributaryError } from '../../core/errors.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { PERMISSIONS } from '../identity/identity.js';
import type { Identity, Permission } from '../identity/identity.js';
import type { RolePermissions } from '../identity/role-permissions.js';
import { ApiKeyAuthCache } from './api-key-auth-cache.js';
import { parseApiKey } from './api-key-format.js';
import { AuthExpired, AuthMalformed, AuthMissing, AuthRevoked, AuthRoleUnknown, AuthUnknownKey, AuthWrongSecret } from './errors.js';
import { verifyApiKeyHash } from './key-hash.js';

/** Interval at which a key's `last_used_at` is written at most (per process, and per store row). */
export const LAST_USED_INTERVAL_MS = 60_000;

/** What API-key authentication needs; build it once per server process. */
export interface ApiKeyAuthDeps {
  readonly store: ApiKeyStore;
  /** Role → permissions (from the roles configuration); undefined = unknown role. */
  readonly rolePermissions: RolePermissions;
  /** Where `auth.fail` events go. */
  readonly audit: AuditTrail;
  /** Shared per process; without it every request pays for scrypt. */
  readonly cache?: ApiKeyAuthCache | undefined;
  /** Clock (tests). */
  readonly now?: () => Date;
}

/** Facts about the request being authenticated, for audit lines and the identity. */
export interface AuthRequestContext {
  /** Client address as the listener saw it. */
  readonly address?: string;
  readonly requestId?: string;
}

const BEARER = /^Bearer +(\S+) *$/i;
const isRevoked = (k: ApiKeyRow, now: Date): boolean => k.revokedAt !== null && Date.parse(k.revokedAt) <= now.getTime();
const isExpired = (k: ApiKeyRow, now: Date): boolean => k.expiresAt !== null && Date.parse(k.expiresAt) <= now.getTime();

/** The permissions a key grants: its role's, narrowed to its scopes when it has any. */
export function keyPermissions(rolePerms: ReadonlySet<Permission>, scopes: readonly string[]): ReadonlySet<Permission> {
  if (scopes.length === 0) return rolePerms;
  return new Set(PERMISSIONS.filter((p) => rolePerms.has(p) && scopes.includes(p)));
}

async function authenticate(header: string | undefined, deps: ApiKeyAuthDeps, ctx: AuthRequestContext, note: (id: string) => void): Promise<Identity> {
  if (header === undefined || header.trim() === '') throw AuthMissing({});
  const m = BEARER.exec(header);
  if (m === null) throw AuthMalformed({ reason: 'the Authorization header must be `Bearer <API key>`' });
  const parsed = parseApiKey(m[1]!);
  if (parsed === undefined) throw AuthMalformed({ reason: 'the bearer token is not a Tributary API key (truncated or altered?)' });
  note(parsed.id);
  const row = await deps.store.get(parsed.id);
  if (row === undefined) throw AuthUnknownKey({ keyId: parsed.id });
  const now = (deps.now ?? (() => new Date()))();
  const digest = ApiKeyAuthCache.digest(parsed.key);
  if (deps.cache?.verified(digest, row.hash, now.getTime()) !== true) {
    if (!(await verifyApiKeyHash(parsed.key, row.hash))) throw AuthWrongSecret({ keyId: row.id });
    deps.cache?.remember(digest, row.hash, now.getTime());
  }
  if (isRevoked(row, now)) throw AuthRevoked({ keyId: row.id, revokedAt: row.revokedAt! });
  if (isExpired(row, now)) throw AuthExpired({ keyId: row.id, expiredAt: row.expiresAt! });
  const rolePerms = deps.rolePermissions(row.role);
  if (rolePerms === undefined) throw AuthRoleUnknown({ keyId: row.id, role: row.role });
  if (deps.cache === undefined || deps.cache.dueForTouch(row.id, now.getTime(), LAST_USED_INTERVAL_MS)) {
    await deps.store.touch(row.id, now.toISOString(), new Date(now.getTime() - LAST_USED_INTERVAL_MS).toISOString());
  }
  return Object.freeze({
    subject: `api:${row.id}`, role: row.role, permissions: keyPermissions(rolePerms, row.scopes), method: 'api_key' as const,
    keyId: row.id, ...(ctx.address !== undefined ? { address: ctx.address } : {}),
  });
}

/**
 * Authenticates the value of an `Authorization` header (only `Bearer <key>` is accepted). Resolves
 * with the key's identity, or rejects with `TRB_AUTH_MISSING`, `TRB_AUTH_MALFORMED` (not Bearer,
 * truncated or altered key), `TRB_AUTH_UNKNOWN_KEY`, `TRB_AUTH_WRONG_SECRET`, `TRB_AUTH_EXPIRED`,
 * `TRB_AUTH_REVOKED` or `TRB_AUTH_ROLE_UNKNOWN`, after auditing the failure (actor `anonymous`, or
 * `api:<prefix>` once the key's prefix could be read). Store errors propagate unaudited (they are
 * not authentication failures).
 */
export async function authenticateApiKey(header: string | undefined, deps: ApiKeyAuthDeps, ctx: AuthRequestContext = {}): Promise<Identity> {
  let keyId: string | undefined;
  try {
    return await authenticate(header, deps, ctx, (id) => { keyId = id; });
  } catch (err) {
    if (isTributaryError(err) && err.family === 'auth') {
      await deps.audit.record({
        actor: keyId === undefined ? 'anonymous' : `api:${keyId}`, action: 'auth.fail', target: keyId === undefined ? 'api' : `apikey:${keyId}`,
        outcome: 'denied', ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {}),
        details: { reason: err.code, method: 'api_key', address: ctx.address ?? null },
      });
    }
    throw err;
  }
}

/**
 * True while key `keyId` may still be used: it exists, is neither revoked nor expired, and its role
 * is defined. Reads the store (never a cache); long-running responses (streamed query results)
 * call it periodically and stop when it turns false.
 */
export async function checkKeyStillValid(keyId: string, deps: Pick<ApiKeyAuthDeps, 'store' | 'rolePermissions' | 'now'>): Promise<boolean> {
  const row = await deps.store.get(keyId);
  if (row === undefined) return false;
  const now = (deps.now ?? (() => new Date()))();
  return !isRevoked(row, now) && !isExpired(row, now) && deps.rolePermissions(row.role) !== undefined;
}
