/**
 * Bronze encryption at rest: age round trip through the real local-fs object store and control
 * store, content address = plaintext sha256, tampering and wrong keys are typed errors, rotation
 * keeps old objects readable.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { BronzeReader, BronzeSegmentRef, SourceChunk } from '../../src/core/component.js';
import { isTributaryError } from '../../src/core/errors.js';
import { BronzeWriter, cleanBronzeStaging } from '../../src/engine/bronze/bronze-writer.js';
import { openBronzeCipher } from '../../src/engine/bronze/bronze-cipher.js';
import { createBronzeReader } from '../../src/engine/bronze/bronze-reader.js';
import { createLocalFsObjectStore } from '../../src/seams/object-store/local-fs/index.js';
import { createSqliteControlStore } from '../../src/seams/control-store/sqlite/index.js';
import type { BronzeEntry } from '../../src/seams/control-store/control-store.js';
import type { ObjectStore } from '../../src/seams/object-store/object-store.js';
import { silentLogger } from '../../src/observe/logger.js';
import { MemoryDataKeys } from '../helpers/memory-data-keys-crypto.js';
import { tmpDir } from '../helpers/tmp.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const AGE = { encryption: 'age', key: 'bronze' } as const;

function chunkOf(data: Buffer, startOffset: number, firstLine: number, stream = 'fp-1'): SourceChunk {
  const lineCount = data.toString('latin1').split('\n').length - 1;
  return {
    meta: { source: 'access', uri: '/logs/a.log', stream }, data, startOffset, endOffset: startOffset + data.length, firstLine, lineCount,
    checkpoint: { key: stream, value: { offset: startOffset + data.length } },
  };
}

/** ~`mb` MB of log-like lines (`n` lines per 64 KiB-ish chunk), as chunks. */
function logChunks(mb: number): { chunks: SourceChunk[]; plain: Buffer } {
  const chunks: SourceChunk[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  let line = 1;
  while (offset < mb * 1024 * 1024) {
    const lines: string[] = [];
    for (let i = 0; i < 700; i++) lines.push(`10.${line % 250}.${(line >> 8) % 250}.7 - - [01/Jan/2025:00:00:00 +0000] "GET /p/${line} HTTP/1.1" 200 ${line % 9999} "-" "ua"\n`), line++;
    const data = Buffer.from(lines.join(''));
    chunks.push(chunkOf(data, offset, line - 700));
    parts.push(data);
    offset += data.length;
  }
  return { chunks, plain: Buffer.concat(parts) };
}

async function setup(t: TestContext): Promise<{ dir: string; store: ObjectStore; keys: MemoryDataKeys; control: ReturnType<typeof createSqliteControlStore> }> {
  const dir = tmpDir(t);
  const store = createLocalFsObjectStore({ root: join(dir, 'bronze') });
  const control = createSqliteControlStore({ path: join(dir, 'control.db') });
  await control.migrate();
  t.after(async () => { await store.close(); await control.close(); });
  return { dir, store, keys: new MemoryDataKeys(), control };
}

async function readAll(reader: BronzeReader, seg: Pick<BronzeSegmentRef, 'objectKey' | 'encryption'>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of (await reader.open(seg)) as AsyncIterable<Buffer>) parts.push(p);
  return Buffer.concat(parts);
}

async function write(store: ObjectStore, keys: MemoryDataKeys | undefined, chunks: readonly SourceChunk[], commitId = 'c1'): Promise<BronzeEntry[]> {
  const cipher = await openBronzeCipher(AGE, keys, silentLogger);
  const w = new BronzeWriter(store, commitId, cipher);
  for (const c of chunks) await w.append(c);
  return w.seal(new Date('2025-01-01T00:00:00Z'));
}

const isCode = (code: string, object?: string) => (e: unknown): boolean => {
  assert.ok(isTributaryError(e), String(e));
  assert.equal(e.code, code, e.message);
  if (object) assert.ok(e.message.includes(object), e.message);
  return true;
};

