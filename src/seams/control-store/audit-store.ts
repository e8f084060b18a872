/**
 * Persistence of the audit log inside the control store: an append-only sequence of entries and a
 * set of anchors. The chain and MAC arithmetic live in `security/audit`; this layer only makes
 * `append` and `appendBatch` atomic (the head read and the inserts happen in one transaction, so
 * two writers can never both extend the same head) and offers reads. Both adapters pass the same
 * contract suite.
 */

/** An entry as the audit layer builds it, before the store assigns `seq`. */
export interface AuditEntryDraft {
  /** ISO-8601 UTC. */
  readonly ts: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly outcome: string;
  readonly requestId: string;
  /** Plain JSON object or null; never a secret value. */
  readonly details: Readonly<Record<string, unknown>> | null;
  readonly prevHash: string;
  readonly hash: string;
  readonly mac: string;
  readonly keyVersion: number;
}

/** A stored entry. */
export interface AuditEntryRow extends AuditEntryDraft {
  /** 1, 2, 3, ... without gaps unless someone deleted rows. */
  readonly seq: number;
}

/** The head an append extends: the last entry's seq and hash, or undefined for an empty log. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** Filter of {@link AuditStore.list}; every field optional, combined with AND. */
export interface AuditQuery {
  readonly fromSeq?: number;
  readonly toSeq?: number;
  readonly action?: string;
  readonly actor?: string;
  /** Substring match on target. */
  readonly targetContains?: string;
  readonly outcome?: string;
  /** ISO-8601 bounds on ts (inclusive). */
  readonly since?: string;
  readonly until?: string;
  /** Default 1000. */
  readonly limit?: number;
  /** `asc` (default) or `desc` by seq. */
  readonly order?: 'asc' | 'desc';
}

/** A signed snapshot of the chain head. */
export interface AuditAnchorRow {
  readonly seq: number;
  readonly headHash: string;
  readonly entryCount: number;
  readonly ts: string;
  readonly mac: string;
  readonly keyVersion: number;
}

/** The audit log's persistence (`ControlStore.audit`). Errors are `store` family codes. */
export interface AuditStore {
  /**
   * Appends one entry built from the current head, in one transaction: `build(head)` is called with
   * the last entry (undefined for an empty log) and must return the draft chained to it; the row is
   * stored with `seq = head.seq + 1`. Concurrent appends are serialised (a lost race re-reads the
   * head and calls `build` again). Returns the stored row.
   */
  append(build: (head: AuditHead | undefined) => AuditEntryDraft): Promise<AuditEntryRow>;
  /**
   * Appends several entries in ONE transaction (group commit): `build(head)` is called with the last
   * entry and returns the drafts in order, the first chained to `head` and each later one to the
   * draft before it; they are stored with `seq = head.seq + 1, head.seq + 2, ...`. All are stored or
   * none (an unstorable draft fails the whole batch). Serialised with `append` and other batches
   * exactly like `append` (a lost race re-reads the head and calls `build` again). Returns the
   * stored rows in seq order; an empty list stores nothing and returns `[]`.
   */
  appendBatch(build: (head: AuditHead | undefined) => readonly AuditEntryDraft[]): Promise<readonly AuditEntryRow[]>;
  /** Entries matching `q`. */
  list(q?: AuditQuery): Promise<readonly AuditEntryRow[]>;
  /** The last entry, or undefined. */
  head(): Promise<AuditEntryRow | undefined>;
  /** Number of entries stored. */
  count(): Promise<number>;
  /** Stores an anchor (its seq is the key; storing the same seq again is ignored). */
  putAnchor(a: AuditAnchorRow): Promise<void>;
  /** Anchors ordered by seq. */
  listAnchors(): Promise<readonly AuditAnchorRow[]>;
}
