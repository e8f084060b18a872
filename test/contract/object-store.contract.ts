/**
 * The ObjectStore contract: every adapter must pass these tests unchanged. An adapter test calls
 * {@link describeObjectStoreContract} with a factory returning a fresh, EMPTY store (its own
 * directory, bucket prefix, ...) or null after skipping `t` when its service is missing; the
 * factory cleans up its storage.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { isTributaryError } from '../../src/core/errors.js';
import type { ObjectStore } from '../../src/seams/object-store/object-store.js';

/** Returns a fresh, empty store, or null when `t` was skipped. */
export type ObjectStoreFactory = (t: TestContext) => Promise<ObjectStore | null>;

/** Keys every adapter must refuse with TRB_STORE_KEY_INVALID. */
export const INVALID_KEYS: readonly string[] = [
  '', '/abs', '/etc/passwd', '../x', 'a/../b', 'a/..', '..', '.', 'a/./b', 'a\\b', '..\\x', 'a\0b', 'a//b', 'a/', 'a\nb',
  'x/.trb-tmp-123', 'a'.repeat(1025), 'é'.repeat(513),
];

/** Deterministic pseudo-random bytes (xorshift), so failures are reproducible. */
export function pseudoRandomBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Yields `data` in chunks of varying sizes (1 byte .. 100 KiB), with an await between chunks. */
export async function* chunked(data: Buffer, failAfter?: number): AsyncGenerator<Buffer> {
  const sizes = [1, 7, 4096, 65536, 100_000, 333];
  for (let off = 0, i = 0; off < data.length; i++) {
    if (failAfter !== undefined && off >= failAfter) throw new Error('source stream broke');
    const n = sizes[i % sizes.length] ?? 1;
    yield data.subarray(off, off + n);
    off += n;
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** Reads a whole object. */
export async function readAll(store: ObjectStore, key: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of await store.get(key)) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.list(prefix)) out.push(e.key);
  return out;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Asserts that `p` rejects with a `store`-family TributaryError carrying `code`. */
async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isTributaryError(err), `expected a TributaryError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.family, 'store');
    return true;
  });
}

/** Registers the contract tests for one adapter under `object store contract: <name>`. */
export function describeObjectStoreContract(name: string, factory: ObjectStoreFactory): void {
  async function open(t: TestContext): Promise<ObjectStore | null> {
    const store = await factory(t);
    if (store !== null) t.after(() => store.close());
    return store;
  }

  describe(`object store contract: ${name}`, () => {
    test('a multi-MB streamed body round-trips with the right size and sha256', async (t) => {
      const s = await open(t);
      if (!s) return;
      const data = pseudoRandomBytes(5 * 1024 * 1024 + 123);
      const res = await s.put('bronze/ab/big.bin', chunked(data));
      assert.deepEqual(res, { key: 'bronze/ab/big.bin', size: data.length, sha256: sha256(data) });
      assert.ok((await readAll(s, 'bronze/ab/big.bin')).equals(data));
      assert.equal((await s.head('bronze/ab/big.bin'))?.size, data.length);
    });

    test('move publishes a staged object under a new key, replacing what was there', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.put('staging/c1-0', Buffer.from('new bytes'));
      await s.put('objects/ab/abc', Buffer.from('old'));
      await s.move('staging/c1-0', 'objects/ab/abc');
      assert.equal((await readAll(s, 'objects/ab/abc')).toString(), 'new bytes');
      assert.equal(await s.head('staging/c1-0'), undefined);
      await s.put('staging/c2-0', Buffer.from('x'));
      await s.move('staging/c2-0', 'objects/cd/new');
      assert.equal((await readAll(s, 'objects/cd/new')).toString(), 'x');
      await assert.rejects(s.move('staging/missing', 'objects/zz'), (e: unknown) => isTributaryError(e) && e.code === 'TRB_STORE_OBJECT_NOT_FOUND');
      await assert.rejects(s.move('staging/c1-0', '../escape'), (e: unknown) => isTributaryError(e) && e.code === 'TRB_STORE_KEY_INVALID');
    });

    test('bodies: Buffer, Uint8Array, Readable, strings, empty', async (t) => {
      const s = await open(t);
      if (!s) return;
      const b = Buffer.from('hello\nworld\n');
      assert.equal((await s.put('buf', b)).sha256, sha256(b));
      assert.deepEqual(await readAll(s, 'buf'), b);
      await s.put('u8', new Uint8Array([1, 2, 3]));
      assert.deepEqual(await readAll(s, 'u8'), Buffer.from([1, 2, 3]));
      await s.put('stream', Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
      assert.equal((await readAll(s, 'stream')).toString(), 'abcd');
      await s.put('text', Readable.from(['é', 'x'], { objectMode: true }));
      assert.equal((await readAll(s, 'text')).toString(), 'éx');
      const empty = await s.put('empty', Buffer.alloc(0));
      assert.deepEqual(empty, { key: 'empty', size: 0, sha256: sha256(Buffer.alloc(0)) });
      assert.equal((await readAll(s, 'empty')).length, 0);
    });

    test('head and get of a missing key', async (t) => {
      const s = await open(t);
      if (!s) return;
      assert.equal(await s.head('nope'), undefined);
      await rejectsWith(s.get('nope'), 'TRB_STORE_OBJECT_NOT_FOUND');
      await s.put('dir/file', Buffer.from('x'));
      // A key prefix is not an object.
      assert.equal(await s.head('dir'), undefined);
      await rejectsWith(s.get('dir'), 'TRB_STORE_OBJECT_NOT_FOUND');
      const info = await s.head('dir/file');
      assert.equal(info?.size, 1);
      assert.ok(info?.mtime instanceof Date && Math.abs(info.mtime.getTime() - Date.now()) < 60_000);
    });

    test('a failed streaming put leaves no object and keeps the previous one', async (t) => {
      const s = await open(t);
      if (!s) return;
      const data = pseudoRandomBytes(3 * 1024 * 1024, 7);
      await rejectsWith(s.put('fail/new.bin', chunked(data, 2 * 1024 * 1024)), 'TRB_STORE_OBJECT_WRITE_FAILED');
      assert.equal(await s.head('fail/new.bin'), undefined);
      assert.deepEqual(await keys(s, ''), []);

      const old = Buffer.from('old content');
      await s.put('fail/old.bin', old);
      await rejectsWith(s.put('fail/old.bin', chunked(data, 1024 * 1024)), 'TRB_STORE_OBJECT_WRITE_FAILED');
      assert.deepEqual(await readAll(s, 'fail/old.bin'), old);

      const ac = new AbortController();
      const slow = (async function* () { yield Buffer.from('part'); ac.abort(); yield Buffer.from('rest'); })();
      await rejectsWith(s.put('fail/aborted.bin', slow, { signal: ac.signal }), 'TRB_STORE_OBJECT_WRITE_FAILED');
      assert.equal(await s.head('fail/aborted.bin'), undefined);
      assert.deepEqual(await keys(s, ''), ['fail/old.bin']);
    });

    test('put overwrites; concurrent puts of one key leave one whole body', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.put('k', Buffer.from('first version, longer'));
      const r = await s.put('k', Buffer.from('second'));
      assert.equal(r.size, 6);
      assert.equal((await readAll(s, 'k')).toString(), 'second');
      const bodies = [1, 2, 3, 4].map((seed) => pseudoRandomBytes(300_000, seed));
      await Promise.all(bodies.map((b) => s.put('race', chunked(b))));
      const got = await readAll(s, 'race');
      assert.ok(bodies.some((b) => b.equals(got)), 'the stored body is exactly one of the bodies');
      assert.deepEqual(await keys(s, ''), ['k', 'race']);
    });

    test('list: string prefix, byte order, sizes, nothing for an unknown prefix', async (t) => {
      const s = await open(t);
      if (!s) return;
      const all = ['a-b', 'a/1', 'a/2/x', 'a/10', 'ab/c', 'b/1', 'é/z', 'z'];
      for (const k of [...all].reverse()) await s.put(k, Buffer.from(k));
      assert.deepEqual(await keys(s, ''), [...all].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
      assert.deepEqual(await keys(s, 'a/'), ['a/1', 'a/10', 'a/2/x']);
      assert.deepEqual(await keys(s, 'a/1'), ['a/1', 'a/10']);
      assert.deepEqual(await keys(s, 'a'), ['a-b', 'a/1', 'a/10', 'a/2/x', 'ab/c']);
      assert.deepEqual(await keys(s, 'a/2/x'), ['a/2/x']);
      assert.deepEqual(await keys(s, 'nope/'), []);
      assert.deepEqual(await keys(s, 'a/1/'), []);
      const sizes: Record<string, number> = {};
      for await (const e of s.list('b')) sizes[e.key] = e.size;
      assert.deepEqual(sizes, { 'b/1': 3 });
    });

    test('delete removes the object; deleting a missing key is fine', async (t) => {
      const s = await open(t);
      if (!s) return;
      await s.put('d/one', Buffer.from('1'));
      await s.put('d/two', Buffer.from('2'));
      await s.delete('d/one');
      await s.delete('d/one');
      await s.delete('never/was');
      assert.equal(await s.head('d/one'), undefined);
      await rejectsWith(s.get('d/one'), 'TRB_STORE_OBJECT_NOT_FOUND');
      assert.deepEqual(await keys(s, 'd/'), ['d/two']);
      await s.put('d/one', Buffer.from('again'));
      assert.equal((await readAll(s, 'd/one')).toString(), 'again');
    });

    test('invalid keys and prefixes are refused with TRB_STORE_KEY_INVALID and write nothing', async (t) => {
      const s = await open(t);
      if (!s) return;
      for (const k of INVALID_KEYS) {
        await rejectsWith(s.put(k, Buffer.from('x')), 'TRB_STORE_KEY_INVALID');
        await rejectsWith(s.get(k), 'TRB_STORE_KEY_INVALID');
        await rejectsWith(s.head(k), 'TRB_STORE_KEY_INVALID');
        await rejectsWith(s.delete(k), 'TRB_STORE_KEY_INVALID');
        assert.throws(() => s.url(k), { code: 'TRB_STORE_KEY_INVALID' });
      }
      for (const p of ['/abs', '../', 'a/../', 'a\\', 'a//', '..', 'a/..', 'a\0']) {
        await rejectsWith(keys(s, p), 'TRB_STORE_KEY_INVALID');
      }
      assert.deepEqual(await keys(s, ''), []);
      // Names that merely look odd are fine.
      for (const k of ['a..b/c', '.hidden/x', 'sp ace/ü/日本', 'a/b.c.d']) await s.put(k, Buffer.from(k));
      assert.equal((await keys(s, '')).length, 4);
    });

    test('url names the key; close twice is safe and later calls fail', async (t) => {
      const s = await open(t);
      if (!s) return;
      const u = s.url('lake/x y.parquet');
      assert.match(u, /^[a-z0-9]+:\/\//);
      assert.ok(decodeURIComponent(u).endsWith('lake/x y.parquet'), u);
      await s.close();
      await s.close();
      await rejectsWith(s.put('k', Buffer.from('x')), 'TRB_STORE_CLOSED');
      await rejectsWith(s.head('k'), 'TRB_STORE_CLOSED');
    });
  });
}
