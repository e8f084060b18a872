/** The listener's CIDR allowlist, checked first on every request (public routes included). */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { AddressDenied } from '../errors.js';
import { parseCidrList } from '../net/cidr-list.js';
import { auditRefusal } from './auth.js';

/** Adds a root `onRequest` hook refusing (403, audited) addresses outside `cidrs`; nothing for an empty list. */
export function registerListenerAllowlist(app: FastifyInstance, deps: AppDeps, cidrs: readonly string[]): void {
  const list = parseCidrList(cidrs);
  if (list.empty) return;
  app.addHook('onRequest', async (req) => {
    if (list.allows(req.ip)) return;
    const err = AddressDenied({ scope: 'listener' });
    await auditRefusal(deps, req, err);
    throw err;
  });
}
