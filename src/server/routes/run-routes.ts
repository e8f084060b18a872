/**
 * Runs (control store): status, counts and errors. The response schema is the allow-list: only the
 * fields below leave the server, whatever else a run summary holds (paths, column maps, ...).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFound } from '../../core/errors.js';
import type { RunRecord } from '../../seams/control-store/control-store.js';
import type { AppDeps } from '../app-deps.js';
import { AUTH_ERRORS } from '../schemas/error-body.js';

const StageCounts = z.object({ in: z.number(), passed: z.number(), rejected: z.number(), filtered: z.number() });
const Run = z.object({
  id: z.string(), pipeline: z.string(), trigger: z.string(), status: z.string(),
  started_at: z.string(), finished_at: z.string().nullable(),
  counts: z.object({
    lines_read: z.number(), landed: z.number(), quarantined: z.number(), filtered: z.number(),
    quarantine_by_reason: z.record(z.string(), z.number()),
    stages: z.record(z.string(), StageCounts),
  }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
}).meta({ id: 'Run' });

/** The API view of a run record. */
export function toRunView(r: RunRecord): z.infer<typeof Run> {
  const c = (r.counts ?? null) as Record<string, unknown> | null;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const stages = (c?.['stages'] ?? {}) as Record<string, Record<string, unknown>>;
  return {
    id: r.id, pipeline: r.pipeline, trigger: r.trigger, status: r.status, started_at: r.started_at, finished_at: r.finished_at,
    counts: c === null ? null : {
      lines_read: n(c['linesRead']), landed: n(c['landed']), quarantined: n(c['quarantined']), filtered: n(c['filtered']),
      quarantine_by_reason: Object.fromEntries(Object.entries((c['quarantineByReason'] ?? {}) as Record<string, unknown>).map(([k, v]) => [k, n(v)])),
      stages: Object.fromEntries(Object.entries(stages).map(([k, s]) => [k, { in: n(s['in']), passed: n(s['passed']), rejected: n(s['rejected']), filtered: n(s['filtered']) }])),
    },
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
  };
}

/** `/v1/runs` routes. */
export function runRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/v1/runs', {
      config: { requires: 'runs:read' },
      schema: {
        tags: ['runs'], summary: 'List runs, newest first',
        querystring: z.strictObject({ pipeline: z.string().max(128).optional(), limit: z.coerce.number().int().min(1).max(1000).default(50) }),
        response: { 200: z.object({ runs: z.array(Run) }), ...AUTH_ERRORS },
      },
    }, async (req) => {
      const runs = await deps.runs.listRuns({ limit: req.query.limit, ...(req.query.pipeline ? { pipeline: req.query.pipeline } : {}) });
      return { runs: runs.map(toRunView) };
    });
    r.get('/v1/runs/:id', {
      config: { requires: 'runs:read' },
      schema: { tags: ['runs'], summary: 'One run: status, counts, error', params: z.object({ id: z.string().max(64) }), response: { 200: Run, ...AUTH_ERRORS } },
    }, async (req) => {
      const run = await deps.runs.getRun(req.params.id);
      if (!run) throw NotFound({ what: 'Run', name: req.params.id });
      return toRunView(run);
    });
  };
}
