/**
 * The gateway with a real client, node-postgres (`pg`): TLS with a throwaway CA, SCRAM-SHA-256,
 * simple and extended (parameterised) queries, typed results in text and binary format, SQLSTATEs,
 * audited authentication failures, plain-text refusal, cancellation and the connection limits.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect } from 'node:net';
import pg from 'pg';
import { startTestGateway, ALICE_PASSWORD, type TestGateway } from './test-support/start-test-gateway.js';
import { needService } from '../../../test/helpers/services.js';

/** pg accepts `binary` (binary result format) though its types omit it. */
type ClientOptions = Partial<pg.ClientConfig> & { binary?: boolean };

const clientFor = (gw: TestGateway, over: ClientOptions = {}): pg.Client => new pg.Client({
  host: '127.0.0.1', port: gw.server.port, user: 'alice', password: ALICE_PASSWORD, database: 'tributary',
  ssl: { ca: gw.ca.ca, servername: 'localhost' }, ...over,
} as pg.ClientConfig);

async function failure(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try { await p; } catch (e) { return e as { code?: string; message: string }; }
  assert.fail('expected a failure');
}

describe('pgwire gateway with node-postgres', () => {
  let gw: TestGateway;
  before(async () => { gw = await startTestGateway(); });
  after(async () => { await gw.close(); });

  it('authenticates over verified TLS and returns typed rows (simple query)', async () => {
    const c = clientFor(gw);
    await c.connect();
    try {
      const r = await c.query('SELECT id, ts, local_ts, status, small, path, ok, latency, ratio, price, big, day, uid, tags FROM requests ORDER BY id');
      assert.equal(r.rowCount, 3);
      const [a, , nulls] = r.rows;
      assert.equal(a.id, '1'); // int8 → string, as from PostgreSQL
      assert.deepEqual(a.ts, new Date('2024-03-01T10:00:00.123Z'));
      assert.equal(a.status, 200);
      assert.equal(a.small, 1);
      assert.equal(a.path, '/home');
      assert.equal(a.ok, true);
      assert.equal(a.latency, 12.5);
      assert.equal(a.ratio, 0.25);
      assert.equal(a.price, '19.99');
      assert.equal(a.big, '170141183460469231731687303715884105727');
      assert.equal(a.uid, '123e4567-e89b-12d3-a456-426614174000');
      assert.equal(a.tags, '["x","y"]');
      assert.ok(a.day instanceof Date);
      assert.equal(r.rows[1].ok, false);
      assert.equal(r.rows[1].price, '0.10');
      assert.ok(Object.values(nulls).slice(1).every((v) => v === null || v === 500));
      assert.deepEqual(r.fields.map((f) => f.dataTypeID), [20, 1184, 1114, 23, 21, 25, 16, 701, 700, 1700, 1700, 1082, 2950, 25]);
    } finally { await c.end(); }
  });

  it('runs parameterised queries through the extended protocol, named statements reused', async () => {
    const c = clientFor(gw);
    await c.connect();
    try {
      const r = await c.query('SELECT id, path FROM requests WHERE status = $1 AND ok = $2', [404, false]);
      assert.deepEqual(r.rows, [{ id: '2', path: '/missing' }]);
      for (const status of [200, 500]) {
        const n = await c.query({ name: 'by-status', text: 'SELECT count(*) AS n FROM requests WHERE status = $1', values: [status] });
        assert.equal(n.rows[0].n, '1');
      }
      const last = gw.engine.queries.at(-1);
      assert.equal(last?.via, 'pgwire');
      assert.deepEqual(last?.params, [500]);
      assert.equal(last?.subject, 'user:alice');
    } finally { await c.end(); }
  });

  it('sends binary results when asked, byte-identical to real PostgreSQL', async () => {
    const sql = `SELECT CAST('2024-03-01 10:00:00.123456+00' AS TIMESTAMPTZ) AS ts, CAST('2024-03-01 10:00:00.5' AS TIMESTAMP) AS lts,
      CAST('2024-03-01' AS DATE) AS d, CAST(7 AS BIGINT) AS i8, CAST(-3 AS INTEGER) AS i4, CAST(2 AS SMALLINT) AS i2,
      CAST(1.5 AS DOUBLE PRECISION) AS f8, CAST(0.25 AS REAL) AS f4, true AS b, CAST('123e4567-e89b-12d3-a456-426614174000' AS UUID) AS u,
      CAST('x' AS TEXT) AS t, $1::INTEGER AS p`;
    const raw = { getTypeParser: () => (v: unknown) => v } as unknown as pg.CustomTypesConfig;
    const real = new pg.Client({ connectionString: await needService('postgresql'), binary: true, types: raw } as pg.ClientConfig);
    const ours = clientFor(gw, { binary: true, types: raw });
    await real.connect();
    await ours.connect();
    try {
      const [a, b] = [await ours.query(sql, [42]), await real.query(sql, [42])];
      assert.deepEqual(a.rows, b.rows);
      assert.deepEqual(a.fields.map((f) => [f.name, f.dataTypeID, f.format]), b.fields.map((f) => [f.name, f.dataTypeID, f.format]));
      assert.equal(a.fields[0]?.format, 'binary');
      const n = await ours.query('SELECT CAST(19.99 AS DECIMAL(10,2)) AS n');
      assert.equal(n.fields[0]?.format, 'text'); // numeric is sent as text, and the RowDescription says so
      assert.equal(n.rows[0].n, '19.99');
    } finally { await real.end(); await ours.end(); }
  });

  it('speaks the extended protocol as JDBC does: Describe statement, fetch size (PortalSuspended), reuse, Close', async () => {
    const c = clientFor(gw);
    await c.connect();
    type Con = {
      parse(m: object): void; bind(m: object): void; describe(m: object): void; execute(m: object): void;
      close(m: object): void; sync(): void; on(e: string, f: (m: never) => void): void; removeAllListeners(e: string): void;
    };
    const con = (c as unknown as { connection: Con }).connection;
    const events: string[] = [];
    const rows: unknown[][] = [];
    const names = ['parseComplete', 'bindComplete', 'parameterDescription', 'rowDescription', 'noData', 'portalSuspended', 'commandComplete', 'closeComplete', 'errorMessage'];
    // Take the connection over from pg's own handlers: this test drives the protocol messages itself.
    for (const n of [...names, 'dataRow', 'readyForQuery']) con.removeAllListeners(n);
    for (const n of names) con.on(n, (m: never) => { events.push(n === 'commandComplete' ? `C:${(m as { text: string }).text}` : n === 'parameterDescription' ? `t:${(m as { dataTypeIDs: number[] }).dataTypeIDs.join(',')}` : n); });
    con.on('dataRow', (m: never) => rows.push((m as { fields: unknown[] }).fields));
    const cycle = (): Promise<void> => new Promise((ok) => con.on('readyForQuery', () => { con.removeAllListeners('readyForQuery'); ok(); }));
    try {
      let done = cycle();
      con.parse({ name: 'S_1', text: 'SELECT id, path FROM requests WHERE status >= $1 ORDER BY id', types: [0] });
      con.describe({ type: 'S', name: 'S_1' });
      con.sync();
      await done;
      assert.deepEqual(events.splice(0), ['parseComplete', 't:23', 'rowDescription']);
      done = cycle();
      con.bind({ portal: 'C_1', statement: 'S_1', values: ['200'] });
      con.execute({ portal: 'C_1', rows: 2 });
      con.execute({ portal: 'C_1', rows: 2 });
      con.close({ type: 'P', name: 'C_1' });
      con.sync();
      await done;
      assert.deepEqual(events.splice(0), ['bindComplete', 'portalSuspended', 'C:SELECT 3', 'closeComplete']);
      assert.deepEqual(rows.splice(0).map((r) => String(r[0])), ['1', '2', '3']);
      done = cycle();
      con.bind({ portal: '', statement: 'S_1', values: ['500'] });
      con.describe({ type: 'P', name: '' });
      con.execute({ portal: '', rows: 0 });
      con.close({ type: 'S', name: 'S_1' });
      con.bind({ portal: '', statement: 'S_1', values: ['500'] });
      con.execute({ portal: '', rows: 0 });
      con.sync();
      await done;
      assert.deepEqual(events.splice(0), ['bindComplete', 'rowDescription', 'C:SELECT 1', 'closeComplete', 'errorMessage']);
    } finally { await c.end(); }
  });

  it('maps engine errors to SQLSTATEs with safe messages, and the session survives', async () => {
    const c = clientFor(gw);
    await c.connect();
    try {
      const denied = await failure(c.query('SELECT * FROM salaries'));
      assert.equal(denied.code, '42501');
      assert.match(denied.message, /salaries/);
      assert.equal((await failure(c.query('SELEC 1'))).code, '42601');
      assert.equal((await failure(c.query('SELECT * FROM salaries WHERE amount > $1', [1]))).code, '42501');
      assert.equal((await failure(c.query('DELETE FROM requests'))).code, '42501');
      assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
    } finally { await c.end(); }
  });

  it('answers startup probes: version(), SHOW, harmless SETs, current_setting, transactions', async () => {
    const c = clientFor(gw);
    await c.connect();
    try {
      assert.match((await c.query('SELECT version()')).rows[0].version, /^PostgreSQL 15/);
      assert.equal((await c.query('SHOW server_version')).rows[0].server_version, '15.0');
      assert.equal((await c.query('SET extra_float_digits = 3')).command, 'SET');
      assert.equal((await c.query("SET application_name TO 'metabase'")).command, 'SET');
      assert.equal((await c.query('SHOW application_name')).rows[0].application_name, 'metabase');
      assert.equal((await c.query("SELECT current_setting('extra_float_digits') AS v")).rows[0].v, '3');
      assert.equal((await failure(c.query('SET enable_external_access = true'))).code, '0A000');
      await c.query('BEGIN');
      assert.equal((await c.query('SELECT 2 AS two')).rows[0].two, 2);
      await c.query('COMMIT');
      assert.ok(gw.engine.queries.every((q) => !/^\s*(SET|SHOW|BEGIN|COMMIT)/i.test(q.sql)), 'session commands never reach the engine');
    } finally { await c.end(); }
  });

  it('lists only visible relations in the catalog (information_schema and pg_class)', async () => {
    const c = clientFor(gw);
    await c.connect();
    try {
      const t = await c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
      assert.deepEqual(t.rows.map((r) => r.table_name), ['requests', 'visitors']);
      const cls = await c.query("SELECT relname FROM pg_catalog.pg_class WHERE relkind = 'r' ORDER BY 1");
      assert.deepEqual(cls.rows.map((r) => r.relname), ['requests', 'visitors']);
      const cols = await c.query({ text: "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position", values: ['visitors'] });
      assert.deepEqual(cols.rows.map((r) => r.column_name), ['visitor_id', 'email', 'country']);
      assert.equal(cols.rows[0].data_type, 'text');
      const refused = await failure(c.query("SELECT * FROM read_csv('/etc/passwd') WHERE 'pg_class' IS NOT NULL AND current_user IS NOT NULL"));
      assert.ok(refused.code === '0A000' || refused.code === '42501', `got ${refused.code}`);
    } finally { await c.end(); }
  });

  it('refuses a wrong password and an unknown user the same way, and audits both', async () => {
    const before = gw.audit.length;
    const wrong = await failure(clientFor(gw, { password: 'nope' }).connect());
    const unknown = await failure(clientFor(gw, { user: 'mallory', password: 'nope' }).connect());
    assert.equal(wrong.code, '28000');
    assert.equal(unknown.code, wrong.code);
    assert.equal(unknown.message.replace('mallory', 'X'), wrong.message.replace('alice', 'X'));
    const fails = gw.audit.slice(before).filter((e) => e.action === 'auth.fail');
    assert.deepEqual(fails.map((e) => e.actor).sort(), ['user:alice', 'user:mallory']);
    for (const e of fails) {
      assert.equal(e.details?.interface, 'pgwire');
      assert.equal(e.details?.address, '127.0.0.1');
      assert.ok(!JSON.stringify(e).includes('nope'), 'the password never reaches the audit log');
    }
  });

  it('refuses plain-text sessions (audited) and TLS below the configured minimum', async () => {
    const plain = await failure(clientFor(gw, { ssl: false }).connect());
    assert.match(plain.message, /SSL connection is required/);
    assert.ok(gw.audit.some((e) => e.action === 'auth.fail' && e.details?.reason === 'tls_required'));
    const strict = await startTestGateway({}, gw.ca);
    await strict.server.close();
    const tls13 = await startTestGateway({ tls: { cert: gw.ca.cert, key: gw.ca.key, minVersion: 'TLSv1.3' } }, gw.ca);
    try {
      const old = await failure(clientFor(tls13, { ssl: { ca: gw.ca.ca, servername: 'localhost', maxVersion: 'TLSv1.2' } }).connect());
      assert.ok(old.message.length > 0);
      const ok = clientFor(tls13);
      await ok.connect();
      await ok.end();
    } finally { await tls13.close(); await strict.engine.close(); }
  });

  it('cancels a running query on a CancelRequest (SQLSTATE 57014)', async () => {
    const c = clientFor(gw);
    await c.connect();
    try {
      const running = c.query("SELECT 'slow'");
      await new Promise((r) => setTimeout(r, 200));
      const canceller = clientFor(gw);
      (canceller as unknown as { cancel(c: pg.Client, q: unknown): void }).cancel(c, (c as unknown as { activeQuery: unknown }).activeQuery);
      const err = await failure(running);
      assert.equal(err.code, '57014');
      assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
    } finally { await c.end(); }
  });
});

