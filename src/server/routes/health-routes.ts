/**
 * Public probes: `/healthz` (the process answers) and `/readyz` (every readiness probe — control
 * store, warehouse — answers within the timeout). Neither needs a key nor says more than ok/unreachable.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.js';

const PROBE_TIMEOUT_MS = 2000;

const Health = z.object({ status: z.literal('ok') }).meta({ description: 'The process is up.' });
const Ready = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.enum(['ok', 'unreachable'])),
}).meta({ description: 'Each dependency: ok or unreachable.' });

/** The probe routes. */
export function healthRoutes(deps: AppDeps): FastifyPluginAsync {
  return async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get('/healthz', { config: { probe: true }, schema: { tags: ['health'], summary: 'Liveness', response: { 200: Health } } }, async () => ({ status: 'ok' as const }));
    r.get('/readyz', { config: { probe: true }, schema: { tags: ['health'], summary: 'Readiness (control store and warehouse reachable)', response: { 200: Ready, 503: Ready } } }, async (_req, reply) => {
      const entries = await Promise.all(Object.entries(deps.readiness).map(async ([name, probe]) => [name, await within(probe(), PROBE_TIMEOUT_MS)] as const));
      const checks = Object.fromEntries(entries.map(([n, ok]) => [n, ok ? 'ok' as const : 'unreachable' as const]));
      const ready = entries.every(([, ok]) => ok);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    });
  };
}

async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([p.then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
