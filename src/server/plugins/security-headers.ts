/** Security headers (@fastify/helmet, HSTS on TLS listeners) and CORS (@fastify/cors, off unless origins are configured). */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** Options of {@link registerSecurityHeaders}. */
export interface SecurityHeaderOptions {
  readonly tls: boolean;
  readonly corsOrigins: readonly string[];
  readonly corsCredentials: boolean;
}

/** Registers helmet and, only with origins listed, CORS for exactly those origins. */
export async function registerSecurityHeaders(app: FastifyInstance, opts: SecurityHeaderOptions): Promise<void> {
  await app.register(helmet, {
    global: true,
    hsts: opts.tls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  if (opts.corsOrigins.length > 0) {
    await app.register(cors, { origin: [...opts.corsOrigins], credentials: opts.corsCredentials, methods: ['GET', 'POST', 'DELETE'], maxAge: 600 });
  }
}
