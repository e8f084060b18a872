/** Pipelines of the server's pipelines directory: list, validate, trigger a run. */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';
import { AUTH_ERRORS } from '../schemas/error-body.js';

const Name = z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/).meta({ description: 'Pipeline name (file stem).' }) });
const Pipeline = z.object({ name: z.string(), file: z.string() });
const Problem = z.object({ code: z.string(), message: z.string(), line: z.number().int().optional(), path: z.string().optional() });

/** `/v1/pipelines` routes. */
export function pipelineRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/v1/pipelines', {
      config: { requires: 'pipelines:read' },
      schema: { tags: ['pipelines'], summary: 'List pipelines', response: { 200: z.object({ pipelines: z.array(Pipeline) }), ...AUTH_ERRORS } },
    }, async () => ({ pipelines: [...await deps.pipelines.list()] }));

    r.post('/v1/pipelines/:name/validate', {
      config: { requires: 'pipelines:read' },
      schema: { tags: ['pipelines'], summary: 'Validate a pipeline file', params: Name, response: { 200: z.object({ ok: z.boolean(), problems: z.array(Problem) }), ...AUTH_ERRORS } },
    }, async (req) => {
      const v = await deps.pipelines.validate(req.params.name);
      return { ok: v.ok, problems: [...v.problems] };
    });

    r.post('/v1/pipelines/:name/runs', {
      config: { requires: 'pipelines:run' },
      schema: {
        tags: ['pipelines'], summary: 'Start a run (202; follow it at /v1/runs/{id})', params: Name,
        response: { 202: z.object({ pipeline: z.string(), run_id: z.string().nullable() }), ...AUTH_ERRORS },
      },
    }, async (req, reply) => {
      const actor = req.identity?.subject ?? 'anonymous';
      const { runId } = await deps.pipelines.start(req.params.name, actor);
      if (runId) reply.header('location', `/v1/runs/${runId}`);
      return reply.code(202).send({ pipeline: req.params.name, run_id: runId ?? null });
    });
  };
}
