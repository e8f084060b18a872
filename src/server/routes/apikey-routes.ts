/**
 * API key administration (`apikeys:admin`), delegating to security/apikeys through
 * {@link import('../app-deps.js').ApiKeyAdmin}, which audits every action. A new or rotated key is
 * returned once, in that response only (`Cache-Control: no-store`).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PERMISSIONS } from '../../security/identity/identity.js';
import type { ApiKeyAdmin, AppDeps } from '../app-deps.js';
import { NotConfigured } from '../errors.js';
import { AUTH_ERRORS } from '../schemas/error-body.js';

const Summary = z.object({
  id: z.string(), name: z.string(), role: z.string(), scopes: z.array(z.string()), status: z.enum(['active', 'expired', 'revoked']),
  created_at: z.string(), created_by: z.string(), expires_at: z.string().nullable(), revoked_at: z.string().nullable(),
  replaced_by: z.string().nullable(), last_used_at: z.string().nullable(),
}).meta({ id: 'ApiKey' });
const Issued = z.object({ key: z.string().meta({ description: 'The key itself: shown only in this response.' }), summary: Summary });
const Id = z.object({ id: z.string().max(64) });

/** `/v1/apikeys` routes. */
export function apiKeyRoutes(deps: AppDeps): FastifyPluginAsync {
  const admin = (): ApiKeyAdmin => {
    if (!deps.apiKeys) throw NotConfigured({ feature: 'API key administration' });
    return deps.apiKeys;
  };
  return async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const actor = (req: { identity?: { subject: string } }): string => req.identity?.subject ?? 'anonymous';
    r.get('/v1/apikeys', {
      config: { requires: 'apikeys:admin' },
      schema: { tags: ['apikeys'], summary: 'List API keys (never the keys themselves)', response: { 200: z.object({ keys: z.array(Summary) }), ...AUTH_ERRORS } },
    }, async () => ({ keys: (await admin().list()).map((k) => ({ ...k, scopes: [...k.scopes] })) }));
    r.post('/v1/apikeys', {
      config: { requires: 'apikeys:admin' },
      schema: {
        tags: ['apikeys'], summary: 'Create an API key',
        body: z.strictObject({
          name: z.string().min(1).max(128).optional(), role: z.string().min(1).max(64),
          scopes: z.array(z.enum(PERMISSIONS)).optional(), expires_in_days: z.number().int().min(1).max(3650).optional(),
        }),
        response: { 201: Issued, ...AUTH_ERRORS },
      },
    }, async (req, reply) => {
      const b = req.body;
      const out = await admin().create({ role: b.role, ...(b.name ? { name: b.name } : {}), ...(b.scopes ? { scopes: b.scopes } : {}), ...(b.expires_in_days ? { expiresInDays: b.expires_in_days } : {}) }, actor(req));
      return reply.code(201).send({ key: out.key, summary: { ...out.summary, scopes: [...out.summary.scopes] } });
    });
    r.delete('/v1/apikeys/:id', {
      config: { requires: 'apikeys:admin' },
      schema: { tags: ['apikeys'], summary: 'Revoke an API key (effective at once on every server process)', params: Id, response: { 204: z.null(), ...AUTH_ERRORS } },
    }, async (req, reply) => {
      await admin().revoke(req.params.id, actor(req));
      return reply.code(204).send(null);
    });
    r.post('/v1/apikeys/:id/rotate', {
      config: { requires: 'apikeys:admin' },
      schema: {
        tags: ['apikeys'], summary: 'Rotate an API key: a new key; the old one stops working after grace_secs (default at once)', params: Id,
        body: z.strictObject({ grace_secs: z.number().int().min(0).max(30 * 86_400).optional() }).optional(),
        response: { 200: Issued, ...AUTH_ERRORS },
      },
    }, async (req) => {
      const grace = req.body?.grace_secs;
      const out = await admin().rotate(req.params.id, actor(req), grace === undefined ? {} : { graceMs: grace * 1000 });
      return { key: out.key, summary: { ...out.summary, scopes: [...out.summary.scopes] } };
    });
  };
}
