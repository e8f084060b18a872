/**
 * The roles of `npm run bench:serve`: the built-in roles plus `shop`, an analyst restricted by a
 * row filter (`status < 500`) on `requests` and `fact_requests`, the datasets its dashboard reads.
 */
import { parseRolesText } from '../src/security/rbac/load-roles.js';
import type { RoleSet } from '../src/security/rbac/role-set.js';

/** The roles YAML text. */
export const SERVE_BENCH_ROLES_YAML = `roles:
  shop:
    extends: analyst
    description: benchmark role, rows below status 500 only
    datasets:
      requests:
        row_filter: "status < 500"
      fact_requests:
        row_filter: "status < 500"
`;

/** The parsed role set. */
export function serveBenchRoles(): RoleSet {
  return parseRolesText(SERVE_BENCH_ROLES_YAML, 'serve-bench-roles.yaml');
}
