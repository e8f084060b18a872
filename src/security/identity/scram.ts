/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) server-side verifiers for PostgreSQL-wire users, computed with
 * node:crypto: SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password), salt, i), StoredKey =
 * SHA-256(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key"). The
 * base64 fields have exactly the shape of pg-gateway's `ScramSha256Data`. pg-gateway's own helpers
 * use WebCrypto and a WASM digest; these replace them (house rule: crypto from node:crypto).
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

/** A SCRAM-SHA-256 verifier: what pg-gateway's `getScramSha256Data` returns (base64 strings). */
export interface ScramSha256Data {
  readonly salt: string;
  readonly iterations: number;
  readonly storedKey: string;
  readonly serverKey: string;
}

/** PostgreSQL's default iteration count, and the minimum accepted. */
export const MIN_SCRAM_ITERATIONS = 4096;

const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
const PROHIBITED = /[\u0000-\u001F\u007F-\u009F\uE000-\uF8FF\uFFF9-\uFFFD\u2FF0-\u2FFB\u200E\u200F\u202A-\u202E\u206A-\u206F]|[\uD800-\uDFFF]/;

/**
 * SASLprep (RFC 4013) as PostgreSQL applies it to passwords: non-ASCII spaces become U+0020,
 * "mapped to nothing" characters go, the result is NFKC-normalised; when that leaves prohibited
 * characters, the password is used as given (PostgreSQL and libpq do the same).
 */
export function saslPrep(password: string): string {
  const prepared = password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
  return PROHIBITED.test(prepared) ? password : prepared;
}

function saltedPassword(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, 32, 'sha256', (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const hmac = (key: Buffer, text: string | Buffer): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

/**
 * The verifier of `password` under `salt` (default: 16 fresh random bytes) and `iterations`
 * (default and minimum {@link MIN_SCRAM_ITERATIONS}). The password itself is not kept.
 */
export async function createScramVerifier(password: string, opts: { readonly salt?: Buffer; readonly iterations?: number } = {}): Promise<ScramSha256Data> {
  const iterations = opts.iterations ?? MIN_SCRAM_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < MIN_SCRAM_ITERATIONS) throw new RangeError(`SCRAM iterations must be an integer >= ${MIN_SCRAM_ITERATIONS}`);
  const salt = opts.salt ?? randomBytes(16);
  const sp = await saltedPassword(password, salt, iterations);
  return Object.freeze({
    salt: salt.toString('base64'), iterations,
    storedKey: sha256(hmac(sp, 'Client Key')).toString('base64'),
    serverKey: hmac(sp, 'Server Key').toString('base64'),
  });
}

/**
 * The server's check of a client-final-message (RFC 5802 §3): ClientKey = ClientProof XOR
 * HMAC(StoredKey, AuthMessage), then SHA-256(ClientKey) must equal StoredKey (constant-time).
 * Has the signature of pg-gateway's `validateCredentials` arguments (`scramSha256Data.storedKey`).
 */
export function verifyScramClientProof(p: { readonly authMessage: string; readonly clientProof: string; readonly storedKey: string }): boolean {
  const proof = Buffer.from(p.clientProof, 'base64');
  const storedKey = Buffer.from(p.storedKey, 'base64');
  if (proof.length !== 32 || storedKey.length !== 32) return false;
  const signature = hmac(storedKey, p.authMessage);
  const clientKey = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ signature[i]!;
  return timingSafeEqual(sha256(clientKey), storedKey);
}

/**
 * A deterministic verifier for a user that does not exist: salt and keys are HMACs of the name
 * under `serverSecret`, so repeated logins as the same unknown name see the same salt, like a real
 * user, and names cannot be enumerated. No password matches it (its StoredKey is not derived from
 * one). `serverSecret` must stay private and stable (e.g. a vault `hmac` key), at least 32 bytes.
 */
export function fakeScramVerifier(username: string, serverSecret: Buffer, iterations: number = MIN_SCRAM_ITERATIONS): ScramSha256Data {
  if (serverSecret.length < 32) throw new RangeError('the fake-verifier secret must have at least 32 bytes');
  const part = (label: string): Buffer => hmac(serverSecret, `tributary.scram.${label}\0${username}`);
  return Object.freeze({
    salt: part('salt').subarray(0, 16).toString('base64'), iterations,
    storedKey: part('stored').toString('base64'), serverKey: part('server').toString('base64'),
  });
}
