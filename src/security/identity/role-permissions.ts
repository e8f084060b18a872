/**
 * The seam between identity and authorization: what a role grants, looked up by name. The roles
 * configuration (security/rbac) provides it; identity only consumes it, so neither depends on the
 * other's code.
 */
import type { Permission } from './identity.js';

/**
 * The permissions of `role`, or undefined when no such role is defined (authentication with a
 * credential bound to an unknown role then fails). Must be cheap: it is called on every request.
 */
export type RolePermissions = (role: string) => ReadonlySet<Permission> | undefined;
