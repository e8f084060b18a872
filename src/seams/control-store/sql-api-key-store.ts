/** SQL implementation of {@link ApiKeyStore}, shared by the SQLite and PostgreSQL control stores. */
import { StoreConflict, StoreValueInvalid } from '../store-errors.js';
import type { ApiKeyRow, ApiKeyStore, NewApiKeyRow } from './api-key-store.js';
import type { SqlOps } from './sql-ops.js';
import { checkText, toIso, toIsoTimestamp, toJsonText } from './store-values.js';

const WHAT = 'an API key';
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : toIso(v));

/** The API key rows of one SQL control store. */
export class SqlApiKeyStore implements ApiKeyStore {
  readonly #o: SqlOps;

  constructor(ops: SqlOps) {
    this.#o = ops;
  }

  #values(k: NewApiKeyRow): Record<string, string | null> {
    for (const f of ['id', 'name', 'role', 'hash', 'createdBy'] as const) checkText(k[f], WHAT, f);
    if (!Array.isArray(k.scopes) || k.scopes.some((s) => typeof s !== 'string' || s.length === 0)) {
      throw StoreValueInvalid({ what: WHAT, path: 'scopes', reason: 'must be an array of non-empty strings' });
    }
    return {
      id: k.id, name: k.name, role: k.role, scopes: toJsonText([...k.scopes], WHAT, 'scopes'), hash: k.hash,
      created_at: toIsoTimestamp(k.createdAt, WHAT, 'createdAt'), created_by: k.createdBy,
      expires_at: k.expiresAt === null ? null : toIsoTimestamp(k.expiresAt, WHAT, 'expiresAt'),
    };
  }

  async insert(k: NewApiKeyRow): Promise<void> {
    this.#o.assertOpen('apiKeys.insert');
    const values = this.#values(k);
    try {
      await this.#o.run('apiKeys.insert', () => this.#o.write(() => this.#o.db.insertInto('api_keys').values(values as never).execute()));
    } catch (err) {
      throw this.#conflict(err, 'apiKeys.insert', `key id \`${k.id}\` exists`);
    }
  }

  async get(id: string): Promise<ApiKeyRow | undefined> {
    this.#o.assertOpen('apiKeys.get');
    const row = await this.#o.run('apiKeys.get', () => this.#o.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst());
    return row === undefined ? undefined : this.#decode(row);
  }

  async list(): Promise<readonly ApiKeyRow[]> {
    this.#o.assertOpen('apiKeys.list');
    const rows = await this.#o.run('apiKeys.list', () => this.#o.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute());
    return Object.freeze(rows.map((r) => this.#decode(r)));
  }

  async revoke(id: string, at: string, by: string): Promise<boolean> {
    this.#o.assertOpen('apiKeys.revoke');
    const when = toIsoTimestamp(at, WHAT, 'revokedAt');
    checkText(by, WHAT, 'revokedBy');
    const res = await this.#o.run('apiKeys.revoke', () => this.#o.write(() => this.#o.db.updateTable('api_keys')
      .set({ revoked_at: when, revoked_by: by })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', when)]))
      .executeTakeFirst()));
    return Number(res.numUpdatedRows) === 1;
  }

  async rotate(oldId: string, revokeAt: string, by: string, next: NewApiKeyRow): Promise<void> {
    this.#o.assertOpen('apiKeys.rotate');
    const when = toIsoTimestamp(revokeAt, WHAT, 'revokedAt');
    checkText(by, WHAT, 'revokedBy');
    const values = this.#values(next);
    try {
      await this.#o.run('apiKeys.rotate', () => this.#o.write(() => this.#o.db.transaction().execute(async (trx) => {
        const res = await trx.updateTable('api_keys').set({ revoked_at: when, revoked_by: by, replaced_by: next.id })
          .where('id', '=', oldId).where('revoked_at', 'is', null).executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1) {
          throw StoreConflict({ store: this.#o.kind, op: 'apiKeys.rotate', reason: `key \`${oldId}\` does not exist or is already revoked` });
        }
        await trx.insertInto('api_keys').values(values as never).execute();
      })));
    } catch (err) {
      throw this.#conflict(err, 'apiKeys.rotate', `key id \`${next.id}\` exists`);
    }
  }

  async touch(id: string, at: string, staleBefore: string): Promise<void> {
    this.#o.assertOpen('apiKeys.touch');
    const when = toIsoTimestamp(at, WHAT, 'lastUsedAt');
    const stale = toIsoTimestamp(staleBefore, WHAT, 'staleBefore');
    await this.#o.run('apiKeys.touch', () => this.#o.write(() => this.#o.db.updateTable('api_keys').set({ last_used_at: when })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', stale)]))
      .execute()));
  }

  /** A unique violation (directly or as the cause of a mapped store error) becomes TRB_STORE_CONFLICT. */
  #conflict(err: unknown, op: string, reason: string): unknown {
    const cause = (err as { cause?: unknown }).cause;
    if (this.#o.isUniqueViolation(err) || this.#o.isUniqueViolation(cause)) return StoreConflict({ store: this.#o.kind, op, reason }, err);
    return err;
  }

  #decode(r: Record<string, unknown>): ApiKeyRow {
    const scopes = this.#o.json(r['scopes']);
    return Object.freeze({
      id: String(r['id']), name: String(r['name']), role: String(r['role']),
      scopes: Object.freeze(Array.isArray(scopes) ? scopes.map(String) : []),
      hash: String(r['hash']), createdAt: toIso(r['created_at']), createdBy: String(r['created_by']),
      expiresAt: isoOrNull(r['expires_at']), revokedAt: isoOrNull(r['revoked_at']),
      revokedBy: r['revoked_by'] === null || r['revoked_by'] === undefined ? null : String(r['revoked_by']),
      replacedBy: r['replaced_by'] === null || r['replaced_by'] === undefined ? null : String(r['replaced_by']),
      lastUsedAt: isoOrNull(r['last_used_at']),
    });
  }
}
