/** The `pgwire:` config section and its conversion to server options (unit). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PgWireConfig } from './pgwire-config.js';
import { pgWireOptionsFromConfig, type PgWireDeps } from './pg-wire-options.js';
import { createThrowawayCa } from './test-support/throwaway-ca.js';

const deps = { engine: {}, scram: { lookup: async () => undefined }, identityFor: () => { throw new Error('unused'); }, audit: { record: async () => undefined } } as unknown as PgWireDeps;

describe('pgwire config', () => {
  it('has safe defaults and refuses unknown keys', () => {
    const c = PgWireConfig.parse({});
    assert.equal(c.enabled, false);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.insecure_no_tls, false);
    assert.equal(c.max_connections, 64);
    assert.throws(() => PgWireConfig.parse({ ssl: true }));
    assert.throws(() => PgWireConfig.parse({ tls: { cert_file: 'a', key_file: 'b', min_version: 'TLSv1.1' } }));
  });

  it('reads the TLS files and converts units; an unreadable file is TRB_PGWIRE_TLS_UNREADABLE', () => {
    const ca = createThrowawayCa();
    const o = pgWireOptionsFromConfig(PgWireConfig.parse({ tls: { cert_file: `${ca.dir}/server.crt`, key_file: `${ca.dir}/server.key` }, idle_timeout_secs: 5 }), deps);
    assert.equal(String(o.tls?.cert), ca.cert);
    assert.equal(o.tls?.minVersion, 'TLSv1.2');
    assert.equal(o.idleTimeoutMs, 5000);
    assert.equal(o.scram.iterations, 4096);
    assert.throws(() => pgWireOptionsFromConfig(PgWireConfig.parse({ tls: { cert_file: '/nonexistent.crt', key_file: 'k' } }), deps),
      (e: unknown) => (e as { code?: string }).code === 'TRB_PGWIRE_TLS_UNREADABLE');
  });
});
