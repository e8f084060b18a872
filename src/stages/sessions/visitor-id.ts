/**
 * Visitor ids: `v_<16 hex>` = HMAC-SHA256(daily salt, client IP ∥ 0x00 ∥ user agent), 64 bits, where
 * the daily salt is HMAC-SHA256(vault `hmac` key, `tributary/visitor-salt/` ∥ UTC day of the request).
 * The raw IP is never kept; the same person gets the same id within a UTC day and an unrelated one
 * the next day (so nothing links a visitor across days without the key). Whoever holds the vault key
 * can recompute an id from an IP, agent and day: that is how `tributary erase --ip` finds a person's
 * rows, and why the key stays in the vault.
 */
import { createHmac } from 'node:crypto';

/** Vault key (kind `hmac`) the visitor salts derive from, unless a stage config names another. */
export const DEFAULT_VISITOR_KEY = 'visitors';

/** Derives per-day salts from a key and caches the last few days (a run touches a handful). */
export class VisitorIds {
  readonly #key: Uint8Array;
  readonly #salts = new Map<string, Buffer>();

  constructor(key: Uint8Array) { this.#key = key; }

  /** The salt of UTC day `day` (`YYYY-MM-DD`). */
  salt(day: string): Buffer {
    let s = this.#salts.get(day);
    if (s === undefined) {
      s = createHmac('sha256', this.#key).update(`tributary/visitor-salt/${day}`).digest();
      if (this.#salts.size >= 16) this.#salts.delete(this.#salts.keys().next().value as string);
      this.#salts.set(day, s);
    }
    return s;
  }

  /** The visitor id of `ip` + `userAgent` on UTC day `day` (`YYYY-MM-DD`); a missing agent counts as ''. */
  id(ip: string, userAgent: string | null | undefined, day: string): string {
    const mac = createHmac('sha256', this.salt(day)).update(ip).update('\0').update(userAgent ?? '').digest('hex');
    return `v_${mac.slice(0, 16)}`;
  }
}

/** The UTC day (`YYYY-MM-DD`) of a timestamp in epoch milliseconds. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** True for text shaped like a visitor id made by {@link VisitorIds.id}. */
export function isVisitorId(text: string): boolean {
  return /^v_[0-9a-f]{16}$/.test(text);
}
