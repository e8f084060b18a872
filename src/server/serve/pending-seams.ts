/**
 * Fail-closed stand-ins for the seams other components provide, used by `tributary serve` until the
 * lead wires the real ones (security/apikeys `authenticateApiKey` / `checkKeyStillValid` /
 * `looksLikeApiKey` / admin functions, security/rbac role resolution, the secure query engine).
 * Every stand-in refuses: no key authenticates, no certificate maps to a role, SQL is unavailable.
 */
import type { QueryEngine } from '../../query/query-engine.js';
import type { Authenticate, RoleDirectory } from '../app-deps.js';
import { NotConfigured } from '../errors.js';

/** Refuses every request with `TRB_SERVER_NOT_CONFIGURED` (API key authentication is not wired). */
export const refuseAllKeys: Authenticate = async () => { throw NotConfigured({ feature: 'API key authentication' }); };

/** No role is known: certificates never map, no role allowlist applies. */
export const noRoles: RoleDirectory = { permissions: () => undefined, allowedCidrs: () => undefined };

/** Anything that could be a bearer token (long, token-alphabet only) counts as key-like in a query string. */
export function genericLooksLikeKey(s: string): boolean {
  return s.length >= 32 && /^[A-Za-z0-9_.~+/=-]+$/.test(s) && /[0-9]/.test(s) && /[A-Za-z]/.test(s);
}

/** A query engine that refuses every call with `TRB_SERVER_NOT_CONFIGURED`. */
export function unavailableQueryEngine(): QueryEngine {
  const refuse = async (): Promise<never> => { throw NotConfigured({ feature: 'SQL access' }); };
  return { query: refuse, describe: refuse, relations: refuse, close: async () => {} };
}
