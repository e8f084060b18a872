/**
 * Writing and reading the encrypted members of a backup. A member is written as one age file
 * (to the backup key's recipient) while both the plaintext and the ciphertext are hashed; it is
 * read back by first hashing the stored bytes against the manifest (so a changed byte is named
 * before anything is decrypted), then decrypting while hashing the plaintext again.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ageDecryptStream, ageEncryptStream } from '../../security/crypto/age-stream.js';

/** Size and sha256 (hex) of a byte stream. */
export interface Digest {
  readonly size: number;
  readonly sha256: string;
}

/** A pass-through that hashes and counts what flows; `digest()` is valid once the stream ended. */
export function hashingTap(): Transform & { digest(): Digest } {
  const h = createHash('sha256');
  let size = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) { h.update(chunk); size += chunk.length; cb(null, chunk); },
  }) as Transform & { digest(): Digest };
  let done: string | undefined;
  t.digest = () => ({ size, sha256: (done ??= h.digest('hex')) });
  return t;
}

/** sha256 and size of a file, streamed. */
export async function fileDigest(path: string): Promise<Digest> {
  const tap = hashingTap();
  await pipeline(createReadStream(path), tap, async function* (src) { for await (const _ of src) { /* drain */ } });
  return tap.digest();
}

/** fsyncs the file `file` (its bytes survive a crash once this resolves). */
export async function syncFile(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try { await fh.sync(); } finally { await fh.close(); }
}

/** Digests of one written member. */
export interface WrittenMember {
  readonly plain: Digest;
  readonly stored: Digest;
}

/**
 * Encrypts `plain` to `recipient` into the new file `file` (fsynced), hashing both sides. The file
 * is created exclusively (mode 0600). On failure the partial file is removed and the error rethrown.
 */
export async function writeMember(plain: Readable, recipient: string, file: string): Promise<WrittenMember> {
  const plainTap = hashingTap();
  const storedTap = hashingTap();
  try {
    await pipeline(plain, plainTap, (src: AsyncIterable<Buffer>) => ageEncryptStream(Readable.from(src), [recipient]), storedTap,
      createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    await syncFile(file);
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
  return { plain: plainTap.digest(), stored: storedTap.digest() };
}

/**
 * Decrypts the member file `file` with `identities` into `sink` (e.g. pg_restore's stdin), hashing
 * the plaintext; without a sink the plaintext is only hashed. Returns the plaintext digest.
 */
export async function streamMember(file: string, identities: readonly string[], name: string, sink?: Writable): Promise<Digest> {
  const tap = hashingTap();
  const plain = ageDecryptStream(createReadStream(file), identities, { what: 'backup member', name, key: 'backup' });
  if (sink) await pipeline(plain, tap, sink);
  else await pipeline(plain, tap, async function* (src) { for await (const _ of src) { /* hash only */ } });
  return tap.digest();
}

/**
 * Decrypts the member file `file` with `identities` into the new file `dest` (mode 0600, fsynced)
 * and returns the plaintext digest (the caller compares it with the manifest). Decryption errors are
 * `TRB_SECRET_DECRYPT_FAILED` naming `name`; `dest` is removed on any failure.
 */
export async function readMember(file: string, identities: readonly string[], name: string, dest: string): Promise<Digest> {
  const tap = hashingTap();
  try {
    await pipeline(ageDecryptStream(createReadStream(file), identities, { what: 'backup member', name, key: 'backup' }), tap,
      createWriteStream(dest, { flags: 'wx', mode: 0o600 }));
    await syncFile(dest);
  } catch (err) {
    await rm(dest, { force: true });
    throw err;
  }
  return tap.digest();
}
