/**
 * A size-bounded memo for per-worker lookup caches (user agents, GeoIP answers, truncated IPs):
 * once full, the oldest entry is evicted (insertion order), so memory stays flat however many
 * distinct keys a log holds. A size of 0 disables caching.
 */
export class BoundedCache<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  /** The cached value of `key`, or `compute(key)` (cached unless the size is 0). */
  get(key: K, compute: (key: K) => V): V {
    if (this.#map.has(key)) return this.#map.get(key) as V;
    const v = compute(key);
    if (this.#max > 0) {
      if (this.#map.size >= this.#max) this.#map.delete(this.#map.keys().next().value as K);
      this.#map.set(key, v);
    }
    return v;
  }

  /** Drops every entry (e.g. after the data behind the answers was reloaded). */
  clear(): void {
    this.#map.clear();
  }
}
