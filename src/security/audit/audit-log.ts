/**
 * The audit log: an append-only, hash-chained and HMAC-keyed sequence of entries in the control
 * store (`ControlStore.audit`), mirrored as JSON lines, with periodic signed anchors of the chain
 * head. The chain arithmetic is in `audit-hash.ts`, verification in `verify-audit-chain.ts`; the
 * format and the threat model are documented in docs/security/audit.md.
 */
import { randomUUID } from 'node:crypto';
import type { AuditAnchorRow, AuditEntryDraft, AuditEntryRow, AuditHead, AuditStore } from '../../seams/control-store/audit-store.js';
import type { DataKey, DataKeys } from '../vault/data-keys.js';
import type { AuditEvent, AuditTrail } from './audit-trail.js';
import { toAuditDetails, storableText } from './audit-details.js';
import { anchorMac, entryHash, entryMac, GENESIS_HASH } from './audit-hash.js';
import { AuditMirror } from './audit-mirror.js';
import { AuditWriteFailed } from './errors.js';
import { verifyAuditChain, type AuditVerifyResult, type VerifyOptions } from './verify-audit-chain.js';

/** Options of {@link AuditLog}. */
export interface AuditLogOptions {
  /** Where entries and anchors are stored (`ControlStore.audit`). */
  readonly store: AuditStore;
  /** Holds the audit key: the data key named `audit` of kind `audit` (created on first use). */
  readonly keys: DataKeys;
  /** JSONL mirror file (`<data_dir>/audit/audit.jsonl`); no mirror when omitted. */
  readonly mirrorPath?: string;
  /** Reject privileged events whose entry cannot be written (`TRIBUTARY_AUDIT_FAIL_CLOSED=1`). */
  readonly failClosed: boolean;
  /** Where write failures are reported (default: a line on stderr). */
  readonly log?: (msg: string) => void;
  /** Store a signed anchor every this many entries (default 1000; 0 turns automatic anchors off). */
  readonly anchorEvery?: number;
  /** How long `record` waits for the write, in milliseconds (default 5000). */
  readonly writeTimeoutMs?: number;
  /** Most entries written in one store transaction (group commit); a positive integer, default 256. */
  readonly maxBatch?: number;
  /**
   * Most entries waiting for their transaction (a positive integer, default 10000). Beyond it
   * `record` waits for room before queueing (backpressure): non-privileged events are never dropped.
   */
  readonly maxPending?: number;
}

/** Name and kind of the audit key in the vault. */
export const AUDIT_KEY = { name: 'audit', kind: 'audit' } as const;

type Fields = Pick<AuditEntryDraft, 'actor' | 'action' | 'target' | 'outcome' | 'requestId' | 'details'>;

/** An entry waiting for its transaction, and how to tell its `record` call the result. */
interface Pending {
  readonly fields: Fields;
  readonly key: DataKey;
  /** True when it must not be written any more (a fail-closed privileged record that timed out). */
  readonly abandoned: () => boolean;
  readonly written: () => void;
  readonly failed: (err: unknown) => void;
}

/** A promise with its resolve and reject (Node 20 has no `Promise.withResolvers`). */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((ok, fail) => { resolve = ok; reject = fail; });
  return { promise, resolve, reject };
}

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Writes and verifies the audit log. Safe for concurrent use, with group commit: while one store
 * transaction runs, entries recorded meanwhile queue up and go together into the next transaction
 * (at most `maxBatch`), each chained to the one before it in arrival order; this instance's mirror
 * lines come in seq order. Several instances, processes or hosts may append to one store (the store
 * serialises transactions; every entry still chains to the one before it).
 *
 * Every write reads the audit key with `keys.current('audit', 'audit', { create: true })`. A
 * `DataKeys` implementation that audits through this log must therefore store a newly created audit
 * key before recording its creation, and must not record reads of the audit key itself (each
 * record would trigger another one, without end).
 */
export class AuditLog implements AuditTrail {
  /** Whether privileged events fail closed. */
  readonly failClosed: boolean;
  readonly #store: AuditStore;
  readonly #keys: DataKeys;
  readonly #mirror: AuditMirror | undefined;
  readonly #log: (msg: string) => void;
  readonly #anchorEvery: number;
  readonly #timeoutMs: number;
  readonly #maxBatch: number;
  readonly #maxPending: number;
  /** Entries waiting for a transaction, in arrival order. */
  #pending: Pending[] = [];
  /** The running writer loop, while there is one. */
  #writer: Promise<void> | undefined;
  /** Resolved (and replaced) whenever entries leave `#pending`: callers waiting for room re-check. */
  #room = deferred();
  #fullReported = false;

