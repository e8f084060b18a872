/**
 * age streams: interop both ways with the unmodified `age-encryption` package (the reference for
 * the format), tampering/truncation/wrong keys as typed errors that never emit unauthenticated
 * plaintext, backpressure, and a round-trip property over sizes and input chunkings.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { Decrypter, Encrypter, Stanza, generateX25519Identity, identityToRecipient } from 'age-encryption';
import type { Recipient } from 'age-encryption';
import { isTributaryError } from '../../core/errors.js';
import { ageDecryptStream, ageEncryptStream } from './age-stream.js';
import { DecryptFailed } from './errors.js';

const CHUNK = 64 * 1024;
const SEALED = CHUNK + 16;
const subject = { what: 'bronze object', name: 'objects/ab/abc.bronze-v1.age', key: 'bronze' };

const keyPair = async (): Promise<{ identity: string; recipient: string }> => {
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
};
const [A, B, C] = await Promise.all([keyPair(), keyPair(), keyPair()]);

/** `buf` cut into pieces of the given sizes (cycled), as a byte stream. */
function source(buf: Buffer, sizes: readonly number[] = [CHUNK]): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < buf.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!);
    pieces.push(buf.subarray(at, at + n));
    at += n;
  }
  return Readable.from(pieces, { objectMode: false });
}

/** All bytes of `r`, or the bytes it emitted before failing and the error. */
async function drain(r: Readable): Promise<{ out: Buffer; err?: unknown }> {
  const parts: Buffer[] = [];
  try {
    for await (const p of r as AsyncIterable<Buffer>) parts.push(p);
    return { out: Buffer.concat(parts) };
  } catch (err) {
    return { out: Buffer.concat(parts), err };
  }
}

async function encrypt(plain: Buffer, recipients: readonly string[], sizes?: readonly number[]): Promise<Buffer> {
  const { out, err } = await drain(ageEncryptStream(source(plain, sizes), recipients));
  if (err) throw err;
  return out;
}

async function decrypt(cipher: Buffer, identities: readonly string[], sizes?: readonly number[]): Promise<Buffer> {
  const { out, err } = await drain(ageDecryptStream(source(cipher, sizes), identities, subject));
  if (err) throw err;
  return out;
}

/** The reference implementation: whole-buffer decryption by `age-encryption`. */
async function refDecrypt(cipher: Buffer, identity: string): Promise<Buffer> {
  const d = new Decrypter();
  d.addIdentity(identity);
  return Buffer.from(await d.decrypt(cipher));
}

/** The reference implementation's streaming encryption (its own STREAM), optionally with extra stanzas. */
async function refEncrypt(plain: Buffer, recipients: readonly (string | Recipient)[]): Promise<Buffer> {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  const input = Readable.toWeb(source(plain, [50_000])) as unknown as ReadableStream<Uint8Array>;
  const out = await e.encrypt(input);
  const parts: Uint8Array[] = [];
  for await (const p of out as unknown as AsyncIterable<Uint8Array>) parts.push(p);
  return Buffer.concat(parts);
}

/** Length of the header (through the `--- <mac>\n` line) of an age file. */
const headerLength = (file: Buffer): number => file.indexOf('\n', file.indexOf('\n---') + 1) + 1;

/** Expected ciphertext length for `n` plaintext bytes after the header: nonce + chunks + tags. */
const payloadLength = (n: number): number => 16 + n + 16 * Math.max(1, Math.ceil(n / CHUNK));

/** The rejection is TRB_SECRET_DECRYPT_FAILED naming the subject, with a reason matching `reason`. */
function assertDecryptFailed(err: unknown, reason?: RegExp): void {
  assert.ok(err, 'expected a failure');
  assert.ok(isTributaryError(err), String(err));
  assert.equal(err.code, 'TRB_SECRET_DECRYPT_FAILED', err.message);
  assert.ok(err.message.includes(`\`${subject.name}\``) && err.message.includes(`\`${subject.key}\``), err.message);
  if (reason) assert.match(err.message, reason);
}

