/**
 * In-process stores of the `memory` sink, by name. Engine tests create a pipeline with a memory
 * sink, run it, then read `memoryStore(name)` to see exactly what was committed. A store outlives
 * its sinks (a new sink with the same store name resumes from its watermarks), like a database.
 */

/** A committed row: stored column name → value (string, number, null; timestamps as ISO-8601 UTC text). */
export type MemoryRow = Readonly<Record<string, string | number | null>>;

/** A committed rejection as stored in the quarantine. */
export type MemoryQuarantineRow = {
  readonly source: string;
  readonly uri: string;
  readonly stream: string;
  readonly line: number;
  readonly offset: number;
  readonly code: string;
  readonly reason: string;
  readonly field: string | null;
  readonly stage: string;
  readonly raw: string;
  readonly quarantined_at: string;
  readonly commit_id: string;
};

/** The committed contents of a memory sink. */
export interface MemoryStore {
  readonly name: string;
  /** Committed rows in commit order. */
  readonly rows: MemoryRow[];
  readonly quarantine: MemoryQuarantineRow[];
  /** Committed rows of the pipeline's additional datasets (e.g. `security_events`), by dataset. */
  readonly datasets: Map<string, MemoryRow[]>;
  /** Stream → next offset (rows below are skipped when re-delivered). */
  readonly watermarks: Map<string, number>;
  /** Committed commit ids, in order. */
  readonly commits: string[];
}

const stores = new Map<string, MemoryStore>();

/** The store called `name`, created empty on first use. */
export function memoryStore(name: string): MemoryStore {
  let s = stores.get(name);
  if (!s) {
    s = { name, rows: [], quarantine: [], datasets: new Map(), watermarks: new Map(), commits: [] };
    stores.set(name, s);
  }
  return s;
}

/** Forgets the store called `name` (tests call it to start clean). */
export function dropMemoryStore(name: string): void {
  stores.delete(name);
}
