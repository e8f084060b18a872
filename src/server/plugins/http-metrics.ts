/** Request metrics: method, route template and status of every finished response, with its duration. */
import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../../observe/metrics-registry.js';

/** Adds the `onResponse` hook recording every request into `metrics`. */
export function registerHttpMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? '(unmatched)';
    metrics.observeRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}
