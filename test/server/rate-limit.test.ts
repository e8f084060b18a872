/**
 * Rate limits: per address (before auth) and per key (after), 429 with the standard error shape and
 * Retry-After; with the real Redis on this machine two app instances share one budget.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/server/app.js';
import { needService } from '../helpers/services.js';
import { bearer, fakeDeps, serverSection } from './helpers/fake-deps.js';

describe('rate limits', () => {
  it('answers 429 TRB_SERVER_RATE_LIMITED once a key spends its budget', async () => {
    const app = await buildApp(fakeDeps(), { server: serverSection({ rate_limit: { per_key: { max: 3 }, per_address: { max: 100 } } }) });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await app.inject({ url: '/v1/runs', headers: bearer('analyst') })).statusCode);
      assert.deepEqual(codes, [200, 200, 200, 429, 429]);
      const res = await app.inject({ url: '/v1/runs', headers: bearer('analyst') });
      assert.equal(res.json().error.code, 'TRB_SERVER_RATE_LIMITED');
      assert.equal(res.json().error.details.scope, 'key');
      assert.ok(Number(res.headers['retry-after']) > 0);
      assert.match((await app.inject({ url: '/metrics' })).body, /tributary_http_refusals_total\{code="TRB_SERVER_RATE_LIMITED"\} [2-9]/);
      // Another key has its own budget.
      assert.equal((await app.inject({ url: '/v1/runs', headers: bearer('engineer') })).statusCode, 200);
    } finally {
      await app.close();
    }
  });

  it('limits per address before authentication, but never the health probes', async () => {
    const app = await buildApp(fakeDeps(), { server: serverSection({ rate_limit: { per_address: { max: 2 } } }) });
    try {
      const codes = [];
      for (let i = 0; i < 3; i++) codes.push((await app.inject({ url: '/v1/runs', headers: { authorization: 'Bearer wrong' }, remoteAddress: '198.51.100.7' })).statusCode);
      assert.deepEqual(codes, [401, 401, 429]);
      assert.equal((await app.inject({ url: '/v1/runs', remoteAddress: '198.51.100.7' })).json().error.details.scope, 'address');
      assert.equal((await app.inject({ url: '/healthz', remoteAddress: '198.51.100.7' })).statusCode, 200);
      assert.equal((await app.inject({ url: '/v1/runs', headers: bearer('analyst'), remoteAddress: '198.51.100.8' })).statusCode, 200);
    } finally {
      await app.close();
    }
  });

  it('shares one budget across two server instances through the real Redis [redis]', async () => {
    const url = await needService('redis');
    const namespace = `trb-test-rl-${randomBytes(6).toString('hex')}:`;
    const r1 = new Redis(url);
    const r2 = new Redis(url);
    const server = serverSection({ rate_limit: { per_key: { max: 4, window_secs: 60 }, per_address: { max: 1000 } } });
    const a = await buildApp(fakeDeps(), { server, redis: r1, rateLimitNamespace: namespace });
    const b = await buildApp(fakeDeps(), { server, redis: r2, rateLimitNamespace: namespace });
    try {
      const codes = [];
      for (const app of [a, b, a, b, a, b]) codes.push((await app.inject({ url: '/v1/runs', headers: bearer('analyst') })).statusCode);
      assert.deepEqual(codes, [200, 200, 200, 200, 429, 429]);
      const keys = await r1.keys(`${namespace}*`);
      assert.ok(keys.length >= 1, 'the counters live in Redis');
    } finally {
      await a.close();
      await b.close();
      const keys = await r1.keys(`${namespace}*`);
      if (keys.length) await r1.del(...keys);
      r1.disconnect();
      r2.disconnect();
    }
  });
});
