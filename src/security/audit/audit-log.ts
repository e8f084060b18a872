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
}

/** Name and kind of the audit key in the vault. */
export const AUDIT_KEY = { name: 'audit', kind: 'audit' } as const;

type Fields = Pick<AuditEntryDraft, 'actor' | 'action' | 'target' | 'outcome' | 'requestId' | 'details'>;

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Writes and verifies the audit log. Safe for concurrent use: writes of one instance are queued (so
 * its mirror lines come in seq order), and several instances, processes or hosts may append to one
 * store (the store serialises appends; every entry still chains to the one before it).
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
  #tail: Promise<unknown> = Promise.resolve();

  constructor(o: AuditLogOptions) {
    this.#store = o.store;
    this.#keys = o.keys;
    this.#mirror = o.mirrorPath === undefined ? undefined : new AuditMirror(o.mirrorPath);
    this.failClosed = o.failClosed;
    this.#log = o.log ?? ((msg) => { process.stderr.write(`audit: ${msg}\n`); });
    this.#anchorEvery = o.anchorEvery ?? 1000;
    this.#timeoutMs = o.writeTimeoutMs ?? 5000;
  }

  /**
   * Appends `event` (see {@link AuditTrail.record}). Resolves once the entry is in the store (and the
   * mirror). A failed or timed-out write (`writeTimeoutMs`) rejects with `TRB_AUDIT_WRITE_FAILED`
   * only for a privileged event in fail-closed mode — and then the entry is not written later either
   * unless its write had already started; in every other case the failure is reported through `log`
   * and the promise resolves. Never throws synchronously.
   */
  async record(event: AuditEvent, opts: { readonly privileged?: boolean } = {}): Promise<void> {
    const strict = opts.privileged === true && this.failClosed;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const work = this.#write(event, () => strict && timedOut);
    const timeout = new Promise<never>((_ok, reject) => {
      timer = setTimeout(() => { timedOut = true; reject(new Error(`not confirmed within ${this.#timeoutMs} ms`)); }, this.#timeoutMs);
    });
    try {
      await Promise.race([work, timeout]);
    } catch (err) {
      const what = `\`${String(event?.action)}\` on \`${String(event?.target)}\``;
      if (timedOut) work.catch((late: unknown) => this.#log(`Audit entry ${what} failed after the timeout: ${reasonOf(late)}`));
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
    await this.#tail;
  }

  #auditKey(): Promise<DataKey> {
    return this.#keys.current(AUDIT_KEY.name, AUDIT_KEY.kind, { create: true });
  }

  async #write(event: AuditEvent, abandoned: () => boolean): Promise<void> {
    const fields: Fields = {
      actor: storableText(event.actor), action: storableText(event.action), target: storableText(event.target),
      outcome: storableText(event.outcome), requestId: storableText(event.requestId ?? randomUUID()),
      details: toAuditDetails(event.details),
    };
    // Fetched outside the queue: the vault may audit the key's creation, which must not wait behind this write.
    const key = await this.#auditKey();
    const task = this.#tail.then(async () => {
      if (abandoned()) throw new Error('abandoned after the timeout');
      const row = await this.#store.append((head) => draft(head, fields, key));
      await this.#afterAppend(row, key);
    });
    this.#tail = task.catch(() => undefined);
    await task;
  }

  async #afterAppend(row: AuditEntryRow, key: DataKey): Promise<void> {
    if (this.#mirror) {
      try { await this.#mirror.append(row); } catch (err) {
        this.#log(`Audit entry ${row.seq} is in the control store but not in the mirror ${this.#mirror.path}: ${reasonOf(err)}`);
      }
    }
    if (this.#anchorEvery > 0 && row.seq % this.#anchorEvery === 0) {
      try { await this.#store.putAnchor(makeAnchor(row, key)); } catch (err) {
        this.#log(`The audit anchor at entry ${row.seq} was not stored: ${reasonOf(err)}`);
      }
    }
  }
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
