/** The audit log for auditors: list entries (filtered) and verify the chain. Both are themselves audited. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { NotConfigured } from '../errors.js';
import { AUTH_ERRORS } from '../schemas/error-body.js';

const Entry = z.object({
  seq: z.number(), ts: z.string(), actor: z.string(), action: z.string(), target: z.string(), outcome: z.string(),
  request_id: z.string(), details: z.record(z.string(), z.unknown()).nullable(), hash: z.string(),
});
const Verify = z.object({
  ok: z.boolean(), entries: z.number(), last_seq: z.number(), head_hash: z.string(), anchors: z.number(),
  first_bad: z.object({ seq: z.number(), reason: z.string(), problem: z.string() }).nullable(),
});
const iso = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO-8601 date or time');

/** `/v1/audit` routes. */
export function auditRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/v1/audit', {
      config: { requires: 'audit:read' },
      schema: {
        tags: ['audit'], summary: 'Audit entries matching every filter',
        querystring: z.strictObject({
          from_seq: z.coerce.number().int().min(1).optional(), action: z.string().max(128).optional(), actor: z.string().max(256).optional(),
          outcome: z.enum(['attempt', 'ok', 'denied', 'error']).optional(), since: iso.optional(), until: iso.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100), order: z.enum(['asc', 'desc']).default('desc'),
        }),
        response: { 200: z.object({ entries: z.array(Entry) }), ...AUTH_ERRORS },
      },
    }, async (req) => {
      if (!deps.auditReader) throw NotConfigured({ feature: 'Audit log reading' });
      const q = req.query;
      const rows = await deps.auditReader.list({
        limit: q.limit, order: q.order, ...(q.from_seq ? { fromSeq: q.from_seq } : {}), ...(q.action ? { action: q.action } : {}),
        ...(q.actor ? { actor: q.actor } : {}), ...(q.outcome ? { outcome: q.outcome } : {}),
        ...(q.since ? { since: new Date(q.since).toISOString() } : {}), ...(q.until ? { until: new Date(q.until).toISOString() } : {}),
      });
      await deps.audit.record({ actor: req.identity?.subject ?? 'anonymous', action: 'audit.read', target: 'audit', outcome: 'ok', requestId: req.id, details: { entries: rows.length } });
      return { entries: rows.map((e) => ({ seq: e.seq, ts: e.ts, actor: e.actor, action: e.action, target: e.target, outcome: e.outcome, request_id: e.requestId, details: e.details ? { ...e.details } : null, hash: e.hash })) };
    });
    r.post('/v1/audit/verify', {
      config: { requires: 'audit:read' },
      schema: { tags: ['audit'], summary: 'Verify the chain, MACs and anchors', response: { 200: Verify, ...AUTH_ERRORS } },
    }, async (req) => {
      if (!deps.auditReader) throw NotConfigured({ feature: 'Audit log verification' });
      const v = await deps.auditReader.verify();
      await deps.audit.record({ actor: req.identity?.subject ?? 'anonymous', action: 'audit.verify', target: 'audit', outcome: v.ok ? 'ok' : 'error', requestId: req.id, details: { entries: v.entries, ok: v.ok } });
      return {
        ok: v.ok, entries: v.entries, last_seq: v.lastSeq, head_hash: v.headHash, anchors: v.anchors,
        first_bad: v.firstBad ? { seq: v.firstBad.seq, reason: v.firstBad.reason, problem: v.firstBad.problem } : null,
      };
    });
  };
}
