/**
 * The JSON-lines copy of the audit log (`<data_dir>/audit/audit.jsonl`), for shipping to a log
 * collector or WORM storage. One stored entry per line, written after the entry is committed to the
 * control store, which stays the source of truth (`tributary audit verify` reads the store). The
 * directory is created 0700 and the file 0600, and both are narrowed to those modes when they exist.
 * Lines of one process are in seq order; several processes appending to one file may interleave
 * their lines, so consumers order by `seq`.
 */
import { chmod, mkdir, appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEntryRow } from '../../seams/control-store/audit-store.js';

/** Appends stored entries to one JSONL file. */
export class AuditMirror {
  /** Absolute path of the file. */
  readonly path: string;
  #prepared: Promise<void> | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /**
   * Appends `row` as one line: `{"seq":..,"ts":..,"actor":..,"action":..,"target":..,"outcome":..,
   * "requestId":..,"details":..,"prevHash":..,"hash":..,"mac":..,"keyVersion":..}`. Rejects with
   * the file-system error (the caller reports it; the entry is already in the store).
   */
  append(row: AuditEntryRow): Promise<void> {
    return this.appendAll([row]);
  }

  /** Appends `rows` (in the order given) as lines like {@link append}, in one write. */
  async appendAll(rows: readonly AuditEntryRow[]): Promise<void> {
    this.#prepared ??= this.#prepare().catch((err: unknown) => { this.#prepared = undefined; throw err; });
    await this.#prepared;
    const text = rows.map((row) => `${JSON.stringify({
      seq: row.seq, ts: row.ts, actor: row.actor, action: row.action, target: row.target, outcome: row.outcome,
      requestId: row.requestId, details: row.details, prevHash: row.prevHash, hash: row.hash, mac: row.mac, keyVersion: row.keyVersion,
    })}\n`).join('');
    await appendFile(this.path, text, { mode: 0o600, flag: 'a' });
  }

  async #prepare(): Promise<void> {
    const dir = dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    await appendFile(this.path, '', { mode: 0o600, flag: 'a' });
    await chmod(this.path, 0o600);
  }
}
