/**
 * Administration of API keys: create (the key is returned once and never stored), list (never a
 * secret), revoke and rotate. Every action is audited (`apikey.create|revoke|rotate`, actor = who
 * asked, target = `apikey:<id>`); audit details hold ids, roles and scopes, never a key.
 */
import type { ApiKeyRow, ApiKeyStore } from '../../seams/control-store/api-key-store.js';
import { StoreConflict } from '../../seams/store-errors.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { auditedAction } from '../identity/audited-action.js';
import { PERMISSIONS } from '../identity/identity.js';
import type { Permission } from '../identity/identity.js';
import type { RolePermissions } from '../identity/role-permissions.js';
import { generateApiKey, isApiKeyId } from './api-key-format.js';
import { ApiKeyNotActive, ApiKeyNotFound, ApiKeyRequestInvalid } from './errors.js';
import { DEFAULT_SCRYPT, hashApiKey } from './key-hash.js';
import type { ScryptParams } from './key-hash.js';

/** What the admin functions need. */
export interface ApiKeyAdminDeps {
  readonly store: ApiKeyStore;
  readonly audit: AuditTrail;
  /**
   * Role lookup to validate `role` and `scopes` at creation. Without it only the syntax of the role
   * name is checked (authentication still refuses a key whose role is unknown).
   */
  readonly rolePermissions?: RolePermissions;
  readonly now?: () => Date;
  /** Hash cost for new keys (default {@link DEFAULT_SCRYPT}). */
  readonly scrypt?: ScryptParams | undefined;
}

/** Lifecycle state of a key at a given instant. */
export type ApiKeyStatus = 'active' | 'expired' | 'revoked';

/** A key as listed: metadata and status, never a secret or hash. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly scopes: readonly string[];
  readonly status: ApiKeyStatus;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt: string | null;
  /** When it stopped or stops working (future during a rotation grace period). */
  readonly revokedAt: string | null;
  readonly replacedBy: string | null;
  readonly lastUsedAt: string | null;
}

/** A created key: its info and the key itself, to be shown once. */
export interface CreatedApiKey extends ApiKeyInfo {
  /** The full key. Show it once; it cannot be recovered. */
  readonly key: string;
}

/** What {@link createApiKey} takes. */
export interface CreateApiKey {
  readonly role: string;
  readonly name?: string;
  /** Subset of {@link PERMISSIONS} (and of the role's); empty or omitted = all of the role's. */
  readonly scopes?: readonly string[];
  readonly expiresAt?: Date | null;
  /** Who asks (`cli:alice`, `api:<id>`), for the audit log. */
  readonly actor: string;
}

const ROLE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;

/** The status of `k` at `now`. */
export function apiKeyStatus(k: ApiKeyRow, now: Date): ApiKeyStatus {
  if (k.revokedAt !== null && Date.parse(k.revokedAt) <= now.getTime()) return 'revoked';
  if (k.expiresAt !== null && Date.parse(k.expiresAt) <= now.getTime()) return 'expired';
  return 'active';
}

function info(k: ApiKeyRow, now: Date): ApiKeyInfo {
  return Object.freeze({
    id: k.id, name: k.name, role: k.role, scopes: k.scopes, status: apiKeyStatus(k, now), createdAt: k.createdAt, createdBy: k.createdBy,
    expiresAt: k.expiresAt, revokedAt: k.revokedAt, replacedBy: k.replacedBy, lastUsedAt: k.lastUsedAt,
  });
}

function checkRequest(c: CreateApiKey, deps: ApiKeyAdminDeps, now: Date): readonly Permission[] {
  if (!ROLE_NAME.test(c.role)) throw ApiKeyRequestInvalid({ field: 'role', reason: 'must be a role name (letters, digits, `_.-`)' });
  const scopes = [...new Set(c.scopes ?? [])];
  const unknown = scopes.filter((s) => !(PERMISSIONS as readonly string[]).includes(s));
  if (unknown.length > 0) throw ApiKeyRequestInvalid({ field: 'scopes', reason: `holds unknown permissions ${unknown.join(', ')} (known: ${PERMISSIONS.join(', ')})` });
  if (deps.rolePermissions !== undefined) {
    const granted = deps.rolePermissions(c.role);
    if (granted === undefined) throw ApiKeyRequestInvalid({ field: 'role', reason: `\`${c.role}\` is not defined in the roles configuration` });
    const outside = scopes.filter((s) => !granted.has(s as Permission));
    if (outside.length > 0) throw ApiKeyRequestInvalid({ field: 'scopes', reason: `${outside.join(', ')} not granted by role \`${c.role}\`` });
  }
  if (c.expiresAt != null && !(c.expiresAt.getTime() > now.getTime())) throw ApiKeyRequestInvalid({ field: 'expires', reason: 'must be in the future' });
  if (c.name !== undefined && (c.name.trim() === '' || c.name.length > 200)) throw ApiKeyRequestInvalid({ field: 'name', reason: 'must be 1 to 200 characters' });
  return scopes as Permission[];
}

