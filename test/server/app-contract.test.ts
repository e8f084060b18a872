/** Error shapes, OpenAPI coverage and validity, security headers and CORS defaults. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp, registeredRoutes } from '../../src/server/app.js';
import { bearer, fakeDeps, fakeQueryEngine, serverSection } from './helpers/fake-deps.js';

const ERROR_KEYS = ['code', 'details', 'message'];

describe('server contract', () => {
  let app: FastifyInstance;
  let deps: ReturnType<typeof fakeDeps>;
  before(async () => {
    const engine = fakeQueryEngine();
    deps = fakeDeps({ engine: { ...engine, relations: async () => { throw new Error('duckdb: IO Error at /var/secret/warehouse.db'); } } });
    app = await buildApp(deps, { server: serverSection({ limits: { body_max_bytes: 2048 } }) });
  });
  after(() => app.close());

  it('maps validation, not-found, too-large and unexpected errors to { error: { code, message, details } }', async () => {
    const cases: [InjectOptions, number, string][] = [
      [{ method: 'POST', url: '/v1/sql', headers: bearer('analyst'), payload: { sql: 'select 1', format: 'xml' } }, 400, 'TRB_VALIDATION'],
      [{ method: 'POST', url: '/v1/sql', headers: bearer('analyst'), payload: { sql: 'select 1', extra: 1 } }, 400, 'TRB_VALIDATION'],
      [{ method: 'POST', url: '/v1/sql', headers: { ...bearer('analyst'), 'content-type': 'application/json' }, payload: '{bad json' }, 400, 'TRB_VALIDATION'],
      [{ method: 'GET', url: '/v1/runs?limit=0', headers: bearer('analyst') }, 400, 'TRB_VALIDATION'],
      [{ method: 'GET', url: '/v1/nothing-here', headers: bearer('analyst') }, 404, 'TRB_SERVER_NO_ROUTE'],
      [{ method: 'POST', url: '/v1/sql', headers: bearer('analyst'), payload: { sql: `select '${'x'.repeat(4000)}'` } }, 413, 'TRB_SERVER_BODY_TOO_LARGE'],
      [{ method: 'GET', url: '/v1/datasets', headers: bearer('analyst') }, 500, 'TRB_INTERNAL'],
      [{ method: 'POST', url: '/v1/sql', headers: bearer('analyst'), payload: { sql: 'delete from t' } }, 400, 'TRB_VALIDATION'],
    ];
    for (const [req, status, code] of cases) {
      const res = await app.inject(req);
      assert.equal(res.statusCode, status, `${JSON.stringify(req.url)} ${res.body}`);
      const body = res.json();
      assert.deepEqual(Object.keys(body), ['error']);
      assert.deepEqual(Object.keys(body.error).sort(), ERROR_KEYS);
      assert.equal(body.error.code, code);
      assert.ok(!/duckdb|\/var\/secret|stack|at .*\.ts/i.test(res.body), `no internals in ${res.body}`);
    }
  });

  it('lists every route in a valid OpenAPI 3.1 document', async () => {
    const res = await app.inject({ url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const spec = res.json() as { openapi: string; paths: Record<string, Record<string, { responses?: object; security?: unknown[] }>>; components: { schemas?: Record<string, object> } };
    assert.equal(spec.openapi, '3.1.0');
    const documented = new Set(Object.entries(spec.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const internal = (url: string): boolean => url === '/openapi.json' || url.startsWith('/docs');
    for (const r of registeredRoutes(app).filter((x) => !internal(x.url))) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      assert.ok(documented.has(`${r.method} ${path}`), `${r.method} ${path} is missing from OpenAPI`);
      const op = spec.paths[path]?.[r.method.toLowerCase()];
      assert.ok(op?.responses && Object.keys(op.responses).length > 0, `${r.method} ${path} documents its responses`);
      if (r.url.startsWith('/v1/')) assert.deepEqual(op?.security, [{ bearerAuth: [] }], `${r.method} ${path} is marked as authenticated`);
    }
    // Every schema in the document compiles as JSON Schema 2020-12 (the dialect of OpenAPI 3.1).
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const [name, s] of Object.entries(spec.components.schemas ?? {})) ajv.addSchema(s, name);
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (o['schema'] && typeof o['schema'] === 'object') ajv.compile(JSON.parse(JSON.stringify(o['schema']).replaceAll('#/components/schemas/', '')));
      for (const x of Object.values(o)) walk(x);
    };
    walk(spec.paths);
  });

  it('sends security headers and no CORS headers by default', async () => {
    const res = await app.inject({ url: '/healthz', headers: { origin: 'https://evil.example' } });
    for (const h of ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy']) assert.ok(res.headers[h], h);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/sql', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  it('allows exactly the configured CORS origins when configured', async () => {
    const c = await buildApp(fakeDeps(), { server: serverSection({ cors: { origins: ['https://ui.example.com'] } }) });
    try {
      const ok = await c.inject({ url: '/healthz', headers: { origin: 'https://ui.example.com' } });
      assert.equal(ok.headers['access-control-allow-origin'], 'https://ui.example.com');
      const other = await c.inject({ url: '/healthz', headers: { origin: 'https://evil.example' } });
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    } finally {
      await c.close();
    }
  });

  it('reports readiness per dependency', async () => {
    assert.deepEqual((await app.inject({ url: '/readyz' })).json(), { status: 'ready', checks: { control_store: 'ok', warehouse: 'ok' } });
    const down = await buildApp({ ...fakeDeps(), readiness: { control_store: async () => {}, warehouse: async () => { throw new Error('ECONNREFUSED 10.0.0.5') } } }, { server: serverSection() });
    try {
      const res = await down.inject({ url: '/readyz' });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(res.json(), { status: 'not_ready', checks: { control_store: 'ok', warehouse: 'unreachable' } });
    } finally {
      await down.close();
    }
  });
});
