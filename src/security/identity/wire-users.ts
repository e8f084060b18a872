/**
 * PostgreSQL-wire users: administration (create, list, passwd, delete; each audited as
 * `user.create|passwd|delete`, never with a password or verifier in the entry) and the two lookups
 * the wire gateway needs: {@link scramDataFor} (pg-gateway's `getScramSha256Data`) and
 * {@link wireUserIdentity} (the authenticated user's {@link Identity}).
 */
import type { WireUserStore } from '../../seams/control-store/wire-user-store.js';
import { StoreConflict } from '../../seams/store-errors.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { auditedAction } from './audited-action.js';
import { WireUserExists, WireUserInvalid, WireUserNotFound } from './errors.js';
import type { Identity } from './identity.js';
import type { RolePermissions } from './role-permissions.js';
import { createScramVerifier, fakeScramVerifier, MIN_SCRAM_ITERATIONS } from './scram.js';
import type { ScramSha256Data } from './scram.js';

/** What user administration needs. */
export interface WireUserAdminDeps {
  readonly store: WireUserStore;
  readonly audit: AuditTrail;
  /** Validates roles at creation when given (authentication refuses an unknown role anyway). */
  readonly rolePermissions?: RolePermissions;
  /** PBKDF2 iterations of new verifiers (default and minimum 4096). */
  readonly iterations?: number;
}

/** A user as listed (no verifier). */
export interface WireUserInfo {
  readonly name: string;
  readonly role: string;
  readonly iterations: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

/** Shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 12;

const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.@-]{0,62}$/;
const ROLE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;

function checkPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw WireUserInvalid({ field: 'password', reason: `must have at least ${MIN_PASSWORD_LENGTH} characters` });
  if (password.includes('\0')) throw WireUserInvalid({ field: 'password', reason: 'must not contain NUL' });
}

function checkName(name: string): void {
  if (!USER_NAME.test(name)) throw WireUserInvalid({ field: 'name', reason: 'must start with a letter or `_` and hold only letters, digits, `_.@-` (at most 63)' });
}

/** Creates user `name` with `role` and a verifier of `password`. Throws `TRB_USER_INVALID`, `TRB_USER_EXISTS`. */
export async function createWireUser(u: { readonly name: string; readonly role: string; readonly password: string; readonly actor: string }, deps: WireUserAdminDeps): Promise<WireUserInfo> {
  checkName(u.name);
  if (!ROLE_NAME.test(u.role)) throw WireUserInvalid({ field: 'role', reason: 'must be a role name (letters, digits, `_.-`)' });
  if (deps.rolePermissions !== undefined && deps.rolePermissions(u.role) === undefined) {
    throw WireUserInvalid({ field: 'role', reason: `\`${u.role}\` is not defined in the roles configuration` });
  }
  checkPassword(u.password);
  const verifier = await createScramVerifier(u.password, { iterations: deps.iterations ?? MIN_SCRAM_ITERATIONS });
  return auditedAction(deps.audit, { actor: u.actor, action: 'user.create', target: `user:${u.name}` }, async () => {
    try {
      await deps.store.create({ name: u.name, role: u.role, verifier, createdBy: u.actor });
    } catch (err) {
      if (StoreConflict.is(err)) throw WireUserExists({ user: u.name }, err);
      throw err;
    }
    const row = (await deps.store.get(u.name))!;
    return { result: toInfo(row), details: { role: u.role, iterations: verifier.iterations } };
  });
}

/** Replaces the password of user `name`. Throws `TRB_USER_INVALID`, `TRB_USER_NOT_FOUND`. */
export async function setWireUserPassword(name: string, password: string, actor: string, deps: WireUserAdminDeps): Promise<void> {
  checkPassword(password);
  const verifier = await createScramVerifier(password, { iterations: deps.iterations ?? MIN_SCRAM_ITERATIONS });
  await auditedAction(deps.audit, { actor, action: 'user.passwd', target: `user:${name}` }, async () => {
    if (!(await deps.store.setVerifier(name, verifier))) throw WireUserNotFound({ user: name });
    return { result: undefined, details: { iterations: verifier.iterations } };
  });
}

/** Deletes user `name` (its sessions end at their next authentication). Throws `TRB_USER_NOT_FOUND`. */
export async function deleteWireUser(name: string, actor: string, deps: WireUserAdminDeps): Promise<void> {
  await auditedAction(deps.audit, { actor, action: 'user.delete', target: `user:${name}` }, async () => {
    if (!(await deps.store.remove(name))) throw WireUserNotFound({ user: name });
    return { result: undefined, details: {} };
  });
}

/** Every user, by name, without verifiers. */
export async function listWireUsers(deps: Pick<WireUserAdminDeps, 'store'>): Promise<readonly WireUserInfo[]> {
  return Object.freeze((await deps.store.list()).map(toInfo));
}

function toInfo(r: { name: string; role: string; verifier: { iterations: number }; createdAt: string; createdBy: string; updatedAt: string }): WireUserInfo {
  return Object.freeze({ name: r.name, role: r.role, iterations: r.verifier.iterations, createdAt: r.createdAt, createdBy: r.createdBy, updatedAt: r.updatedAt });
}

/**
 * pg-gateway's `getScramSha256Data` for user `username`: the stored verifier, or for an unknown
 * user the deterministic {@link fakeScramVerifier} under `fakeSecret`, so a client cannot tell
 * unknown names from wrong passwords (`iterations`: the count new users get, so fakes look alike). Pair it with `verifyScramClientProof` as `validateCredentials`.
 */
export async function scramDataFor(username: string, deps: { readonly store: WireUserStore; readonly fakeSecret: Buffer; readonly iterations?: number }): Promise<ScramSha256Data> {
  const row = USER_NAME.test(username) ? await deps.store.get(username) : undefined;
  return row === undefined ? fakeScramVerifier(username, deps.fakeSecret, deps.iterations ?? MIN_SCRAM_ITERATIONS) : row.verifier;
}

/**
 * The identity of wire user `username` after SCRAM succeeded: subject `user:<name>`, the role's
 * permissions, method `scram`. Undefined when the user is gone or its role is unknown (refuse the
 * session). Reads the store, so a deleted user cannot start new sessions.
 */
export async function wireUserIdentity(username: string, deps: { readonly store: WireUserStore; readonly rolePermissions: RolePermissions }, address?: string): Promise<Identity | undefined> {
  const row = await deps.store.get(username);
  const permissions = row === undefined ? undefined : deps.rolePermissions(row.role);
  if (row === undefined || permissions === undefined) return undefined;
  return Object.freeze({ subject: `user:${row.name}`, role: row.role, permissions, method: 'scram' as const, ...(address !== undefined ? { address } : {}) });
}
