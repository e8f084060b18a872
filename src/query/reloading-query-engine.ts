/**
 * A {@link QueryEngine} whose underlying engine can be replaced while it serves: `reload()` opens a
 * fresh engine (new warehouse snapshot, new tables, new column tags), routes new queries to it, and
 * closes the old one once its last in-flight query, description or stream has finished. A failed
 * reload keeps the old engine serving.
 */
import type { Identity } from '../security/identity/identity.js';
import type { QueryEngine, QueryOptions, QueryStream, StatementDescription, VisibleRelation } from './query-engine.js';

interface Slot {
  readonly engine: QueryEngine;
  active: number;
  retired: boolean;
  closed?: Promise<void>;
}

/** See the module doc. */
export class ReloadingQueryEngine implements QueryEngine {
  readonly #open: () => Promise<QueryEngine>;
  #slot: Slot;
  readonly #retiring = new Set<Slot>();
  #closed = false;
  #reloading: Promise<void> | undefined;

  private constructor(open: () => Promise<QueryEngine>, first: QueryEngine) {
    this.#open = open;
    this.#slot = { engine: first, active: 0, retired: false };
  }

  /** Opens the first engine with `open` (rejects as `open` does); `reload` calls `open` again. */
  static async open(open: () => Promise<QueryEngine>): Promise<ReloadingQueryEngine> {
    return new ReloadingQueryEngine(open, await open());
  }

  /**
   * Opens a new engine and swaps it in. Concurrent calls share one reload. Rejects (keeping the
   * current engine) when opening fails.
   */
  reload(): Promise<void> {
    this.#reloading ??= (async () => {
      try {
        const next = await this.#open();
        if (this.#closed) { await next.close(); return; }
        const old = this.#slot;
        this.#slot = { engine: next, active: 0, retired: false };
        old.retired = true;
        this.#retiring.add(old);
        this.#maybeClose(old);
      } finally {
        this.#reloading = undefined;
      }
    })();
    return this.#reloading;
  }

  async query(id: Identity, sql: string, opts: QueryOptions): Promise<QueryStream> {
    const slot = this.#take();
    let inner: QueryStream;
    try {
      inner = await slot.engine.query(id, sql, opts);
    } catch (err) {
      this.#release(slot);
      throw err;
    }
    let released = false;
    const release = (): void => { if (!released) { released = true; this.#release(slot); } };
    return {
      columns: inner.columns,
      batches: () => (async function* batches() {
        try { yield* inner.batches(); } finally { release(); }
      })(),
      close: async () => { try { await inner.close(); } finally { release(); } },
    };
  }

  async describe(id: Identity, sql: string): Promise<StatementDescription> {
    return this.#with((e) => e.describe(id, sql));
  }

  async relations(id: Identity): Promise<readonly VisibleRelation[]> {
    return this.#with((e) => e.relations(id));
  }

  /** Closes the current engine and waits for retired ones. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#reloading?.catch(() => undefined);
    const current = this.#slot;
    current.retired = true;
    this.#retiring.add(current);
    this.#maybeClose(current, true);
    await Promise.allSettled([...this.#retiring].map((s) => s.closed));
  }

  #take(): Slot {
    const slot = this.#slot;
    slot.active++;
    return slot;
  }

  async #with<T>(fn: (e: QueryEngine) => Promise<T>): Promise<T> {
    const slot = this.#take();
    try { return await fn(slot.engine); } finally { this.#release(slot); }
  }

  #release(slot: Slot): void {
    slot.active--;
    this.#maybeClose(slot);
  }

  #maybeClose(slot: Slot, force = false): void {
    if (!slot.retired || slot.closed || (slot.active > 0 && !force)) return;
    slot.closed = slot.engine.close().catch(() => undefined).finally(() => { this.#retiring.delete(slot); });
  }
}
