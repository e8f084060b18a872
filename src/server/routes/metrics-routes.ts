/** Public `/metrics` in the Prometheus text format (see observe/metrics-registry.ts for what it holds). */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app-deps.js';

/** The metrics route. */
export function metricsRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics (HTTP requests, pipeline runs per stage, run durations, last success)' } }, async (_req, reply) => {
      const text = await deps.metrics.render();
      return reply.type(deps.metrics.registry.contentType).send(text);
    });
  };
}
