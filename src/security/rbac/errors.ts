/**
 * Errors of role-based access control (`TRB_RBAC_*`). Problems in a roles file are
 * `TRB_CONFIG_INVALID` (file, line, path) like every other YAML file; the codes here are about
 * using roles: an identity naming a role nobody defined, a client address outside a role's
 * allowlist, a row filter that is not a plain predicate over its dataset.
 */
import { defineError } from '../../core/errors.js';

/** An identity names a role that is neither built in nor defined in the roles file: deny. */
export const RoleUnknown = defineError<{ role: string }>(
  'TRB_RBAC_ROLE_UNKNOWN',
  'Role `{role}` is not defined (built in: admin, engineer, analyst, security, auditor; custom roles come from the roles file); access denied',
  { family: 'auth', status: 403 });

/** The client address is outside the role's `allowed_cidrs`. */
export const AddressDenied = defineError<{ role: string }>(
  'TRB_RBAC_ADDRESS_DENIED',
  'Role `{role}` may not be used from this client address (see its `allowed_cidrs`)',
  { family: 'auth', status: 403 });

/**
 * A role's `row_filter` is not a single boolean predicate over the dataset's own columns (it has a
 * subquery, a table function, a second statement, or names a column the dataset lacks).
 */
export const RowFilterInvalid = defineError<{ role: string; dataset: string; reason: string }>(
  'TRB_RBAC_ROW_FILTER_INVALID',
  'The row filter of role `{role}` on dataset `{dataset}` is not usable: {reason}. Write a plain predicate over the dataset\'s columns, e.g. `vhost = \'shop.example.com\'`',
  { family: 'config' });

/** The serving login role of a PostgreSQL warehouse could bypass the grants (superuser, BYPASSRLS, or owner of a warehouse table). */
export const ServingRoleUnsafe = defineError<{ role: string; reason: string }>(
  'TRB_RBAC_SERVING_ROLE_UNSAFE',
  'The serving role `{role}` must not be able to bypass access control: {reason}. Serve with a dedicated login role that owns nothing',
  { family: 'config' });
