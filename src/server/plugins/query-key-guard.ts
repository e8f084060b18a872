/**
 * Refuses credentials in query strings on every route, public ones included: a parameter named like
 * a credential (`api_key`, `token`, ...) or any value that looks like an API key gives 400
 * `TRB_SERVER_KEY_IN_QUERY` and an audit entry, even when the key is valid: URLs end up in proxy
 * logs, browser history and referrers, so such a key must be considered exposed.
 */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.js';
import { KeyInQuery } from '../errors.js';
import { auditRefusal } from './auth.js';

const CREDENTIAL_NAME = /^(api[_-]?key|apikey|key|token|access[_-]?token|auth|authorization|bearer|password|secret)$/i;

/** The first query parameter holding a credential, or undefined. */
export function findQueryCredential(url: string, looksLikeApiKey: (s: string) => boolean): string | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
    if (CREDENTIAL_NAME.test(name) || looksLikeApiKey(value) || looksLikeApiKey(name)) return name;
  }
  return undefined;
}

/** Adds the guard as a root `onRequest` hook (runs before authentication and rate limits). */
export function registerQueryKeyGuard(app: FastifyInstance, deps: AppDeps): void {
  app.addHook('onRequest', async (req) => {
    const parameter = findQueryCredential(req.url, deps.looksLikeApiKey);
    if (parameter === undefined) return;
    // Never echo a parameter name that is itself key-like.
    const err = KeyInQuery({ parameter: deps.looksLikeApiKey(parameter) ? '(redacted)' : parameter });
    await auditRefusal(deps, req, err);
    throw err;
  });
}
