/**
 * Adapters from a {@link RoleSet} to the seams other components consume: identity's
 * {@link RolePermissions} (key and wire-user authentication) and the server's role directory.
 */
import type { Permission } from '../identity/identity.js';
import type { RolePermissions } from '../identity/role-permissions.js';
import type { RoleSet } from './role-set.js';

/** `role → permissions`, undefined for a role the set does not define (authentication then fails). */
export function rolePermissionsOf(roles: RoleSet): RolePermissions {
  return (role: string): ReadonlySet<Permission> | undefined => (roles.has(role) ? roles.resolve(role).permissions : undefined);
}

/** The CIDRs `role` may connect from; undefined for any address or an unknown role. */
export function roleCidrsOf(roles: RoleSet): (role: string) => readonly string[] | undefined {
  return (role: string) => (roles.has(role) ? roles.resolve(role).allowedCidrs : undefined);
}
