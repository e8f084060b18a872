/**
 * The decisions every query engine makes first, the same way: which role applies, whether the
 * client address may use it, whether the identity may run SQL, and whether it sees personal data
 * unmasked; and the audit entry every query leaves.
 */
import { performance } from 'node:perf_hooks';
import { TributaryError } from '../core/errors.js';
import type { AuditOutcome, AuditTrail } from '../security/audit/audit-trail.js';
import { can, type Identity } from '../security/identity/identity.js';
import { assertAddressAllowed, type RoleSet } from '../security/rbac/role-set.js';
import type { Role } from '../security/rbac/role.js';
import { QueryPermissionDenied } from './errors.js';
import type { QueryOptions, VisibleRelation } from './query-engine.js';
import type { SecureView } from './secure-views.js';

/** The role an identity queries with, and whether personal columns are unmasked for it. */
export interface QueryAccess {
  readonly role: Role;
  readonly unmasked: boolean;
}

/**
 * The access of `id`. Throws `TRB_RBAC_ROLE_UNKNOWN`, `TRB_RBAC_ADDRESS_DENIED`, or
 * `TRB_QUERY_PERMISSION_DENIED` when the identity or its role lacks `sql:query`. Unmasked only when
 * both the identity (key scopes) and the role hold `pii:read`.
 */
export function resolveQueryAccess(roles: RoleSet, id: Identity): QueryAccess {
  const role = roles.resolve(id.role);
  assertAddressAllowed(role, id.address);
  if (!can(id, 'sql:query') || !role.permissions.has('sql:query')) throw QueryPermissionDenied({ permission: 'sql:query' });
  return { role, unmasked: can(id, 'pii:read') && role.permissions.has('pii:read') };
}

/** How a query ended, for its audit entry. */
export interface QueryEnd {
  readonly rows: number;
  readonly complete: boolean;
  readonly error?: TributaryError;
}

const DENIED_CODES = new Set(['TRB_QUERY_PERMISSION_DENIED', 'TRB_QUERY_REFUSED', 'TRB_QUERY_RELATION_DENIED',
  'TRB_QUERY_FUNCTION_DENIED', 'TRB_RBAC_ROLE_UNKNOWN', 'TRB_RBAC_ADDRESS_DENIED']);

/**
 * Records `sql.query`: actor = subject, target = role, outcome `ok` / `denied` (refusals) / `error`,
 * details via, sql, rows, ms (since `started`, a performance.now() value), complete, code, address.
 */
export async function auditQuery(audit: AuditTrail, id: Identity, sql: string, opts: QueryOptions, started: number, end: QueryEnd): Promise<void> {
  const code = end.error?.code;
  const outcome: AuditOutcome = code === undefined ? 'ok' : DENIED_CODES.has(code) ? 'denied' : 'error';
  await audit.record({
    actor: id.subject, action: 'sql.query', target: id.role, outcome,
    ...(opts.requestId === undefined ? {} : { requestId: opts.requestId }),
    details: {
      via: opts.via, sql, rows: end.rows, ms: Math.round(performance.now() - started), complete: end.complete,
      ...(code === undefined ? {} : { code }), ...(id.address === undefined ? {} : { address: id.address }),
    },
  });
}

/**
 * The relations behind `views()` (the identity's secure views) for `QueryEngine.relations`: none
 * when the identity may not run SQL; role and address errors are thrown.
 */
export function visibleRelations(views: () => readonly SecureView[]): readonly VisibleRelation[] {
  let vs: readonly SecureView[];
  try {
    vs = views();
  } catch (err) {
    if (err instanceof TributaryError && err.code === 'TRB_QUERY_PERMISSION_DENIED') return [];
    throw err;
  }
  return vs.map((v) => ({ name: v.dataset, columns: v.columns.map((c) => ({ name: c.name, type: c.type, pii: c.pii, masked: c.masked })) }));
}
