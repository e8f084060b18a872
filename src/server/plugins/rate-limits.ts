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

interface LimitResult { readonly isAllowed: boolean; readonly isExceeded?: boolean; readonly max?: number; readonly remaining?: number; readonly ttlInSeconds?: number }
type Check = (req: FastifyRequest) => Promise<LimitResult>;

/**
 * Registers the plugin on `app` and the per-address hook; returns the per-identity hook for the
 * authenticated scope to add after its authentication hook. Both budgets use the plugin's
 * `createRateLimit` checks (its request handlers let only the first limiter run per request).
 */
export async function registerRateLimits(app: FastifyInstance, opts: RateLimitOptions): Promise<onRequestAsyncHookHandler> {
  await app.register(rateLimit, {
    global: false,
    ...(opts.redis ? { redis: opts.redis } : {}),
    nameSpace: opts.namespace ?? 'tributary:rl:',
    skipOnError: false,
  });
  const make = (scope: 'key' | 'address', budget: Budget, keyOf: (req: FastifyRequest) => string): onRequestAsyncHookHandler => {
    const check = (app as unknown as { createRateLimit(o: object): Check }).createRateLimit({
      max: budget.max, timeWindow: budget.windowSecs * 1000, keyGenerator: keyOf,
    });
    return async (req, reply) => {
      const r = await check(req);
      if (r.isAllowed) return;
      const retry = Math.max(1, r.ttlInSeconds ?? budget.windowSecs);
      const prefix = scope === 'key' ? 'x-ratelimit' : 'x-ratelimit-address';
      reply.header(`${prefix}-limit`, budget.max).header(`${prefix}-remaining`, r.remaining ?? 0).header(`${prefix}-reset`, retry);
      if (r.isExceeded) {
        reply.header('retry-after', retry);
        throw RateLimited({ scope, retry_after_secs: retry });
      }
    };
  };
  const perAddress = make('address', opts.perAddress, (req) => `addr:${req.ip}`);
  app.addHook('onRequest', async function addressLimit(req, reply) {
    if (req.routeOptions.config?.probe) return;
    await perAddress.call(this, req, reply);
  });
  return make('key', opts.perKey, (req) => `id:${req.identity?.subject ?? 'anonymous'}`);
}