/** `emitted` is authenticated plaintext only: a prefix of `plain` made of whole chunks before `bad` (the first altered chunk). */
function assertOnlyAuthenticated(emitted: Buffer, plain: Buffer, bad = Infinity): void {
  assert.ok(plain.subarray(0, emitted.length).equals(emitted), 'emitted bytes are a prefix of the plaintext');
  assert.equal(emitted.length % CHUNK, 0, 'only whole (authenticated) chunks were emitted');
  assert.ok(emitted.length <= bad * CHUNK, `nothing of chunk ${bad} or later was emitted (got ${emitted.length} bytes)`);
}

/**
 * An age file to A whose payload is sealed here, straight from the spec and independently of
 * age-stream.ts: `chunks` in order, the last one with the final flag (whatever their sizes).
 */
async function handMade(chunks: readonly Buffer[]): Promise<Buffer> {
  let fileKey: Uint8Array | undefined;
  const e = new Encrypter();
  e.addRecipient(A.recipient);
  e.addRecipient({ wrapFileKey: (k) => { fileKey = Uint8Array.from(k); return []; } });
  const empty = Buffer.from(await e.encrypt(new Uint8Array(0)));
  const nonce = randomBytes(16);
  const key = Buffer.from(hkdfSync('sha256', fileKey!, nonce, 'payload', 32));
  const parts = [empty.subarray(0, empty.length - 32), nonce];
  chunks.forEach((c, i) => {
    const iv = Buffer.alloc(12);
    iv.writeUIntBE(i, 5, 6); // 11-byte big-endian counter (bytes 0..10)
    if (i === chunks.length - 1) iv[11] = 1;
    const ci = createCipheriv('chacha20-poly1305', key, iv, { authTagLength: 16 });
    parts.push(ci.update(c), ci.final(), ci.getAuthTag());
  });
  return Buffer.concat(parts);
}

const SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * 1024 * 1024 + 12345];

describe('age streams: interop with age-encryption', () => {
  for (const n of SIZES) {
    it(`${n} bytes: ours decrypts with age-encryption, and age-encryption's with ours`, async () => {
      const plain = randomBytes(n);
      const ours = await encrypt(plain, [A.recipient]);
      assert.ok(ours.subarray(0, 22).equals(Buffer.from('age-encryption.org/v1\n')));
      assert.equal(ours.length - headerLength(ours), payloadLength(n), 'STREAM layout: nonce, 64 KiB chunks, one 16-byte tag each');
      assert.ok((await refDecrypt(ours, A.identity)).equals(plain), 'age-encryption reads ours');
      assert.ok((await decrypt(ours, [A.identity])).equals(plain), 'we read ours');

      const theirs = await refEncrypt(plain, [A.recipient]);
      assert.equal(theirs.length, ours.length, 'same size as the reference');
      assert.ok((await decrypt(theirs, [A.identity])).equals(plain), 'we read age-encryption\'s');
      assert.ok((await decrypt(theirs, [B.identity, A.identity], [1, 7, 100, 65_553])).equals(plain), 'any chunking, any identity order');
    });
  }

  it('several recipients: each identity alone opens ours (reference and ours); a fresh file key and nonce every time', async () => {
    const plain = randomBytes(3 * CHUNK + 5);
    const file = await encrypt(plain, [A.recipient, B.recipient, C.recipient], [1000, 70_000]);
    const header = file.subarray(0, headerLength(file)).toString('latin1');
    assert.equal(header.match(/^-> X25519 /gm)?.length, 3, header);
    for (const k of [A, B, C]) {
      assert.ok((await refDecrypt(file, k.identity)).equals(plain));
      assert.ok((await decrypt(file, [k.identity])).equals(plain));
    }
    const again = await encrypt(plain, [A.recipient, B.recipient, C.recipient]);
    const h2 = headerLength(again);
    assert.notEqual(again.subarray(0, h2).toString('latin1'), header, 'new stanzas and MAC (new file key)');
    assert.ok(!again.subarray(h2, h2 + 16).equals(file.subarray(headerLength(file), headerLength(file) + 16)), 'new payload nonce');
  });

  it('reads standard files with other stanza kinds and multi-line stanza bodies (as age/rage write them)', async () => {
    const plain = randomBytes(CHUNK + 3);
    // Foreign stanzas before and after ours, with bodies of 0, 48 (a full line + an empty one), 70 and 100 bytes.
    const grease = (args: string[], len: number): Recipient => ({ wrapFileKey: () => [new Stanza(args, randomBytes(len))] });
    const file = await refEncrypt(plain, [grease(['x-grease', 'a'], 0), grease(['x-grease', 'bb', 'c'], 48), B.recipient,
      A.recipient, grease(['x-grease-long'], 70), grease(['other.example/v1', 'q'], 100)]);
    assert.ok((await decrypt(file, [A.identity])).equals(plain));
    assert.ok((await decrypt(file, [A.identity], [1])).equals(plain), 'header fed a byte at a time');
    assert.ok((await decrypt(file, [C.identity, B.identity])).equals(plain));
  });

  it('an empty plaintext is a single empty final chunk, both ways', async () => {
    const ours = await encrypt(Buffer.alloc(0), [A.recipient]);
    assert.equal(ours.length - headerLength(ours), 32);
    assert.equal((await refDecrypt(ours, A.identity)).length, 0);
    assert.equal((await decrypt(await refEncrypt(Buffer.alloc(0), [A.recipient]), [A.identity])).length, 0);
  });

  it('a malformed recipient throws synchronously', () => {
    assert.throws(() => ageEncryptStream(Readable.from([]), ['age1nope']));
    assert.throws(() => ageEncryptStream(Readable.from([]), ['ssh-ed25519 AAAA']));
  });
});

