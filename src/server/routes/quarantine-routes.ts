/**
 * Quarantine browsing. The raw line or record is personal data (client addresses, user agents,
 * URLs): it comes back only to callers holding `pii:read`; for everyone else it is null and
 * `raw_masked` is true. Reason, code and origin are never personal.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can } from '../../security/identity/identity.js';
import type { AppDeps } from '../app-deps.js';
import { NotConfigured } from '../errors.js';
import { AUTH_ERRORS } from '../schemas/error-body.js';

const Row = z.object({
  source: z.string().nullable(), stage: z.string().nullable(), run_id: z.string().nullable(), code: z.string(), field: z.string().nullable(), reason: z.string(),
  uri: z.string().nullable(), line: z.number().nullable(), ts: z.string().nullable(),
  raw: z.string().nullable(), raw_masked: z.boolean(),
});

/** `/v1/quarantine` routes. */
export function quarantineRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<ZodTypeProvider>().get('/v1/quarantine', {
      config: { requires: 'quarantine:read' },
      schema: {
        tags: ['quarantine'], summary: 'Browse quarantined records, newest first (raw data masked unless pii:read)',
        querystring: z.strictObject({
          source: z.string().max(128).optional(), code: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ records: z.array(Row) }), ...AUTH_ERRORS },
      },
    }, async (req) => {
      if (!deps.quarantine) throw NotConfigured({ feature: 'Quarantine browsing' });
      const unmasked = req.identity !== undefined && can(req.identity, 'pii:read');
      const q = req.query;
      const rows = await deps.quarantine.browse({ limit: q.limit, offset: q.offset, ...(q.source ? { source: q.source } : {}), ...(q.code ? { code: q.code } : {}) });
      return { records: rows.map((r) => ({ ...r, raw: unmasked ? r.raw : null, raw_masked: !unmasked && r.raw !== null })) };
    });
  };
}