  constructor(o: AuditLogOptions) {
    this.#store = o.store;
    this.#keys = o.keys;
    this.#mirror = o.mirrorPath === undefined ? undefined : new AuditMirror(o.mirrorPath);
    this.failClosed = o.failClosed;
    this.#log = o.log ?? ((msg) => { process.stderr.write(`audit: ${msg}\n`); });
    this.#anchorEvery = o.anchorEvery ?? 1000;
    this.#timeoutMs = o.writeTimeoutMs ?? 5000;
    this.#maxBatch = Math.max(1, Math.floor(o.maxBatch ?? 256));
    this.#maxPending = Math.max(1, Math.floor(o.maxPending ?? 10_000));
  }

  /**
   * Appends `event` (see {@link AuditTrail.record}). Resolves once the entry is in the store (and the
   * mirror). A failed or timed-out write (`writeTimeoutMs`) rejects with `TRB_AUDIT_WRITE_FAILED`
   * only for a privileged event in fail-closed mode — and then the entry is not written later either
   * unless its transaction had already started; in every other case the failure is reported through
   * `log` and the promise resolves — but never before the entry is at least queued: while `maxPending`
   * entries wait, the call waits for room (backpressure) however long that takes. Never throws
   * synchronously.
   */
  async record(event: AuditEvent, opts: { readonly privileged?: boolean } = {}): Promise<void> {
    const strict = opts.privileged === true && this.failClosed;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const queued = deferred();
    const timeout = new Promise<never>((_ok, reject) => {
      timer = setTimeout(() => { timedOut = true; reject(new Error(`not confirmed within ${this.#timeoutMs} ms`)); }, this.#timeoutMs);
    });
    timeout.catch(() => undefined);
    const work = this.#write(event, () => strict && timedOut, strict ? timeout : undefined, queued.resolve);
    try {
      await Promise.race([work, timeout]);
    } catch (err) {
      const what = `\`${String(event?.action)}\` on \`${String(event?.target)}\``;
      if (timedOut) {
        work.catch((late: unknown) => this.#log(`Audit entry ${what} failed after the timeout: ${reasonOf(late)}`));
        // Backpressure: a non-privileged entry is released only once it holds a place in the bounded queue.
        if (!strict) await Promise.race([queued.promise, work.catch(() => undefined)]);
      }
      if (strict) throw AuditWriteFailed({ action: String(event?.action), target: String(event?.target), reason: reasonOf(err) }, err);
      this.#log(`Audit entry ${what} was not written: ${reasonOf(err)}${timedOut ? ' (the write continues in the background)' : ''}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Takes an anchor of the current head now (signed with the current audit key) and stores it.
   * Resolves with it, or with undefined when the log is empty. Store and vault errors reject.
   */
  async anchor(): Promise<AuditAnchorRow | undefined> {
    const head = await this.#store.head();
    if (head === undefined) return undefined;
    const key = await this.#auditKey();
    const a = makeAnchor(head, key);
    await this.#store.putAnchor(a);
    return a;
  }

  /** Verifies the chain and the anchors (see `verify-audit-chain.ts`). */
  verify(opts: VerifyOptions = {}): Promise<AuditVerifyResult> {
    return verifyAuditChain(this.#store, this.#keys, opts);
  }

  /** Resolves when every write queued so far (store, mirror, automatic anchor) has finished. */
  async flush(): Promise<void> {
    while (this.#writer !== undefined) await this.#writer;
  }

  #auditKey(): Promise<DataKey> {
    return this.#keys.current(AUDIT_KEY.name, AUDIT_KEY.kind, { create: true });
  }

  /**
   * Queues the entry of `event` (waiting for room while the queue is full; `giveUp` rejecting ends
   * that wait) and resolves once it is written. `abandoned()` turning true drops it before its
   * transaction starts.
   */
  async #write(event: AuditEvent, abandoned: () => boolean, giveUp: Promise<never> | undefined, onQueued: () => void): Promise<void> {
    const fields: Fields = {
      actor: storableText(event.actor), action: storableText(event.action), target: storableText(event.target),
      outcome: storableText(event.outcome), requestId: storableText(event.requestId ?? randomUUID()),
      details: toAuditDetails(event.details),
    };
    // Fetched outside the queue: the vault may audit the key's creation, which must not wait behind this write.
    const key = await this.#auditKey();
    while (this.#pending.length >= this.#maxPending) {
      if (!this.#fullReported) {
        this.#fullReported = true;
        this.#log(`${this.#pending.length} audit entries are waiting for the control store; new records wait for room (backpressure)`);
      }
      await (giveUp === undefined ? this.#room.promise : Promise.race([this.#room.promise, giveUp]));
    }
    if (abandoned()) throw new Error('abandoned after the timeout');
    const result = deferred();
    this.#pending.push({ fields, key, abandoned, written: result.resolve, failed: result.reject });
    onQueued();
    this.#startWriter();
    return result.promise;
  }

  /** Starts the writer loop unless it runs; restarts it if entries arrived as it was finishing. */
  #startWriter(): void {
    if (this.#writer !== undefined) return;
    this.#writer = this.#drain()
      .catch((err: unknown) => this.#log(`The audit writer stopped: ${reasonOf(err)}`))
      .finally(() => {
        this.#writer = undefined;
        if (this.#pending.length > 0) this.#startWriter();
      });
  }

  /** The writer loop: one transaction per batch until the queue is empty. */
  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const taken = this.#pending.splice(0, this.#maxBatch);
      this.#room.resolve();
      this.#room = deferred();
      if (this.#pending.length < this.#maxPending / 2) this.#fullReported = false;
      const batch = taken.filter((p) => {
        if (!p.abandoned()) return true;
        p.failed(new Error('abandoned after the timeout'));
        return false;
      });
      if (batch.length > 0) await this.#writeBatch(batch);
    }
  }

  /**
   * Writes `batch` in one transaction, then mirrors it and stores the anchors it crossed. When the
   * transaction fails, each entry is retried alone, so one unstorable entry fails only its own record.
   */
  async #writeBatch(batch: readonly Pending[]): Promise<void> {
    let rows: readonly AuditEntryRow[];
    try {
      rows = await this.#store.appendBatch((head) => chain(head, batch));
    } catch (err) {
      if (batch.length === 1) batch[0]!.failed(err);
      else for (const p of batch) await this.#writeBatch([p]);
      return;
    }
    await this.#afterAppend(rows, batch);
    for (const p of batch) p.written();
  }

  async #afterAppend(rows: readonly AuditEntryRow[], batch: readonly Pending[]): Promise<void> {
    if (this.#mirror && rows.length > 0) {
      try { await this.#mirror.appendAll(rows); } catch (err) {
        const range = rows.length === 1 ? `${rows[0]!.seq}` : `${rows[0]!.seq}..${rows[rows.length - 1]!.seq}`;
        this.#log(`Audit entries ${range} are in the control store but not in the mirror ${this.#mirror.path}: ${reasonOf(err)}`);
      }
    }
    if (this.#anchorEvery <= 0) return;
    for (const [i, row] of rows.entries()) {
      if (row.seq % this.#anchorEvery !== 0) continue;
      try { await this.#store.putAnchor(makeAnchor(row, batch[i]!.key)); } catch (err) {
        this.#log(`The audit anchor at entry ${row.seq} was not stored: ${reasonOf(err)}`);
      }
    }
  }
}

/** The drafts of `batch` in order, the first chained to `head` and each later one to the one before. */
function chain(head: AuditHead | undefined, batch: readonly Pending[]): AuditEntryDraft[] {
  let prev = head;
  return batch.map((p) => {
    const d = draft(prev, p.fields, p.key);
    prev = { seq: (prev?.seq ?? 0) + 1, hash: d.hash };
    return d;
  });
}

/** The draft chained to `head`, hashed and MACed with `key`. */
function draft(head: AuditHead | undefined, f: Fields, key: DataKey): AuditEntryDraft {
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  const ts = new Date().toISOString();
  const hash = entryHash({ seq, ts, ...f, prevHash });
  return { ts, ...f, prevHash, hash, mac: entryMac(key.material, hash), keyVersion: key.version };
}

/** A signed anchor of the entry `head` (entries 1..seq). */
function makeAnchor(head: AuditHead, key: DataKey): AuditAnchorRow {
  const unsigned = { seq: head.seq, headHash: head.hash, entryCount: head.seq, ts: new Date().toISOString() };
  return { ...unsigned, mac: anchorMac(key.material, unsigned), keyVersion: key.version };
}
