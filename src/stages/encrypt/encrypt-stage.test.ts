import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { BatchMeta, RecordBatch, StageKey } from '../../core/component.js';
import { isTributaryError } from '../../core/errors.js';
import { decryptField } from '../../security/crypto/field-cipher.js';
import { attachStageKeys } from '../../engine/workers/stage-keys.js';
import { buildStages } from '../../engine/workers/build-stages.js';
import { MemoryDataKeys } from '../../../test/helpers/memory-data-keys-crypto.js';
import { EncryptConfig, encryptStageSpec } from './index.js';

const META: BatchMeta = { source: 'access_logs', uri: '/logs/a.log', stream: 'fp-a' };
const key: StageKey = { name: 'field', kind: 'field', version: 2, material: randomBytes(32) };

function batchOf(rows: readonly Record<string, unknown>[]): RecordBatch {
  const records = rows.map((r, i) => ({ ...r, source_line: i + 1, source_offset: i * 100 }));
  return { meta: META, records, raws: records.map((r) => `raw ${r.source_offset}`) };
}

const stage = (config: unknown, keys: readonly StageKey[] = [key]) =>
  encryptStageSpec.create('enc', EncryptConfig.parse(config), { keys });

describe('encrypt stage', () => {
  it('replaces listed fields by tokens that decrypt back (bound to dataset + field); nulls and other fields untouched', () => {
    const b = batchOf([
      { client_ip: '203.0.113.9', user: 'alice', path: '/a', status: 200 },
      { client_ip: '2001:db8::1', user: null, path: '/b', status: 404 },
    ]);
    const res = stage({ fields: ['client_ip', 'user'] }).process(b, { committed: new Map() });
    const out = (res.passed as RecordBatch).records as readonly Record<string, unknown>[];
    assert.equal(out.length, 2);
    assert.deepEqual([res.rejected.length, res.filtered], [0, 0]);
    assert.match(String(out[0]!.client_ip), /^enc:v1:field:2:/);
    const fk = { name: 'field', version: 2, material: key.material };
    assert.equal(decryptField(String(out[0]!.client_ip), fk, { dataset: 'requests', field: 'client_ip' }), '203.0.113.9');
    assert.equal(decryptField(String(out[1]!.client_ip), fk, { dataset: 'requests', field: 'client_ip' }), '2001:db8::1');
    assert.equal(decryptField(String(out[0]!.user), fk, { dataset: 'requests', field: 'user' }), 'alice');
    assert.equal(out[1]!.user, null);
    assert.deepEqual([out[0]!.path, out[0]!.status, out[0]!.source_offset], ['/a', 200, 0]);
  });

  it('config: only text columns, no duplicates, at least one field; key defaults to `field`', () => {
    assert.equal(EncryptConfig.safeParse({ fields: ['status'] }).success, false);
    assert.equal(EncryptConfig.safeParse({ fields: ['clientip'] }).success, false);
    assert.equal(EncryptConfig.safeParse({ fields: ['user', 'user'] }).success, false);
    assert.equal(EncryptConfig.safeParse({ fields: [] }).success, false);
    assert.deepEqual(EncryptConfig.parse({ fields: ['client_ip'] }), { fields: ['client_ip'], key: 'field', dataset: 'requests' });
    assert.deepEqual(encryptStageSpec.keys!(EncryptConfig.parse({ fields: ['user'], key: 'pii' })), [{ name: 'pii', kind: 'field' }]);
  });

  it('a field the records lack fails the run (never passes clear text)', () => {
    assert.throws(() => stage({ fields: ['user_agent'] }).process(batchOf([{ message: 'x', client_ip: '1.2.3.4' }]), { committed: new Map() }),
      (e) => isTributaryError(e) && e.code === 'TRB_CONFIG_ENCRYPT_FIELD' && e.family === 'config');
  });

  it('is built only with its key; the engine fetches it on the main thread (created on first use)', async () => {
    assert.throws(() => stage({ fields: ['user'] }, []), (e) => isTributaryError(e) && e.code === 'TRB_INTERNAL_INVARIANT');
    const defs = [
      { id: 'parse', type: 'parse', config: {} },
      { id: 'enc', type: 'encrypt', config: { fields: ['client_ip'], key: 'pii' } },
    ];
    await assert.rejects(attachStageKeys(defs, undefined), (e) => isTributaryError(e) && e.code === 'TRB_SECRET_KEYS_UNAVAILABLE' && e.exit === 2);
    const keys = new MemoryDataKeys();
    const withKeys = await attachStageKeys(defs, keys);
    assert.equal(withKeys[0], defs[0], 'stages without keys are unchanged');
    assert.deepEqual(withKeys[1]!.keys!.map((k) => [k.name, k.kind, k.version, k.material.length]), [['pii', 'field', 1, 32]]);
    const cloned = structuredClone(withKeys); // what a worker receives
    const stages = buildStages(cloned);
    assert.deepEqual(stages.map((s) => s.type), ['parse', 'encrypt']);
  });
});
