/**
 * A deployment's roles: the built-in ones plus the custom roles of its roles file. The query
 * engine, the server and key authentication resolve an identity's role here.
 */
import type { Permission } from '../identity/identity.js';
import { BUILTIN_ROLES } from './builtin-roles.js';
import { AddressDenied, RoleUnknown } from './errors.js';
import type { Role } from './role.js';
import { addressInCidrs } from './address-in-cidrs.js';

/** The roles of a deployment. Immutable. */
export interface RoleSet {
  /** Every role, built-in first, then custom in file order. */
  readonly roles: readonly Role[];
  /** The role named `name`. Throws `TRB_RBAC_ROLE_UNKNOWN` (403) when no such role exists. */
  resolve(name: string): Role;
  /** True when a role named `name` exists. */
  has(name: string): boolean;
}

/** A role set of the built-in roles and `custom` (names must not repeat; load-roles.ts ensures it). */
export function createRoleSet(custom: readonly Role[] = []): RoleSet {
  const roles = Object.freeze([...Object.values(BUILTIN_ROLES), ...custom]);
  const byName = new Map(roles.map((r) => [r.name, r]));
  return Object.freeze({
    roles,
    resolve(name: string): Role {
      const r = byName.get(name);
      if (r === undefined) throw RoleUnknown({ role: name });
      return r;
    },
    has: (name: string) => byName.has(name),
  });
}

/** The built-in roles only (a deployment without a roles file). */
export const BUILTIN_ROLE_SET: RoleSet = createRoleSet();

/** The role named `name` in `roles` (default: built-in only). Throws `TRB_RBAC_ROLE_UNKNOWN`. */
export function resolveRole(name: string, roles: RoleSet = BUILTIN_ROLE_SET): Role {
  return roles.resolve(name);
}

/**
 * The permissions of role `role` (a name, resolved in `roles`, or a resolved role): what an
 * identity holding it gets before an API key's scopes narrow it. Throws `TRB_RBAC_ROLE_UNKNOWN`.
 */
export function rolePermissions(role: string | Role, roles: RoleSet = BUILTIN_ROLE_SET): ReadonlySet<Permission> {
  return (typeof role === 'string' ? roles.resolve(role) : role).permissions;
}

/**
 * Throws `TRB_RBAC_ADDRESS_DENIED` unless `role` may be used from `address`: a role without
 * `allowed_cidrs` may be used from anywhere; a role with them refuses an unknown address.
 */
export function assertAddressAllowed(role: Role, address: string | undefined): void {
  if (role.allowedCidrs === undefined) return;
  if (address === undefined || !addressInCidrs(address, role.allowedCidrs)) throw AddressDenied({ role: role.name });
}
