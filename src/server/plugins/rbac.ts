/**
 * RBAC for the authenticated scope: a `preHandler` that reads each route's `config.requires`
 * permission and refuses (403, audited) an identity without it. A route registered in the scope
 * without `config.requires` fails at startup, so no route can be left open by omission.
 */
import type { FastifyInstance } from 'fastify';
import { Invariant } from '../../core/errors.js';
import { can, PERMISSIONS } from '../../security/identity/identity.js';
import type { AppDeps } from '../app-deps.js';
import { Forbidden } from '../errors.js';

/** Adds the onRoute check and the permission preHandler to `scope`. */
export function registerRbac(scope: FastifyInstance, deps: AppDeps): void {
  scope.addHook('onRoute', (route) => {
    const requires = (route.config as { requires?: string } | undefined)?.requires;
    if (requires === undefined || !(PERMISSIONS as readonly string[]).includes(requires)) {
      throw Invariant({ reason: `route ${String(route.method)} ${route.url} in the authenticated scope declares no valid config.requires permission` });
    }
  });
  scope.addHook('preHandler', async (req) => {
    const requires = req.routeOptions.config.requires;
    const id = req.identity;
    if (!id || requires === undefined) throw Invariant({ reason: 'RBAC ran without an identity or a required permission' });
    if (can(id, requires)) return;
    const err = Forbidden({ permission: requires, role: id.role });
    await deps.audit.record({
      actor: id.subject, action: 'http.authorize', target: `${req.method} ${req.routeOptions.url ?? ''}`,
      outcome: 'denied', requestId: req.id, details: { code: err.code, permission: requires, role: id.role },
    });
    throw err;
  });
}
