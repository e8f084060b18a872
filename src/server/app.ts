/**
 * `buildApp(deps, opts)`: the Fastify application of one listener, fully wired but never listening
 * (tests call `inject()`; `tributary serve` is the only caller of `listen()`). Layout:
 *
 * root scope (every route): listener allowlist → query-string credential guard → per-address rate
 *   limit; helmet headers, CORS (off unless configured), error handler, HTTP metrics, OpenAPI
 * ├─ public scope: /healthz, /readyz, /metrics, /openapi.json, /docs
 * └─ authenticated scope: auth (API key or mTLS) → per-identity rate limit → RBAC preHandler
 *    reading each route's `config.requires`; one plugin per resource under /v1.
 */
import { randomUUID } from 'node:crypto';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import { silentLogger } from '../observe/logger.js';
import type { AppDeps } from './app-deps.js';
import type { ListenerConfig, ServerSection } from './config/server-config.js';
import './plugins/fastify-types.js';
import { registerAuth } from './plugins/auth.js';
import { installErrorHandler } from './plugins/error-handler.js';
import { registerHttpMetrics } from './plugins/http-metrics.js';
import { registerListenerAllowlist } from './plugins/listener-allowlist.js';
import { registerOpenApi } from './plugins/openapi.js';
import { registerQueryKeyGuard } from './plugins/query-key-guard.js';
import { registerRateLimits } from './plugins/rate-limits.js';
import { registerRbac } from './plugins/rbac.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { apiKeyRoutes } from './routes/apikey-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { datasetRoutes } from './routes/dataset-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { pipelineRoutes } from './routes/pipeline-routes.js';
import { quarantineRoutes } from './routes/quarantine-routes.js';
import { runRoutes } from './routes/run-routes.js';
import { sqlRoutes } from './routes/sql-routes.js';

/** The API version reported in OpenAPI. */
export const API_VERSION = '1.0.0';

/** Per-listener and server-wide settings of one app. */
export interface AppOptions {
  /** The parsed `server:` section (limits, CORS, rate limits, trust_proxy). */
  readonly server: ServerSection;
  /** The listener this app serves (allowlist, mTLS subjects); default: the first of `server.listeners`. */
  readonly listener?: ListenerConfig;
  /** TLS options of the listener (built by serve/tls-options.ts); absent = plain HTTP (tests, `--insecure-http`). */
  readonly https?: HttpsServerOptions;
  /** Shared rate-limit store (from `rate_limit.redis_url`). */
  readonly redis?: Redis;
  /** Redis key prefix of the rate limits (tests isolate themselves with it). */
  readonly rateLimitNamespace?: string;
}

const ROUTES = new WeakMap<FastifyInstance, readonly { method: string; url: string }[]>();

/** Every route (method, URL template) of an app built by {@link buildApp}, HEAD excluded; for tests and docs. */
export function registeredRoutes(app: FastifyInstance): readonly { readonly method: string; readonly url: string }[] {
  return ROUTES.get(app) ?? [];
}

/** Builds the app (see the module doc); resolves once every plugin is loaded (`ready()`). */
export async function buildApp(deps: AppDeps, opts: AppOptions): Promise<FastifyInstance> {
  const { server } = opts;
  const listener = opts.listener ?? server.listeners[0];
  const log = deps.log ?? silentLogger;
  const trustProxy = Array.isArray(server.trust_proxy) ? [...server.trust_proxy] : server.trust_proxy;
  const app = Fastify({
    logger: false,
    bodyLimit: server.limits.body_max_bytes,
    requestTimeout: server.limits.request_timeout_secs * 1000,
    trustProxy,
    return503OnClosing: true,
    // Unique across processes: audit entries of every server process correlate by it.
    genReqId: () => randomUUID(),
    ...(opts.https ? { https: opts.https } : {}),
  }) as unknown as FastifyInstance;
  const routes: { method: string; url: string }[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
  });
  app.addHook('onRequest', async (req, reply) => { reply.header('x-request-id', req.id); });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, { log, bodyLimit: server.limits.body_max_bytes, onRefusal: (code) => deps.metrics.countRefusal(code) });
  registerHttpMetrics(app, deps.metrics);
  registerListenerAllowlist(app, deps, listener?.allow_cidrs ?? []);
  registerQueryKeyGuard(app, deps);
  await registerSecurityHeaders(app, { tls: opts.https !== undefined, corsOrigins: server.cors.origins, corsCredentials: server.cors.credentials });
  const perIdentityLimit = await registerRateLimits(app, {
    perAddress: { max: server.rate_limit.per_address.max, windowSecs: server.rate_limit.per_address.window_secs },
    perKey: { max: server.rate_limit.per_key.max, windowSecs: server.rate_limit.per_key.window_secs },
    ...(opts.redis ? { redis: opts.redis } : {}), ...(opts.rateLimitNamespace ? { namespace: opts.rateLimitNamespace } : {}),
  });
  await registerOpenApi(app, API_VERSION);

  await app.register(async (pub) => {
    await pub.register(healthRoutes(deps));
    await pub.register(metricsRoutes(deps));
  });
  await app.register(async (scope) => {
    registerAuth(scope, deps, listener?.mtls ? { certSubjects: listener.mtls.subjects } : {});
    scope.addHook('onRequest', perIdentityLimit);
    registerRbac(scope, deps);
    scope.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: [{ bearerAuth: [] }] };
    });
    await scope.register(pipelineRoutes(deps));
    await scope.register(runRoutes(deps));
    await scope.register(datasetRoutes(deps));
    await scope.register(quarantineRoutes(deps));
    await scope.register(auditRoutes(deps));
    await scope.register(apiKeyRoutes(deps));
    await scope.register(sqlRoutes(deps, { maxSqlChars: server.limits.sql_max_chars, keyRecheckMs: server.limits.key_recheck_ms }));
  });
  await app.ready();
  return app;
}
