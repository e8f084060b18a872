/**
 * Per-process memory of authentication work that is safe to skip: which (key, stored hash) pairs
 * already verified, so scrypt runs once per key and process instead of once per request, and when
 * each key's last use was last written. It never remembers revocation, expiry or role: those are
 * read from the control store on every request.
 */
import { createHash } from 'node:crypto';

const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_TTL_MS = 10 * 60_000;

/** What {@link ApiKeyAuthCache} is created with. */
export interface ApiKeyAuthCacheOptions {
  /** Entries kept at most (oldest dropped first). Default 10 000. */
  readonly maxEntries?: number;
  /** How long a verified pair is trusted without running scrypt again. Default 10 minutes. */
  readonly ttlMs?: number;
}

/** The cache; one per server process, shared by every request. */
export class ApiKeyAuthCache {
  readonly #verified = new Map<string, { readonly hash: string; readonly until: number }>();
  readonly #touched = new Map<string, number>();
  readonly #max: number;
  readonly #ttl: number;

  constructor(opts: ApiKeyAuthCacheOptions = {}) {
    this.#max = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#ttl = opts.ttlMs ?? DEFAULT_TTL_MS;
  }

  /** SHA-256 of the key (the cache never holds a key). */
  static digest(key: string): string {
    return createHash('sha256').update(key).digest('base64url');
  }

  /** True when this key digest verified against exactly this stored hash less than ttl ago. */
  verified(digest: string, storedHash: string, nowMs: number): boolean {
    const e = this.#verified.get(digest);
    return e !== undefined && e.hash === storedHash && e.until > nowMs;
  }

  /** Remembers a successful verification. */
  remember(digest: string, storedHash: string, nowMs: number): void {
    this.#verified.delete(digest);
    if (this.#verified.size >= this.#max) this.#verified.delete(this.#verified.keys().next().value!);
    this.#verified.set(digest, { hash: storedHash, until: nowMs + this.#ttl });
  }

  /** True (and noted) when key `id`'s last use was not written by this process in the last `intervalMs`. */
  dueForTouch(id: string, nowMs: number, intervalMs: number): boolean {
    const last = this.#touched.get(id);
    if (last !== undefined && nowMs - last < intervalMs) return false;
    this.#touched.delete(id);
    if (this.#touched.size >= this.#max) this.#touched.delete(this.#touched.keys().next().value!);
    this.#touched.set(id, nowMs);
    return true;
  }
}
