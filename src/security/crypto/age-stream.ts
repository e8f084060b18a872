/**
 * Streaming age (https://age-encryption.org/v1) encryption and decryption of Node streams, through
 * the `age-encryption` package (X25519 recipients, ChaCha20-Poly1305 in 64 KiB authenticated
 * chunks). Memory stays flat: bytes flow chunk by chunk, with the streams' backpressure.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Decrypter, Encrypter } from 'age-encryption';
import { isTributaryError } from '../../core/errors.js';
import { DecryptFailed } from './errors.js';

/** Which object is being decrypted, for error messages (never key material). */
export interface AgeSubject {
  /** What the bytes are, e.g. `bronze object`. */
  readonly what: string;
  /** Their name, e.g. the object key. */
  readonly name: string;
  /** The vault data key whose versions are tried, e.g. `bronze`. */
  readonly key: string;
}

type WebBytes = globalThis.ReadableStream<Uint8Array>;
const toWeb = (r: Readable): WebBytes => Readable.toWeb(r) as unknown as WebBytes;
const fromWeb = (w: WebBytes): Readable => Readable.fromWeb(w as unknown as WebReadableStream<Uint8Array>);

/**
 * The age ciphertext of `plain`, encrypted to every recipient (`age1...`), as a byte stream. An
 * error of `plain` (or destroying it) errors the returned stream. Throws synchronously only for a
 * malformed recipient.
 */
export function ageEncryptStream(plain: Readable, recipients: readonly string[]): Readable {
  const enc = new Encrypter();
  for (const r of recipients) enc.addRecipient(r);
  // Converted now, not when the output is first read: the conversion listens for `plain`'s errors
  // (a writer aborting the segment destroys it before the store has started reading).
  const input = toWeb(plain);
  async function* cipher(): AsyncGenerator<Uint8Array> {
    yield* fromWeb(await enc.encrypt(input)) as AsyncIterable<Uint8Array>;
  }
  return Readable.from(cipher(), { objectMode: false });
}

const reasonOf = (err: unknown): string => {
  const m = err instanceof Error ? err.message : String(err);
  if (/no identity matched/i.test(m)) return 'none of the key\'s versions matches the recipients the object was encrypted to (wrong key)';
  if (/invalid tag|final chunk|too small|size is invalid/i.test(m)) return 'authentication failed (the ciphertext was altered or truncated)';
  if (/invalid version|invalid header|hmac|stanza|unexpected end/i.test(m)) return `the age header is invalid or altered (${m})`;
  return m;
};

/**
 * The plaintext of the age ciphertext `cipher`, trying every identity (`AGE-SECRET-KEY-1...`; pass
 * all versions of a key so old objects stay readable after a rotation). Each 64 KiB chunk is
 * authenticated before it is emitted; any failure (wrong key, altered or truncated bytes) errors
 * the stream with `TRB_SECRET_DECRYPT_FAILED` naming `subject`. Errors of `cipher` itself that are
 * already TributaryErrors (e.g. a store read failure) pass through unchanged.
 */
export function ageDecryptStream(cipher: Readable, identities: readonly string[], subject: AgeSubject): Readable {
  const dec = new Decrypter();
  for (const id of identities) dec.addIdentity(id);
  const fail = (err: unknown): Error => (isTributaryError(err) ? err : DecryptFailed({ ...subject, reason: reasonOf(err) }, err));
  const input = toWeb(cipher); // now, so an early error of `cipher` is observed (see ageEncryptStream)
  async function* plain(): AsyncGenerator<Uint8Array> {
    try {
      if (identities.length === 0) throw new Error('no identity matched any of the file\'s recipients');
      yield* fromWeb(await dec.decrypt(input)) as AsyncIterable<Uint8Array>;
    } catch (err) {
      throw fail(err);
    } finally {
      // Also on an early stop by the consumer: release the ciphertext stream (a file handle).
      cipher.destroy();
    }
  }
  return Readable.from(plain(), { objectMode: false });
}
