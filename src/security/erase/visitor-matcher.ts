/**
 * Recognises a person's visitor ids from their address. A visitor id is a keyed hash of (address,
 * user agent, UTC day) (see `stages/sessions/visitor-id.ts`), so whoever holds the vault key can
 * recompute it for a stored row's agent and day and compare: equal means the row came from this
 * address (a different address collides with probability 2^-64). Every version of the key and every
 * text form of the address is tried, since ids were computed from the address as it was written.
 */
import { VisitorIds } from '../../stages/sessions/visitor-id.js';

/** Exact visitor-id matching for one address. */
export class VisitorMatcher {
  readonly #ids: readonly VisitorIds[];
  readonly #forms: readonly string[];
  readonly #cache = new Map<string, ReadonlySet<string>>();

  /** `keys`: material of every visitor-key version; `ipForms`: the address's text forms. */
  constructor(keys: readonly Uint8Array[], ipForms: readonly string[]) {
    this.#ids = keys.map((k) => new VisitorIds(k));
    this.#forms = ipForms;
  }

  /** True when there is at least one key and one address form to compute with. */
  get usable(): boolean { return this.#ids.length > 0 && this.#forms.length > 0; }

  /**
   * The ids this address has with agent `userAgent` on UTC day `day` (`YYYY-MM-DD`), one per key
   * version and address form; cached per (agent, day), as rows of one visit repeat them.
   */
  idsFor(userAgent: string | null, day: string): ReadonlySet<string> {
    const k = `${day}\0${userAgent ?? ''}`;
    let ids = this.#cache.get(k);
    if (ids === undefined) {
      ids = new Set(this.#ids.flatMap((v) => this.#forms.map((f) => v.id(f, userAgent, day))));
      if (this.#cache.size >= 10_000) this.#cache.clear();
      this.#cache.set(k, ids);
    }
    return ids;
  }

  /** True when `visitorId` is this address's id for `userAgent` on `day` under some key version. */
  matches(visitorId: string, userAgent: string | null, day: string): boolean {
    return this.idsFor(userAgent, day).has(visitorId);
  }
}
