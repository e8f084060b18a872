/**
 * Real listeners (port 0): TLS 1.1 is refused, 1.2 and 1.3 are served; a client certificate from
 * the configured CA maps to its role; plain HTTP and the development certificate are refused unless
 * asked for, and `tributary doctor`'s `server-tls` check flags them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { describe, it, type TestContext } from 'node:test';
import { serverTlsCheck } from '../../src/security/doctor/checks/server-tls.js';
import type { DoctorContext } from '../../src/security/doctor/doctor-check.js';
import { startServer, type RunningServer } from '../../src/server/serve/start-server.js';
import { tmpDir } from '../helpers/tmp.js';
import { bearer, fakeDeps, serverSection } from './helpers/fake-deps.js';
import { makeTestPki, type TestPki } from './helpers/test-pki.js';

interface Reply { readonly status: number; readonly protocol: string | null; readonly body: string }

function get(port: number, path: string, o: { ca: string; cert?: string; key?: string; minVersion?: 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1.2' | 'TLSv1.3'; headers?: Record<string, string> }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path, method: path.includes('/runs') && path.includes('pipelines') ? 'POST' : 'GET', servername: 'localhost', agent: false,
      ca: readFileSync(o.ca), ...(o.cert ? { cert: readFileSync(o.cert) } : {}), ...(o.key ? { key: readFileSync(o.key) } : {}),
      ...(o.minVersion ? { minVersion: o.minVersion } : {}), ...(o.maxVersion ? { maxVersion: o.maxVersion } : {}), headers: o.headers ?? {},
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, protocol: (res.socket as import('node:tls').TLSSocket).getProtocol?.() ?? null, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

function tls11(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0', rejectUnauthorized: false });
    s.once('secureConnect', () => { s.destroy(); resolve('connected'); });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

async function start(t: TestContext, pki: TestPki, deps = fakeDeps(), required = false): Promise<{ server: RunningServer; port: number; dataDir: string }> {
  const dataDir = tmpDir(t);
  const server = await startServer(deps, {
    server: serverSection({ listeners: [{ name: 'main', host: '127.0.0.1', port: 0, tls: { cert_file: pki.serverCert, key_file: pki.serverKey }, mtls: { ca_file: pki.caCert, required, subjects: { 'ingest-worker': 'engineer', 'ghost': 'no-such-role' } } }] }),
    baseDir: dataDir, dataDir,
  });
  t.after(() => server.close());
  return { server, port: Number(new URL(server.addresses.get('main') ?? '').port), dataDir };
}

const doctorCtx = (dataDir: string): DoctorContext => ({ dataDir, now: new Date() } as unknown as DoctorContext);

describe('TLS listeners', () => {
  it('refuses TLS 1.1 and serves TLS 1.2 and 1.3', async (t) => {
    const pki = makeTestPki(tmpDir(t));
    const { port, dataDir } = await start(t, pki);
    assert.match(await tls11(port), /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION|NO_PROTOCOLS/i);
    const v12 = await get(port, '/healthz', { ca: pki.caCert, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    assert.deepEqual([v12.status, v12.protocol], [200, 'TLSv1.2']);
    const best = await get(port, '/healthz', { ca: pki.caCert });
    assert.deepEqual([best.status, best.protocol], [200, 'TLSv1.3']);
    assert.deepEqual(await serverTlsCheck.run(doctorCtx(dataDir)), [], 'a CA-signed certificate is not a finding');
  });

  it('maps a client certificate from the configured CA to its role (mTLS)', async (t) => {
    const pki = makeTestPki(tmpDir(t));
    const deps = fakeDeps();
    const { port } = await start(t, pki, deps);
    const worker = pki.client('ingest-worker');
    const run = await get(port, '/v1/pipelines/web/runs', { ca: pki.caCert, cert: worker.cert, key: worker.key });
    assert.equal(run.status, 202, run.body);
    assert.equal(deps.auditEvents.find((e) => e.action === 'run.start')?.actor, 'cert:ingest-worker');
    const denied = await get(port, '/v1/apikeys', { ca: pki.caCert, cert: worker.cert, key: worker.key });
    assert.equal(denied.status, 403, 'the mapped role (engineer) is enforced');
    const stranger = pki.client('stranger');
    const s = await get(port, '/v1/runs', { ca: pki.caCert, cert: stranger.cert, key: stranger.key });
    assert.equal(s.status, 401);
    assert.equal(JSON.parse(s.body).error.code, 'TRB_SERVER_CERT_UNMAPPED');
    const ghost = pki.client('ghost');
    assert.equal((await get(port, '/v1/runs', { ca: pki.caCert, cert: ghost.cert, key: ghost.key })).status, 401, 'a CN mapped to an unknown role is refused');
    const rogue = await get(port, '/v1/runs', { ca: pki.caCert, cert: pki.rogue.cert, key: pki.rogue.key });
    assert.equal(JSON.parse(rogue.body).error.code, 'TRB_SERVER_AUTH_REQUIRED', 'a certificate from another CA is no credential');
    const keyed = await get(port, '/v1/runs', { ca: pki.caCert, headers: bearer('analyst') });
    assert.equal(keyed.status, 200, 'API keys still work on an optional-mTLS listener');
  });

  it('refuses handshakes without a CA-signed client certificate when mTLS is required', async (t) => {
    const pki = makeTestPki(tmpDir(t));
    const { port } = await start(t, pki, fakeDeps(), true);
    await assert.rejects(get(port, '/healthz', { ca: pki.caCert }));
    await assert.rejects(get(port, '/healthz', { ca: pki.caCert, cert: pki.rogue.cert, key: pki.rogue.key }));
    const worker = pki.client('ingest-worker');
    assert.equal((await get(port, '/v1/runs', { ca: pki.caCert, cert: worker.cert, key: worker.key })).status, 200);
  });

  it('refuses plain HTTP unless --insecure-http on loopback, and doctor flags it and the dev certificate', async (t) => {
    const dataDir = tmpDir(t);
    const base = { baseDir: dataDir, dataDir };
    await assert.rejects(startServer(fakeDeps(), { ...base, server: serverSection({ listeners: [{ port: 0 }] }) }), { code: 'TRB_SERVER_INSECURE_LISTENER' });
    await assert.rejects(startServer(fakeDeps(), { ...base, insecureHttp: true, server: serverSection({ listeners: [{ host: '0.0.0.0', port: 0 }] }) }), { code: 'TRB_SERVER_INSECURE_LISTENER' });
    const plain = await startServer(fakeDeps(), { ...base, insecureHttp: true, server: serverSection({ listeners: [{ port: 0 }] }) });
    await plain.close();
    const plainFindings = await serverTlsCheck.run(doctorCtx(dataDir));
    assert.ok(Array.isArray(plainFindings) && plainFindings[0]?.severity === 'high' && /plain HTTP/.test(plainFindings[0].what));
    const dev = await startServer(fakeDeps(), { ...base, devCert: true, server: serverSection({ listeners: [{ port: 0 }] }) });
    t.after(() => dev.close());
    assert.match(dev.addresses.get('main') ?? '', /^https:/);
    const devFindings = await serverTlsCheck.run(doctorCtx(dataDir));
    assert.ok(Array.isArray(devFindings) && /development certificate/.test(devFindings[0]?.what ?? ''));
    assert.deepEqual(await serverTlsCheck.run(doctorCtx(tmpDir(t))), { skipped: '`tributary serve` has not run with this data directory' });
  });
});