describe('age streams: tampering, truncation and wrong keys fail typed, never with unauthenticated plaintext', () => {
  const plain = randomBytes(4 * CHUNK + 777); // chunks 0..3 full, chunk 4 final (777 bytes)
  let good: Buffer;
  let h: number; // header length
  const chunkAt = (i: number): number => h + 16 + i * SEALED;
  const opened = async (file: Buffer, ids: readonly string[] = [A.identity], sizes?: readonly number[]): Promise<{ out: Buffer; err?: unknown }> =>
    drain(ageDecryptStream(source(file, sizes), ids, subject));

  before(async () => {
    good = await encrypt(plain, [A.recipient]);
    h = headerLength(good);
    assert.equal(good.length, chunkAt(4) + 777 + 16);
    assert.ok((await decrypt(good, [A.identity])).equals(plain));
  });

  it('a flipped byte anywhere in the header', async () => {
    for (const at of [0, 5, 21, 25, 40, 60, h - 30, h - 2, h - 1]) {
      const bad = Buffer.from(good); bad[at]! ^= 0x01;
      const { out, err } = await opened(bad);
      assertDecryptFailed(err);
      assert.equal(out.length, 0, `flip at ${at}`);
      assert.ok((await refDecrypt(bad, A.identity).then(() => false, () => true)), 'the reference rejects it too');
    }
  });

  it('a flipped byte in the payload nonce, a middle chunk, a tag, or the final chunk', async () => {
    const cases: [at: number, badChunk: number][] = [
      [h, 0], [h + 15, 0], [chunkAt(0), 0], [chunkAt(2) + 100, 2], [chunkAt(3) + SEALED - 1, 3],
      [chunkAt(4), 4], [good.length - 17, 4], [good.length - 1, 4],
    ];
    for (const [at, bad] of cases) {
      const file = Buffer.from(good); file[at]! ^= 0x80;
      for (const sizes of [undefined, [SEALED + 1], [1000, 7]]) {
        const { out, err } = await opened(file, [A.identity], sizes);
        assertDecryptFailed(err, /authentication failed/);
        assertOnlyAuthenticated(out, plain, bad);
      }
    }
  });

  it('truncation: dropping the final chunk (at a chunk boundary), cutting mid-chunk, inside the tag, the nonce or the header', async () => {
    const cuts: [length: number, reason: RegExp][] = [
      [chunkAt(4), /authentication failed/], // the last full chunk now claims to be final: wrong nonce
      [chunkAt(3), /authentication failed/],
      [chunkAt(1), /authentication failed/],
      [chunkAt(2) + 1000, /authentication failed/],
      [good.length - 1, /authentication failed/],
      [chunkAt(0) + 5, /authentication failed/],
      [chunkAt(0), /authentication failed/], // nonce, no chunk at all
      [h + 8, /authentication failed/], // inside the nonce
      [h, /authentication failed/],
      [h - 1, /header is invalid/],
      [30, /header is invalid/],
      [0, /header is invalid/],
    ];
    for (const [length, reason] of cuts) {
      const { out, err } = await opened(good.subarray(0, length));
      assertDecryptFailed(err, reason);
      assertOnlyAuthenticated(out, plain);
      assert.ok(out.length < plain.length, `cut at ${length}`);
    }
  });

  it('appended bytes, a duplicated final chunk, swapped chunks', async () => {
    const swapped = Buffer.from(good);
    good.copy(swapped, chunkAt(1), chunkAt(2), chunkAt(3));
    good.copy(swapped, chunkAt(2), chunkAt(1), chunkAt(2));
    const files = [
      Buffer.concat([good, Buffer.from([0])]),
      Buffer.concat([good, randomBytes(16)]),
      Buffer.concat([good, good.subarray(chunkAt(4))]),
      Buffer.concat([good, good.subarray(chunkAt(0), chunkAt(1))]),
      swapped,
    ];
    for (const f of files) {
      const { out, err } = await opened(f);
      assertDecryptFailed(err, /authentication failed/);
      assertOnlyAuthenticated(out, plain);
    }
  });

  it('a payload built by hand from the spec is read; an empty final chunk after a full one, or a short non-final chunk, is not', async () => {
    const full = [randomBytes(CHUNK), randomBytes(CHUNK)];
    const chunks = [...full, randomBytes(5)];
    const ok = await handMade(chunks);
    assert.ok((await refDecrypt(ok, A.identity)).equals(Buffer.concat(chunks)), 'the hand-made file is standard');
    assert.ok((await decrypt(ok, [A.identity])).equals(Buffer.concat(chunks)));
    assert.equal((await decrypt(await handMade([Buffer.alloc(0)]), [A.identity])).length, 0, 'an empty file: one empty final chunk');
    for (const chunks of [[...full, Buffer.alloc(0)], [randomBytes(1000), randomBytes(500)]]) {
      const file = await handMade(chunks);
      assert.ok(await refDecrypt(file, A.identity).then(() => false, () => true), 'the reference rejects it too');
      const { out, err } = await opened(file);
      assertDecryptFailed(err, /authentication failed/);
      assertOnlyAuthenticated(out, Buffer.concat(chunks));
    }
  });

  it('a wrong identity, and an empty identity list, say "wrong key"', async () => {
    for (const ids of [[B.identity], [B.identity, C.identity], []]) {
      const { out, err } = await opened(good, ids);
      assertDecryptFailed(err, /wrong key/);
      assert.equal(out.length, 0);
    }
  });

  it('a non-age file, and an endless header, fail fast with a bounded buffer', async () => {
    const { err } = await opened(Buffer.from('10.0.0.1 - - [01/Jan/2025] "GET / HTTP/1.1" 200\n'.repeat(1000)));
    assertDecryptFailed(err, /header is invalid/);
    let pulled = 0;
    const endless = new Readable({
      read() {
        if (pulled >= 256 * 1024 * 1024) { this.push(null); return; }
        const piece = pulled === 0 ? Buffer.from('age-encryption.org/v1\n-> x\n') : Buffer.alloc(CHUNK, 0x41);
        pulled += piece.length;
        this.push(piece);
      },
    });
    const r = await drain(ageDecryptStream(endless, [A.identity], subject));
    assertDecryptFailed(r.err, /header is invalid.*longer than/);
    assert.ok(pulled < 2 * 1024 * 1024, `read ${pulled} bytes of a header that never ends`);
  });

  it('a TributaryError of the ciphertext stream passes through unchanged; the source is released', async () => {
    const boom = DecryptFailed({ ...subject, reason: 'store read failed' });
    const src = new Readable({ read() { this.push(good.subarray(0, h + 100)); this.destroy(boom); } });
    const { out, err } = await drain(ageDecryptStream(src, [A.identity], subject));
    assert.equal(err, boom);
    assert.equal(out.length, 0);
    assert.ok(src.destroyed);
  });
});

