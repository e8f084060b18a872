/**
 * Fastify declaration merging for the server: the identity the auth plugin attaches to a request
 * and the permission a route declares in `config.requires` (read by the RBAC preHandler).
 */
import type { Identity, Permission } from '../../security/identity/identity.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin on every request of the authenticated scope; undefined on public routes. */
    identity?: Identity;
  }
  interface FastifyContextConfig {
    /** The permission a route of the authenticated scope requires (every such route must declare one). */
    requires?: Permission;
    /** Public probe routes (`/healthz`, `/readyz`) skip the per-address rate limit. */
    probe?: boolean;
  }
}

export {};
