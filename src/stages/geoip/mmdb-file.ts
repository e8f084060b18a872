/**
 * One mmdb database file, read with the `maxmind` package's reader, re-opened when the file is
 * replaced (a new modification time or size, checked at most every `checkMs`). An update is a file
 * swap (write a new file, rename it over the old one): lookups never see a half-written file.
 */
import { readFileSync, statSync } from 'node:fs';
import { Reader } from 'maxmind';

/** A reloading mmdb reader. */
export class MmdbFile {
  readonly path: string;
  readonly #checkMs: number;
  #reader: Reader<Record<string, unknown>>;
  #stamp: string;
  #checkedAt = Date.now();
  /** Increases on every (re)load; caches keyed on it drop stale answers. */
  generation = 1;

  /** Reads `path` now; throws the OS or format error. */
  constructor(path: string, checkMs: number) {
    this.path = path;
    this.#checkMs = checkMs;
    this.#stamp = MmdbFile.#stampOf(path);
    this.#reader = new Reader(readFileSync(path));
  }

  static #stampOf(path: string): string {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}`;
  }

  /** Build time of the loaded database (from its metadata). */
  get builtAt(): Date {
    return this.#reader.metadata.buildEpoch;
  }

  /** Re-opens the file when it was replaced; a failed reload keeps the old database. */
  maybeReload(now = Date.now()): void {
    if (this.#checkMs <= 0 || now - this.#checkedAt < this.#checkMs) return;
    this.#checkedAt = now;
    try {
      const stamp = MmdbFile.#stampOf(this.path);
      if (stamp === this.#stamp) return;
      this.#reader = new Reader(readFileSync(this.path));
      this.#stamp = stamp;
      this.generation++;
    } catch { /* keep serving the previous database */ }
  }

  /** The record for `ip`, or null. */
  get(ip: string): Record<string, unknown> | null {
    return this.#reader.get(ip);
  }
}