async function newKeyRow(deps: ApiKeyAdminDeps, fields: { name: string; role: string; scopes: readonly string[]; expiresAt: string | null; actor: string }, now: Date) {
  const { id, key } = generateApiKey();
  const hash = await hashApiKey(key, deps.scrypt ?? DEFAULT_SCRYPT);
  const row = { id, name: fields.name, role: fields.role, scopes: fields.scopes, hash, createdAt: now.toISOString(), createdBy: fields.actor, expiresAt: fields.expiresAt };
  return { key, row };
}

const clock = (deps: { readonly now?: () => Date }): Date => (deps.now ?? (() => new Date()))();

/**
 * Creates a key and returns it with its info; the key is never stored or logged. Throws
 * `TRB_APIKEY_INVALID` for a bad role, scope, name or expiry.
 */
export async function createApiKey(c: CreateApiKey, deps: ApiKeyAdminDeps): Promise<CreatedApiKey> {
  const now = clock(deps);
  const scopes = checkRequest(c, deps, now);
  const { key, row } = await newKeyRow(deps, { name: c.name ?? `${c.role} key`, role: c.role, scopes, expiresAt: c.expiresAt?.toISOString() ?? null, actor: c.actor }, now);
  return auditedAction(deps.audit, { actor: c.actor, action: 'apikey.create', target: `apikey:${row.id}` }, async () => {
    await deps.store.insert(row);
    const created = { ...info({ ...row, revokedAt: null, revokedBy: null, replacedBy: null, lastUsedAt: null }, now), key };
    return { result: Object.freeze(created), details: { role: row.role, scopes: [...row.scopes], expiresAt: row.expiresAt, name: row.name } };
  });
}

/** Every key with its status at `now`, oldest first; never a secret. */
export async function listApiKeys(deps: Pick<ApiKeyAdminDeps, 'store' | 'now'>): Promise<readonly ApiKeyInfo[]> {
  const now = clock(deps);
  return Object.freeze((await deps.store.list()).map((k) => info(k, now)));
}

async function existing(deps: ApiKeyAdminDeps, id: string): Promise<ApiKeyRow> {
  const row = isApiKeyId(id) ? await deps.store.get(id) : undefined;
  if (row === undefined) throw ApiKeyNotFound({ keyId: id });
  return row;
}

/**
 * Revokes key `id` now, on every server process at once (they re-read revocation on each request).
 * Idempotent: revoking a revoked key succeeds and changes nothing (`changed: false`). Throws
 * `TRB_APIKEY_NOT_FOUND` for an unknown id.
 */
export async function revokeApiKey(id: string, actor: string, deps: ApiKeyAdminDeps): Promise<{ readonly id: string; readonly changed: boolean }> {
  const now = clock(deps);
  await existing(deps, id);
  return auditedAction(deps.audit, { actor, action: 'apikey.revoke', target: `apikey:${id}` }, async () => {
    const changed = await deps.store.revoke(id, now.toISOString(), actor);
    return { result: Object.freeze({ id, changed }), details: { changed } };
  });
}

/**
 * Replaces active key `id` by a new key with the same name, role, scopes and lifetime (counted from
 * now). The old key is revoked now, or at the end of `graceMs` (both work meanwhile). Returns the
 * new key (shown once). Throws `TRB_APIKEY_NOT_FOUND`, or `TRB_APIKEY_NOT_ACTIVE` when the key is
 * revoked, expired or already rotated.
 */
export async function rotateApiKey(id: string, opts: { readonly actor: string; readonly graceMs?: number }, deps: ApiKeyAdminDeps): Promise<CreatedApiKey & { readonly replaces: string; readonly oldKeyRevokedAt: string }> {
  const now = clock(deps);
  const old = await existing(deps, id);
  const status = apiKeyStatus(old, now);
  if (status !== 'active' || old.replacedBy !== null) throw ApiKeyNotActive({ keyId: id, status: old.replacedBy !== null ? 'already rotated' : status });
  const graceMs = opts.graceMs ?? 0;
  if (!Number.isSafeInteger(graceMs) || graceMs < 0) throw ApiKeyRequestInvalid({ field: 'grace', reason: 'must be a non-negative duration' });
  const lifetime = old.expiresAt === null ? null : Date.parse(old.expiresAt) - Date.parse(old.createdAt);
  const expiresAt = lifetime === null ? null : new Date(now.getTime() + lifetime).toISOString();
  const { key, row } = await newKeyRow(deps, { name: old.name, role: old.role, scopes: old.scopes, expiresAt, actor: opts.actor }, now);
  const revokeAt = new Date(now.getTime() + graceMs).toISOString();
  return auditedAction(deps.audit, { actor: opts.actor, action: 'apikey.rotate', target: `apikey:${id}` }, async () => {
    try {
      await deps.store.rotate(id, revokeAt, opts.actor, row);
    } catch (err) {
      if (StoreConflict.is(err)) throw ApiKeyNotActive({ keyId: id, status: 'revoked or rotated meanwhile' }, err);
      throw err;
    }
    const created = { ...info({ ...row, revokedAt: null, revokedBy: null, replacedBy: null, lastUsedAt: null }, now), key, replaces: id, oldKeyRevokedAt: revokeAt };
    return { result: Object.freeze(created), details: { newKey: row.id, role: row.role, oldKeyRevokedAt: revokeAt, graceMs } };
  });
}
