/**
 * Rate limits with @fastify/rate-limit: one budget per client address (root scope, before
 * authentication, so a flood of bad keys is cut off cheaply; health probes exempt) and one per
 * authenticated identity (in the authenticated scope, after authentication). With a Redis client the
 * counters live in Redis, so every server process sharing it shares the budgets.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimited } from '../errors.js';

/** One budget: `max` requests per `windowSecs`. */
export interface Budget {
  readonly max: number;
  readonly windowSecs: number;
}

/** Options of {@link registerRateLimits}. */
export interface RateLimitOptions {
  readonly perAddress: Budget;
  readonly perKey: Budget;
  /** Shared store; absent = in-process counters. */
  readonly redis?: Redis;
  /** Key prefix in Redis (tests isolate runs with it); default `tributary:rl:`. */
  readonly namespace?: string;
}

type Limiter = (req: FastifyRequest, reply: unknown) => Promise<void>;

/**
 * Registers the plugin on `app` and the per-address hook; returns the per-identity hook for the
 * authenticated scope to add after its authentication hook.
 */
export async function registerRateLimits(app: FastifyInstance, opts: RateLimitOptions): Promise<onRequestAsyncHookHandler> {
  await app.register(rateLimit, {
    global: false,
    ...(opts.redis ? { redis: opts.redis } : {}),
    nameSpace: opts.namespace ?? 'tributary:rl:',
    skipOnError: false,
  });
  const make = (scope: 'key' | 'address', budget: Budget, keyOf: (req: FastifyRequest) => string): Limiter =>
    (app as unknown as { rateLimit(o: object): Limiter }).rateLimit({
      max: budget.max, timeWindow: budget.windowSecs * 1000, keyGenerator: keyOf,
      errorResponseBuilder: (_req: FastifyRequest, ctx: { ttl: number }) => RateLimited({ scope, retry_after_secs: Math.max(1, Math.ceil(ctx.ttl / 1000)) }),
    });
  const perAddress = make('address', opts.perAddress, (req) => `addr:${req.ip}`);
  const perKey = make('key', opts.perKey, (req) => `id:${req.identity?.subject ?? 'anonymous'}`);
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.config?.probe) return;
    await perAddress(req, reply);
  });
  return async function perIdentity(req, reply) { await perKey(req, reply); };
}
