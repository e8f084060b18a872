/**
 * A process-wide async lock per database file. better-sqlite3 waits for a busy write lock
 * synchronously, so two store instances of ONE process writing the same file would block the event
 * loop while the lock holder (same thread) can never finish: they must take turns here instead.
 * Other processes are handled by SQLite's own locking and busy timeout.
 */
const tails = new Map<string, Promise<void>>();

/** Runs `fn` once every earlier `withPathLock(key, ...)` call of this process has settled. */
export async function withPathLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = tails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => { release = r; });
  const tail = prev.then(() => mine);
  tails.set(key, tail);
  await prev;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}