describe('pgwire gateway limits', () => {
  it('bounds connections (53300), message size (54000) and idle sessions (57P05)', async () => {
    const gw = await startTestGateway({ maxConnections: 1, maxMessageBytes: 4096, idleTimeoutMs: 400 });
    try {
      const first = clientFor(gw);
      await first.connect();
      const second = await failure(clientFor(gw).connect());
      assert.ok(second.code === '53300' || /too many clients/.test(second.message), second.message);
      const big = await failure(first.query(`SELECT '${'x'.repeat(10_000)}' AS big`));
      assert.match(big.message, /exceeds the limit|terminated/);
      await first.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      const idle = clientFor(gw);
      const ended = new Promise<Error>((ok) => idle.on('error', ok));
      await idle.connect();
      const err = await ended;
      assert.match(err.message, /idle-session timeout|terminated/);
    } finally { await gw.close(); }
  });

  it('refuses a user whose role may not query (42501, audited)', async () => {
    const gw = await startTestGateway({
      identityFor: (user, role) => ({ subject: `user:${user}`, role, method: 'scram', permissions: new Set(['datasets:read'] as const) }),
    });
    try {
      const err = await failure(clientFor(gw).connect());
      assert.equal(err.code, '42501');
      assert.ok(gw.audit.some((e) => e.action === 'auth.fail' && e.details?.reason === 'no_sql_permission'));
    } finally { await gw.close(); }
  });

  it('refuses to start without TLS unless the insecure development flag is set', async () => {
    const { startPgWireServer } = await import('./start-pg-wire-server.js');
    const { MemoryQueryEngine } = await import('./test-support/memory-query-engine.js');
    const engine = await MemoryQueryEngine.create();
    try {
      await assert.rejects(startPgWireServer({
        port: 0, scram: { lookup: async () => undefined }, engine, audit: { record: async () => undefined },
        identityFor: () => { throw new Error('unused'); },
      }), /TRB_PGWIRE_TLS_REQUIRED|needs `pgwire.tls`/);
    } finally { await engine.close(); }
    const gw = await startTestGateway({ tls: undefined, insecureNoTls: true } as never);
    try {
      const c = clientFor(gw, { ssl: false });
      await c.connect();
      assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
      await c.end();
    } finally { await gw.close(); }
  });

  it('closes a raw connection that sends garbage after TLS', async () => {
    const gw = await startTestGateway();
    try {
      const sock = netConnect(gw.server.port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      sock.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]));
      const answer = await new Promise<Buffer>((r) => sock.once('data', r));
      assert.equal(answer.toString(), 'S');
      const tls = tlsConnect({ socket: sock, ca: gw.ca.ca, servername: 'localhost' });
      await new Promise((r) => tls.once('secureConnect', r));
      tls.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
      await new Promise((r) => tls.once('close', r));
    } finally { await gw.close(); }
  });
});
