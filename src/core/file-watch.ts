/**
 * Notices that a file was replaced (new modification time or size), checking at most every
 * `checkMs`, for data files reloaded without a restart (GeoIP databases, reputation lists). Updates
 * are expected as a file swap (write, then rename over), so a reload never reads half a file.
 */
import { statSync } from 'node:fs';

/** Change detection for one file. */
export class FileWatch {
  readonly path: string;
  readonly #checkMs: number;
  #stamp: string;
  #seen: string | undefined;
  #checkedAt = Date.now();

  /** Records the file's current state; throws the OS error when it cannot be read. */
  constructor(path: string, checkMs: number) {
    this.path = path;
    this.#checkMs = checkMs;
    this.#stamp = FileWatch.#stampOf(path);
  }

  static #stampOf(path: string): string {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}`;
  }

  /**
   * True when the file differs from the last {@link accept}ed state (or the one at construction),
   * checked at most every `checkMs` (0: never). A file that cannot be read counts as unchanged.
   */
  changed(now = Date.now()): boolean {
    if (this.#checkMs <= 0 || now - this.#checkedAt < this.#checkMs) return false;
    this.#checkedAt = now;
    try {
      this.#seen = FileWatch.#stampOf(this.path);
      return this.#seen !== this.#stamp;
    } catch {
      return false;
    }
  }

  /** Marks the state seen by the last {@link changed} as loaded (call after a successful reload). */
  accept(): void {
    if (this.#seen !== undefined) this.#stamp = this.#seen;
  }
}