describe('bronze age encryption', () => {
  it('streams a multi-MB segment through age: plaintext sha256/size in the manifest, ciphertext on disk, plaintext back', async (t) => {
    const { store, keys, control } = await setup(t);
    const { chunks, plain } = logChunks(6);
    const [entry, ...rest] = await write(store, keys, chunks);
    assert.equal(rest.length, 0);
    assert.deepEqual(entry!.encryption, { scheme: 'age', keyName: 'bronze', keyVersion: 1 });
    assert.equal(entry!.sha256, sha(plain), 'content address = sha256 of the plaintext');
    assert.equal(entry!.size, plain.length);
    assert.equal(entry!.objectKey, `objects/${entry!.sha256.slice(0, 2)}/${entry!.sha256}.bronze-v1.age`);
    const onDisk = readFileSync(new URL(store.url(entry!.objectKey)));
    assert.ok(onDisk.subarray(0, 22).toString() === 'age-encryption.org/v1\n', 'an age file');
    assert.equal(onDisk.indexOf('GET /p/'), -1, 'no plaintext on disk');
    assert.ok(onDisk.length > plain.length && onDisk.length < plain.length * 1.01, 'streaming overhead only (16 B per 64 KiB)');

    await control.commit({ pipeline: 'p', runId: 'r', commitId: 'c1', checkpoints: [], bronze: [entry!], files: [] });
    const [listed] = await control.listBronze({ pipeline: 'p' });
    assert.deepEqual(listed!.encryption, entry!.encryption, 'the manifest records scheme, key name and version');
    const back = await readAll(createBronzeReader(control, store, keys), listed!);
    assert.ok(back.equals(plain));
  });

  it('the same bytes again dedupe onto the same encrypted object', async (t) => {
    const { store, keys } = await setup(t);
    const { chunks } = logChunks(0.2);
    const a = await write(store, keys, chunks, 'c1');
    const b = await write(store, keys, chunks, 'c2');
    assert.equal(a[0]!.objectKey, b[0]!.objectKey);
    const keysOnDisk: string[] = [];
    for await (const e of store.list('')) keysOnDisk.push(e.key);
    assert.deepEqual(keysOnDisk, [a[0]!.objectKey]);
  });

  it('a flipped byte (header or payload) or a truncation is TRB_SECRET_DECRYPT_FAILED naming the object, never garbage', async (t) => {
    const { store, keys, control } = await setup(t);
    const { chunks } = logChunks(0.5);
    const [entry] = await write(store, keys, chunks);
    const file = new URL(store.url(entry!.objectKey));
    const good = readFileSync(file);
    const reader = createBronzeReader(control, store, keys);
    for (const at of [40, good.length - 10, Math.floor(good.length / 2)]) {
      const bad = Buffer.from(good); bad[at]! ^= 0x01;
      writeFileSync(file, bad);
      await assert.rejects(readAll(reader, entry!), isCode('TRB_SECRET_DECRYPT_FAILED', entry!.objectKey));
    }
    writeFileSync(file, good.subarray(0, good.length - 100));
    await assert.rejects(readAll(reader, entry!), isCode('TRB_SECRET_DECRYPT_FAILED', entry!.objectKey));
    writeFileSync(file, good);
    assert.ok((await readAll(reader, entry!)).length === entry!.size);
  });

  it('a wrong key is TRB_SECRET_DECRYPT_FAILED; a missing key or no vault at all is TRB_SECRET_KEYS_UNAVAILABLE', async (t) => {
    const { store, keys, control } = await setup(t);
    const [entry] = await write(store, keys, logChunks(0.1).chunks);
    const other = new MemoryDataKeys();
    await other.rotate('bronze', 'age');
    await assert.rejects(readAll(createBronzeReader(control, store, other), entry!), (e) => {
      isCode('TRB_SECRET_DECRYPT_FAILED', entry!.objectKey)(e);
      assert.match((e as Error).message, /wrong key/);
      return true;
    });
    // A vault without that key version at all says so (rather than "wrong key").
    await assert.rejects(readAll(createBronzeReader(control, store, new MemoryDataKeys()), entry!), isCode('TRB_SECRET_KEYS_UNAVAILABLE', entry!.objectKey));
    await assert.rejects(readAll(createBronzeReader(control, store), entry!), isCode('TRB_SECRET_KEYS_UNAVAILABLE', entry!.objectKey));
  });

  it('after a key rotation new objects use the new version and old ones stay readable', async (t) => {
    const { store, keys, control } = await setup(t);
    const first = logChunks(0.1).chunks;
    const [old] = await write(store, keys, first, 'c1');
    await keys.rotate('bronze');
    const [fresh] = await write(store, keys, [chunkOf(Buffer.from('a new line\n'), 0, 1, 'fp-2')], 'c2');
    assert.deepEqual([old!.encryption?.keyVersion, fresh!.encryption?.keyVersion], [1, 2]);
    const reader = createBronzeReader(control, store, keys);
    assert.equal((await readAll(reader, old!)).length, old!.size);
    assert.equal((await readAll(reader, fresh!)).toString(), 'a new line\n');
    // The same plaintext under the new version is a new object (the old one is not relabelled).
    const [again] = await write(store, keys, first, 'c3');
    assert.notEqual(again!.objectKey, old!.objectKey);
    assert.equal(again!.sha256, old!.sha256);
  });

  it('abort drops the staged ciphertext; modes: none and auto-without-vault store plaintext, age-without-vault refuses', async (t) => {
    const { store, keys } = await setup(t);
    const w = new BronzeWriter(store, 'c9', await openBronzeCipher(AGE, keys, silentLogger));
    await w.append(logChunks(0.1).chunks[0]!);
    await w.abort();
    assert.equal(await cleanBronzeStaging(store), 0);

    assert.equal(await openBronzeCipher({ encryption: 'none', key: 'bronze' }, keys, silentLogger), undefined);
    const warned: string[] = [];
    const log = { ...silentLogger, warn: (_o: object, m?: string) => { warned.push(m ?? ''); } };
    assert.equal(await openBronzeCipher({ encryption: 'auto', key: 'bronze' }, undefined, log), undefined);
    assert.match(warned[0] ?? '', /UNENCRYPTED/);
    await assert.rejects(openBronzeCipher(AGE, undefined, silentLogger), isCode('TRB_SECRET_KEYS_UNAVAILABLE'));
    const auto = await openBronzeCipher({ encryption: 'auto', key: 'arch' }, keys, silentLogger);
    assert.deepEqual(auto?.encryption, { scheme: 'age', keyName: 'arch', keyVersion: 1 });
  });
});
