/** `POST /v1/sql`: the three formats, streaming batch by batch, and a key revoked mid-stream. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/server/app.js';
import { startServer } from '../../src/server/serve/start-server.js';
import { tmpDir } from '../helpers/tmp.js';
import { bearer, fakeDeps, fakeQueryEngine, KEYS, serverSection } from './helpers/fake-deps.js';

const ROWS = Array.from({ length: 10 }, (_, i) => [i, `row ${i}`] as const);

describe('POST /v1/sql', () => {
  it('returns json, ndjson and csv', async () => {
    const app = await buildApp(fakeDeps(), { server: serverSection() });
    try {
      const json = await app.inject({ method: 'POST', url: '/v1/sql', headers: bearer('analyst'), payload: { sql: 'select n, s from t' } });
      assert.equal(json.statusCode, 200);
      assert.match(String(json.headers['content-type']), /^application\/json/);
      assert.deepEqual(json.json(), { columns: [{ name: 'n', type: 'BIGINT' }, { name: 's', type: 'VARCHAR' }], rows: [[1, 'a'], [2, 'b'], [3, 'c,"d"']], row_count: 3 });
      const nd = await app.inject({ method: 'POST', url: '/v1/sql', headers: bearer('analyst'), payload: { sql: 'select 1', format: 'ndjson' } });
      assert.match(String(nd.headers['content-type']), /^application\/x-ndjson/);
      assert.deepEqual(nd.body.trim().split('\n').map((l) => JSON.parse(l)), [{ columns: [{ name: 'n', type: 'BIGINT' }, { name: 's', type: 'VARCHAR' }] }, [1, 'a'], [2, 'b'], [3, 'c,"d"'], { row_count: 3 }]);
      const csv = await app.inject({ method: 'POST', url: '/v1/sql', headers: bearer('analyst'), payload: { sql: 'select 1', format: 'csv' } });
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.equal(csv.body, 'n,s\r\n1,a\r\n2,b\r\n3,"c,""d"""\r\n');
    } finally {
      await app.close();
    }
  });

  it('stops the stream when the key is revoked mid-stream, and audits it', async () => {
    const engine = fakeQueryEngine({ rows: ROWS, batchSize: 2, delayMs: 20 });
    const deps = fakeDeps({ engine });
    const keyId = KEYS.analyst.slice(0, 13);
    let checks = 0;
    const app = await buildApp({ ...deps, keyStillValid: async (id) => { checks += 1; if (checks === 2) deps.revoked.add(id); return !deps.revoked.has(id); } }, { server: serverSection({ limits: { key_recheck_ms: 0 } }) });
    try {
      for (const format of ['ndjson', 'json'] as const) {
        deps.revoked.clear(); checks = 0;
        const res = await app.inject({ method: 'POST', url: '/v1/sql', headers: bearer('analyst'), payload: { sql: 'select * from big', format } });
        assert.equal(res.statusCode, 200);
        if (format === 'ndjson') {
          const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
          assert.deepEqual(lines.at(-1).error.code, 'TRB_SERVER_KEY_REVOKED_MID_STREAM');
          assert.equal(lines.length - 2, 4, 'two batches of two rows went out before the revocation was seen');
        } else {
          const body = res.json();
          assert.equal(body.error.code, 'TRB_SERVER_KEY_REVOKED_MID_STREAM');
          assert.equal(body.rows.length, 4);
          assert.equal(body.row_count, 4);
        }
        const stop = deps.auditEvents.at(-1);
        assert.equal(stop?.action, 'sql.stream_stopped');
        assert.equal(stop?.outcome, 'denied');
        assert.equal(stop?.details?.['rows_sent'], 4);
        assert.equal(stop?.details?.['key_id'], keyId);
      }
      assert.equal(engine.closed.length, 2, 'the engine stream was closed each time');
      const csv = await app.inject({ method: 'POST', url: '/v1/sql', headers: { ...bearer('analyst') }, payload: { sql: 'select 1', format: 'csv' } }).catch((e: unknown) => e);
      // The revoked key is refused outright now; CSV never reports success for a cut stream.
      assert.equal((csv as { statusCode: number }).statusCode, 401);
    } finally {
      await app.close();
    }
  });

  it('cuts a CSV stream (the client sees a broken response) when the key is revoked mid-stream', async (t) => {
    const deps = fakeDeps({ engine: fakeQueryEngine({ rows: ROWS, batchSize: 2, delayMs: 5 }) });
    let checks = 0;
    const dir = tmpDir(t);
    const server = await startServer({ ...deps, keyStillValid: async () => { checks += 1; return checks < 2; } }, {
      server: serverSection({ listeners: [{ port: 0 }], limits: { key_recheck_ms: 0 } }), baseDir: dir, dataDir: dir, insecureHttp: true,
    });
    t.after(() => server.close());
    const res = await fetch(`${server.addresses.get('main')}/v1/sql`, {
      method: 'POST', headers: { ...bearer('analyst'), 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'select 1', format: 'csv' }),
    });
    assert.equal(res.status, 200);
    await assert.rejects(res.text(), 'a truncated CSV never ends cleanly');
    assert.equal(deps.auditEvents.at(-1)?.action, 'sql.stream_stopped');
  });

  it('aborts and closes the query when the client goes away mid-stream', async (t) => {
    const engine = fakeQueryEngine({ rows: Array.from({ length: 1000 }, (_, i) => [i, 'x']), batchSize: 1, delayMs: 10 });
    const dir = tmpDir(t);
    const server = await startServer(fakeDeps({ engine }), { server: serverSection({ listeners: [{ port: 0 }] }), baseDir: dir, dataDir: dir, insecureHttp: true });
    t.after(() => server.close());
    const ac = new AbortController();
    const res = await fetch(`${server.addresses.get('main')}/v1/sql`, {
      method: 'POST', signal: ac.signal, headers: { ...bearer('analyst'), 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'select 1', format: 'ndjson' }),
    });
    const reader = res.body?.getReader();
    await reader?.read();
    ac.abort();
    for (let i = 0; i < 100 && engine.closed.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(engine.closed.length, 1, 'the engine stream was closed long before its 1000 batches');
  });

  it('closes the query when the client goes away while it is still running (no leaked connection)', async (t) => {
    const inner = fakeQueryEngine({ rows: [[1, 'x']] });
    let started = 0;
    const engine = { ...inner, async query(...a: Parameters<typeof inner.query>) { started += 1; await new Promise((r) => setTimeout(r, 300)); return inner.query(...a); } };
    const dir = tmpDir(t);
    const server = await startServer(fakeDeps({ engine }), { server: serverSection({ listeners: [{ port: 0 }] }), baseDir: dir, dataDir: dir, insecureHttp: true });
    t.after(() => server.close());
    const ac = new AbortController();
    const res = fetch(`${server.addresses.get('main')}/v1/sql`, {
      method: 'POST', signal: ac.signal, headers: { ...bearer('analyst'), 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'select slow', format: 'json' }),
    }).catch(() => undefined);
    for (let i = 0; i < 100 && started === 0; i++) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await res;
    for (let i = 0; i < 100 && inner.closed.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(inner.closed, ['select slow'], 'the stream the engine returned after the client left was closed');
  });

  it('re-checks the key at most every key_recheck_ms', async () => {
    const deps = fakeDeps({ engine: fakeQueryEngine({ rows: ROWS, batchSize: 1 }) });
    let checks = 0;
    const app = await buildApp({ ...deps, keyStillValid: async () => { checks += 1; return true; } }, { server: serverSection({ limits: { key_recheck_ms: 60_000 } }) });
    try {
      const res = await app.inject({ method: 'POST', url: '/v1/sql', headers: bearer('analyst'), payload: { sql: 'select 1', format: 'ndjson' } });
      assert.equal(res.statusCode, 200);
      assert.equal(checks, 0);
    } finally {
      await app.close();
    }
  });
});
