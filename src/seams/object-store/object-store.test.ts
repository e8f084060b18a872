/**
 * Runs the ObjectStore contract over every adapter available here (local-fs), plus local-fs
 * specifics (modes, temp files, durability layout) and a property test of the key rules.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { chunked, describeObjectStoreContract, pseudoRandomBytes } from '../../../test/contract/object-store.contract.js';
import { tmpDir } from '../../../test/helpers/tmp.js';
import { createLocalFsObjectStore } from './local-fs/index.js';
import { validateObjectKey, validateObjectPrefix } from './object-key.js';

const ADAPTERS = new Set((process.env.TRB_ADAPTERS ?? 'local-fs').split(',').map((s) => s.trim()));

if (ADAPTERS.has('local-fs')) {
  describeObjectStoreContract('local-fs', async (t) => createLocalFsObjectStore({ root: join(tmpDir(t, 'trb-objects-'), 'objects') }));
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? [`${e.name}/`, ...walk(join(dir, e.name)).map((x) => `${e.name}/${x}`)] : [e.name]);
}

describe('object store local-fs: specifics', { skip: !ADAPTERS.has('local-fs') }, () => {
  test('files are 0640, directories 0750 (minus umask); root is created on first put', async (t) => {
    const root = join(tmpDir(t), 'objects');
    const s = createLocalFsObjectStore({ root });
    assert.equal(existsSync(root), false);
    await s.put('a/b/c.bin', Buffer.from('x'));
    const umask = process.umask();
    assert.equal(statSync(join(root, 'a', 'b', 'c.bin')).mode & 0o777, 0o640 & ~umask);
    for (const d of [root, join(root, 'a'), join(root, 'a', 'b')]) assert.equal(statSync(d).mode & 0o777, 0o750 & ~umask, d);
  });

  test('failed puts leave no temp file behind; stale temp files and symlinks are not listed', async (t) => {
    const root = join(tmpDir(t), 'objects');
    const s = createLocalFsObjectStore({ root });
    await s.put('d/keep', Buffer.from('k'));
    await assert.rejects(s.put('d/broken', chunked(pseudoRandomBytes(2_000_000), 1_000_000)), { code: 'TRB_STORE_OBJECT_WRITE_FAILED' });
    assert.deepEqual(walk(root), ['d/', 'd/keep']);
    writeFileSync(join(root, 'd', '.trb-tmp-deadbeef'), 'crash leftover');
    symlinkSync('/etc/hostname', join(root, 'd', 'link'));
    const listed: string[] = [];
    for await (const e of s.list('')) listed.push(e.key);
    assert.deepEqual(listed, ['d/keep']);
  });

  test('a key that is also a prefix of other keys fails with TRB_STORE_OBJECT_WRITE_FAILED', async (t) => {
    const s = createLocalFsObjectStore({ root: tmpDir(t) });
    await s.put('p/q', Buffer.from('1'));
    await assert.rejects(s.put('p', Buffer.from('2')), { code: 'TRB_STORE_OBJECT_WRITE_FAILED' });
    await assert.rejects(s.put('p/q/r', Buffer.from('3')), { code: 'TRB_STORE_OBJECT_WRITE_FAILED' });
    await s.delete('p'); // a directory is not an object: nothing to delete
    assert.equal((await s.head('p/q'))?.size, 1);
  });

  test('url is a file URL of the object path', (t) => {
    const root = tmpDir(t);
    const s = createLocalFsObjectStore({ root });
    assert.equal(fileURLToPath(s.url('x/y z')), join(root, 'x', 'y z'));
    assert.throws(() => createLocalFsObjectStore({ root: '' }), { code: 'TRB_STORE_OPTIONS_INVALID' });
  });
});

describe('object keys', () => {
  test('every accepted key stays inside the root; every accepted prefix too', () => {
    const root = resolve('/srv/objects');
    const segment = fc.oneof(
      fc.constantFrom('.', '..', '', 'a', '.trb-tmp-x', '..a', 'b\\c', '/', 'x\0'),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    );
    fc.assert(fc.property(fc.array(segment, { maxLength: 6 }), (segs) => {
      const key = segs.join('/');
      for (const check of [validateObjectKey, validateObjectPrefix]) {
        let ok = true;
        try { check(key); } catch (err) { ok = false; assert.equal((err as { code?: string }).code, 'TRB_STORE_KEY_INVALID'); }
        if (ok && key !== '') {
          const p = resolve(root, key);
          assert.ok(p.startsWith(root + sep), `${JSON.stringify(key)} escapes to ${p}`);
          if (check === validateObjectKey) assert.ok(!key.split('/').some((x) => x === '' || x === '.' || x === '..'));
        }
      }
    }), { seed: 4242, numRuns: 2000 });
  });

  test('prefixes may be empty or end with a slash; keys may not', () => {
    assert.equal(validateObjectPrefix(''), '');
    assert.equal(validateObjectPrefix('a/b/'), 'a/b/');
    assert.equal(validateObjectPrefix('a/b'), 'a/b');
    assert.throws(() => validateObjectKey('a/b/'), { code: 'TRB_STORE_KEY_INVALID' });
    assert.throws(() => validateObjectKey(''), { code: 'TRB_STORE_KEY_INVALID' });
  });
});
