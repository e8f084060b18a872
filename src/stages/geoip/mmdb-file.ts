/**
 * One mmdb database file, read with the `maxmind` package's reader, re-opened when the file is
 * replaced (see core/file-watch.ts). An update is a file swap (write a new file, rename it over the
 * old one): lookups never see a half-written file; a failed reload keeps the previous database.
 */
import { readFileSync } from 'node:fs';
import { Reader } from 'maxmind';
import { FileWatch } from '../../core/file-watch.js';

/** A reloading mmdb reader. */
export class MmdbFile {
  readonly path: string;
  readonly #watch: FileWatch;
  #reader: Reader<Record<string, unknown>>;
  /** Increases on every (re)load; caches keyed on it drop stale answers. */
  generation = 1;

  /** Reads `path` now; throws the OS or format error. */
  constructor(path: string, checkMs: number) {
    this.path = path;
    this.#watch = new FileWatch(path, checkMs);
    this.#reader = new Reader(readFileSync(path));
  }

  /** Build time of the loaded database (from its metadata). */
  get builtAt(): Date {
    return this.#reader.metadata.buildEpoch;
  }

  /** Re-opens the file when it was replaced; a failed reload keeps the old database. */
  maybeReload(now = Date.now()): void {
    if (!this.#watch.changed(now)) return;
    try {
      this.#reader = new Reader(readFileSync(this.path));
      this.#watch.accept();
      this.generation++;
    } catch { /* keep serving the previous database; retried at the next check */ }
  }

  /** The record for `ip`, or null. */
  get(ip: string): Record<string, unknown> | null {
    return this.#reader.get(ip);
  }
}
