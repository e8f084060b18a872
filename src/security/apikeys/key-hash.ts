/**
 * Hashing of API keys with scrypt (node:crypto). The stored form carries its parameters,
 * `scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (base64url), so the cost can be raised later:
 * new keys get the new parameters and old hashes keep verifying with theirs. Comparison is
 * constant-time (timingSafeEqual).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters. */
export interface ScryptParams {
  /** log2 of N (CPU/memory cost). */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/**
 * Default cost: N = 2^14, r = 8, p = 1 (16 MiB, a few tens of milliseconds). The key's secret has
 * 256 random bits, so the hash resists offline guessing by entropy; scrypt adds defence in depth.
 */
export const DEFAULT_SCRYPT: ScryptParams = Object.freeze({ ln: 14, r: 8, p: 1 });

const HASH_BYTES = 32;
const SALT_BYTES = 16;
const FORMAT = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{43})$/;

function derive(key: string, salt: Buffer, p: ScryptParams): Promise<Buffer> {
  const N = 2 ** p.ln;
  return new Promise((resolve, reject) => {
    scrypt(key, salt, HASH_BYTES, { N, r: p.r, p: p.p, maxmem: 256 * N * p.r + 1024 * 1024 }, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

/** The stored form of `key` under a fresh 128-bit salt. */
export async function hashApiKey(key: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(key, salt, params);
  return `scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * True when `key` matches the stored form `stored` (constant-time in the hash comparison). A stored
 * form that cannot be parsed, or whose parameters are out of range, never matches.
 */
export async function verifyApiKeyHash(key: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (m === null) return false;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 10 || params.ln > 22 || params.r < 1 || params.p < 1) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const actual = await derive(key, Buffer.from(m[4]!, 'base64url'), params);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
