/**
 * Authentication of the authenticated scope (registered inside it, so public routes in the sibling
 * scope can never need a key). Order per request, in `onRequest`:
 * 1. a verified client certificate on an mTLS listener maps to an identity (CN → role), unless an
 *    `Authorization` header is present (an explicit key wins);
 * 2. else the `Authorization` header goes to the authenticator (API keys); none → 401;
 * 3. the role's CIDR allowlist is applied to the client address.
 * Every key refusal leaves as the same 401 `TRB_SERVER_AUTH_FAILED` (no oracle on which check
 * failed; the authenticator audits the precise code). The plugin's own refusals (no credentials,
 * unmapped certificate, role allowlist) are audited here (`http.auth`, outcome `denied`). Handlers
 * never check auth themselves; RBAC is the preHandler in rbac.ts.
 */
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TributaryError } from '../../core/errors.js';
import type { Identity } from '../../security/identity/identity.js';
import type { AppDeps } from '../app-deps.js';
import { AddressDenied, AuthFailed, AuthRequired, CertUnmapped } from '../errors.js';
import { parseCidrList, type CidrList } from '../net/cidr-list.js';

/** Options of {@link registerAuth}. */
export interface AuthOptions {
  /** Client certificate CN → role on this listener (absent: certificates are ignored). */
  readonly certSubjects?: Readonly<Record<string, string>>;
}

/** Adds the authentication hook to `scope` (an encapsulated child of the app). */
export function registerAuth(scope: FastifyInstance, deps: AppDeps, opts: AuthOptions): void {
  const roleCidrs = new Map<string, CidrList>();
  const cidrsOf = (role: string): CidrList => {
    let l = roleCidrs.get(role);
    if (!l) { l = parseCidrList(deps.roles.allowedCidrs(role) ?? []); roleCidrs.set(role, l); }
    return l;
  };
  scope.addHook('onRequest', async (req) => {
    try {
      const identity = await identify(req, deps, opts);
      if (!cidrsOf(identity.role).allows(req.ip)) throw AddressDenied({ scope: 'role' });
      req.identity = identity;
    } catch (err) {
      if (err instanceof KeyRefused) throw AuthFailed({}, err.cause);
      await auditRefusal(deps, req, err, req.identity?.subject);
      throw err;
    }
  });
}

async function identify(req: FastifyRequest, deps: AppDeps, opts: AuthOptions): Promise<Identity> {
  const authorization = req.headers.authorization;
  if (authorization === undefined || authorization === '') {
    const fromCert = certIdentity(req, deps, opts);
    if (fromCert) return fromCert;
    throw AuthRequired({});
  }
  let id: Identity;
  try {
    id = await deps.authenticate({ authorization, address: req.ip, requestId: req.id });
  } catch (err) {
    // Auth-family refusals become one uniform answer; anything else (store down) propagates as is.
    if (err instanceof TributaryError && err.family === 'auth') throw new KeyRefused(err);
    throw err;
  }
  return { ...id, address: req.ip };
}

/** Marks a refusal the authenticator already audited. */
class KeyRefused extends Error {
  constructor(cause: TributaryError) { super('key refused', { cause }); }
}

function certIdentity(req: FastifyRequest, deps: AppDeps, opts: AuthOptions): Identity | undefined {
  const socket = req.raw.socket as Partial<TLSSocket>;
  if (!opts.certSubjects || !socket.encrypted || socket.authorized !== true || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  const cn = Array.isArray(cert.subject?.CN) ? cert.subject.CN[0] : cert.subject?.CN;
  if (!cn) return undefined;
  const role = opts.certSubjects[cn];
  const permissions = role === undefined ? undefined : deps.roles.permissions(role);
  if (role === undefined || permissions === undefined) throw CertUnmapped({ subject: cn });
  return { subject: `cert:${cn}`, role, permissions, method: 'mtls', address: req.ip };
}

/** Records a refused request in the audit log (never the credential itself). */
export async function auditRefusal(deps: AppDeps, req: FastifyRequest, err: unknown, subject?: string): Promise<void> {
  const code = err instanceof TributaryError ? err.code : 'TRB_INTERNAL';
  await deps.audit.record({
    actor: subject ?? 'anonymous', action: 'http.auth', target: `${req.method} ${req.routeOptions.url ?? '(unmatched)'}`,
    outcome: 'denied', requestId: req.id, details: { code, address: req.ip },
  });
}