describe('age streams: streaming behaviour', () => {
  it('an error of the plaintext (even before reading starts) errors the ciphertext stream', async () => {
    const plain = new Readable({ read() { /* the writer pushes */ } });
    const out = ageEncryptStream(plain, [A.recipient]);
    plain.push(randomBytes(1000));
    const aborted = new Error('bronze segment aborted');
    plain.destroy(aborted);
    await new Promise((r) => setTimeout(r, 10)); // errored before anyone reads: must not be unhandled
    const { err } = await drain(out);
    assert.equal(err, aborted);
  });

  it('backpressure: a slow reader keeps the source from running ahead (flat memory)', async () => {
    let produced = 0;
    const total = 64 * 1024 * 1024;
    const src = new Readable({
      read() {
        if (produced >= total) { this.push(null); return; }
        produced += CHUNK;
        this.push(Buffer.alloc(CHUNK, 7));
      },
    });
    const enc = ageEncryptStream(src, [A.recipient]);
    const dec = ageDecryptStream(enc, [A.identity], subject);
    let consumed = 0;
    let maxAhead = 0;
    for await (const p of dec as AsyncIterable<Buffer>) {
      consumed += p.length;
      maxAhead = Math.max(maxAhead, produced - consumed);
      if (consumed % (8 * CHUNK) === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(consumed, total);
    assert.ok(maxAhead < 2 * 1024 * 1024, `the source ran ${maxAhead} bytes ahead of the reader`);
  });

  it('an early stop of the reader releases the source', async () => {
    const file = await encrypt(randomBytes(6 * CHUNK), [A.recipient]);
    const src = source(file);
    const dec = ageDecryptStream(src, [A.identity], subject);
    for await (const _ of dec as AsyncIterable<Buffer>) break;
    await new Promise((r) => setImmediate(r));
    assert.ok(src.destroyed);
    const plain = source(randomBytes(6 * CHUNK));
    const enc = ageEncryptStream(plain, [A.recipient]);
    for await (const _ of enc as AsyncIterable<Buffer>) break;
    await new Promise((r) => setImmediate(r));
    assert.ok(plain.destroyed);
  });
});

describe('age streams: property', () => {
  const boundary = fc.constantFrom(0, 1, 15, 16, 17, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 1, 3 * CHUNK);
  const size = fc.oneof(boundary, fc.integer({ min: 0, max: 4 * CHUNK + 100 }));
  const pieces = fc.array(fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 3 * CHUNK }), boundary.map((n) => Math.max(1, n))), { minLength: 1, maxLength: 8 });

  it('round trip for random sizes and input/ciphertext chunkings; the reference reads it too', async () => {
    await fc.assert(fc.asyncProperty(size, pieces, pieces, fc.boolean(), async (n, inSizes, outSizes, viaRef) => {
      const plain = randomBytes(n);
      const file = await encrypt(plain, [A.recipient], inSizes);
      assert.equal(file.length - headerLength(file), payloadLength(n));
      assert.ok((await decrypt(file, [A.identity], outSizes)).equals(plain));
      if (viaRef) assert.ok((await refDecrypt(file, A.identity)).equals(plain));
    }), { seed: 20250101, numRuns: 60 });
  });

  it('any single flipped byte of a small file is rejected without plaintext', async () => {
    const plain = randomBytes(CHUNK + 10);
    const file = await encrypt(plain, [A.recipient]);
    await fc.assert(fc.asyncProperty(fc.nat({ max: file.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, x) => {
      const bad = Buffer.from(file); bad[at]! ^= x;
      const { out, err } = await drain(ageDecryptStream(source(bad, [4096]), [A.identity], subject));
      assertDecryptFailed(err);
      assertOnlyAuthenticated(out, plain, Math.max(0, Math.floor((at - headerLength(file) - 16) / SEALED)));
    }), { seed: 99, numRuns: 150 });
  });
});
