/** SQL implementation of {@link AuditStore}, shared by the SQLite and PostgreSQL control stores. */
import { sql } from 'kysely';
import type { AuditAnchorRow, AuditEntryDraft, AuditEntryRow, AuditHead, AuditQuery, AuditStore } from './audit-store.js';
import type { SqlOps } from './sql-ops.js';
import { checkInteger, checkText, toIso, toJsonObjectText } from './store-values.js';

const MAX_APPEND_ATTEMPTS = 20;
const DEFAULT_LIMIT = 1000;
/** Rows per INSERT statement: 12 parameters each stays far below SQLite's and PostgreSQL's limits. */
const INSERT_CHUNK_ROWS = 500;

/** The audit rows of one SQL control store. */
export class SqlAuditStore implements AuditStore {
  readonly #o: SqlOps;

  constructor(ops: SqlOps) {
    this.#o = ops;
  }

  async append(build: (head: AuditHead | undefined) => AuditEntryDraft): Promise<AuditEntryRow> {
    const [row] = await this.#appendMany('audit.append', (head) => [build(head)]);
    return row as AuditEntryRow;
  }

  appendBatch(build: (head: AuditHead | undefined) => readonly AuditEntryDraft[]): Promise<readonly AuditEntryRow[]> {
    return this.#appendMany('audit.appendBatch', build);
  }

  /**
   * One write transaction (SQLite: `BEGIN IMMEDIATE` under the file's process lock; PostgreSQL: a
   * transaction-scoped advisory lock queues appenders, and the primary key on seq still backs it: a
   * writer that lost a race on the same seqs retries on the new head): read the head, build, insert
   * every draft.
   */
  async #appendMany(op: string, build: (head: AuditHead | undefined) => readonly AuditEntryDraft[]): Promise<readonly AuditEntryRow[]> {
    this.#o.assertOpen(op);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#o.run(op, () => this.#o.write(() => this.#o.db.transaction().execute(async (trx) => {
          await this.#o.lockAuditAppends?.(trx);
          const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
          const head = last === undefined ? undefined : { seq: Number(last.seq), hash: String(last.hash) };
          const drafts = build(head);
          const first = (head?.seq ?? 0) + 1;
          const values = drafts.map((d, i) => {
            for (const k of ['actor', 'action', 'target', 'outcome', 'requestId', 'prevHash', 'hash', 'mac'] as const) checkText(d[k], 'an audit entry', k);
            return {
              seq: first + i, ts: d.ts, actor: d.actor, action: d.action, target: d.target, outcome: d.outcome, request_id: d.requestId,
              details: d.details === null ? null : toJsonObjectText(d.details, 'an audit entry', 'details'),
              prev_hash: d.prevHash, hash: d.hash, mac: d.mac, key_version: d.keyVersion,
            };
          });
          for (let i = 0; i < values.length; i += INSERT_CHUNK_ROWS) {
            await trx.insertInto('audit_log').values(values.slice(i, i + INSERT_CHUNK_ROWS)).execute();
          }
          return Object.freeze(drafts.map((d, i) => Object.freeze({ ...d, seq: first + i })));
        })));
      } catch (err) {
        // Another writer extended the same head (PostgreSQL; SQLite writers are serialised): rebuild on the new head.
        const cause = (err as { cause?: unknown }).cause;
        if (attempt < MAX_APPEND_ATTEMPTS && (this.#o.isUniqueViolation(err) || this.#o.isUniqueViolation(cause))) continue;
        throw err;
      }
    }
  }

  async list(q: AuditQuery = {}): Promise<readonly AuditEntryRow[]> {
    this.#o.assertOpen('audit.list');
    const limit = checkInteger(q.limit ?? DEFAULT_LIMIT, 'an audit query', 'limit', 1);
    const rows = await this.#o.run('audit.list', () => this.#o.db.selectFrom('audit_log').selectAll()
      .$if(q.fromSeq !== undefined, (b) => b.where('seq', '>=', q.fromSeq ?? 0))
      .$if(q.toSeq !== undefined, (b) => b.where('seq', '<=', q.toSeq ?? 0))
      .$if(q.action !== undefined, (b) => b.where('action', '=', q.action ?? ''))
      .$if(q.actor !== undefined, (b) => b.where('actor', '=', q.actor ?? ''))
      .$if(q.outcome !== undefined, (b) => b.where('outcome', '=', q.outcome ?? ''))
      .$if(q.targetContains !== undefined, (b) => b.where(sql<boolean>`${sql.ref('target')} like ${`%${escapeLike(q.targetContains ?? '')}%`} escape '\\'`))
      .$if(q.since !== undefined, (b) => b.where('ts', '>=', q.since ?? ''))
      .$if(q.until !== undefined, (b) => b.where('ts', '<=', q.until ?? ''))
      .orderBy('seq', q.order ?? 'asc').limit(limit).execute());
    return Object.freeze(rows.map((r) => this.#decode(r)));
  }

  async head(): Promise<AuditEntryRow | undefined> {
    const [row] = await this.list({ order: 'desc', limit: 1 });
    return row;
  }

  async count(): Promise<number> {
    this.#o.assertOpen('audit.count');
    const row = await this.#o.run('audit.count', () => this.#o.db.selectFrom('audit_log')
      .select((eb) => eb.fn.countAll().as('n')).executeTakeFirst());
    return Number(row?.n ?? 0);
  }

  async putAnchor(a: AuditAnchorRow): Promise<void> {
    this.#o.assertOpen('audit.putAnchor');
    checkText(a.headHash, 'an audit anchor', 'headHash');
    checkText(a.mac, 'an audit anchor', 'mac');
    await this.#o.run('audit.putAnchor', () => this.#o.write(() => this.#o.db.insertInto('audit_anchors').values({
      seq: a.seq, head_hash: a.headHash, entry_count: a.entryCount, ts: a.ts, mac: a.mac, key_version: a.keyVersion,
    }).onConflict((oc) => oc.column('seq').doNothing()).execute()));
  }

  async listAnchors(): Promise<readonly AuditAnchorRow[]> {
    this.#o.assertOpen('audit.listAnchors');
    const rows = await this.#o.run('audit.listAnchors', () => this.#o.db.selectFrom('audit_anchors').selectAll().orderBy('seq').execute());
    return Object.freeze(rows.map((r) => Object.freeze({
      seq: Number(r.seq), headHash: String(r.head_hash), entryCount: Number(r.entry_count), ts: toIso(r.ts),
      mac: String(r.mac), keyVersion: Number(r.key_version),
    })));
  }

  #decode(r: Record<string, unknown>): AuditEntryRow {
    const details = this.#o.json(r['details']);
    return Object.freeze({
      seq: Number(r['seq']), ts: toIso(r['ts']), actor: String(r['actor']), action: String(r['action']),
      target: String(r['target']), outcome: String(r['outcome']), requestId: String(r['request_id']),
      details: details === null ? null : Object.freeze(details as Record<string, unknown>),
      prevHash: String(r['prev_hash']), hash: String(r['hash']), mac: String(r['mac']), keyVersion: Number(r['key_version']),
    });
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
