/** SQL implementation of {@link WireUserStore}, shared by the SQLite and PostgreSQL control stores. */
import { StoreConflict } from '../store-errors.js';
import type { SqlOps } from './sql-ops.js';
import { checkInteger, checkText, toIso } from './store-values.js';
import type { NewWireUserRow, ScramVerifierRow, WireUserRow, WireUserStore } from './wire-user-store.js';

const WHAT = 'a wire user';

function verifierColumns(v: ScramVerifierRow): { salt: string; iterations: number; stored_key: string; server_key: string } {
  checkText(v.salt, WHAT, 'verifier.salt');
  checkInteger(v.iterations, WHAT, 'verifier.iterations', 4096);
  checkText(v.storedKey, WHAT, 'verifier.storedKey');
  checkText(v.serverKey, WHAT, 'verifier.serverKey');
  return { salt: v.salt, iterations: v.iterations, stored_key: v.storedKey, server_key: v.serverKey };
}

/** The wire user rows of one SQL control store. */
export class SqlWireUserStore implements WireUserStore {
  readonly #o: SqlOps;

  constructor(ops: SqlOps) {
    this.#o = ops;
  }

  async create(u: NewWireUserRow): Promise<void> {
    this.#o.assertOpen('wireUsers.create');
    for (const f of ['name', 'role', 'createdBy'] as const) checkText(u[f], WHAT, f);
    const now = new Date().toISOString();
    const values = { name: u.name, role: u.role, ...verifierColumns(u.verifier), created_at: now, created_by: u.createdBy, updated_at: now };
    try {
      await this.#o.run('wireUsers.create', () => this.#o.write(() => this.#o.db.insertInto('wire_users').values(values).execute()));
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      if (this.#o.isUniqueViolation(err) || this.#o.isUniqueViolation(cause)) {
        throw StoreConflict({ store: this.#o.kind, op: 'wireUsers.create', reason: `user \`${u.name}\` exists` }, err);
      }
      throw err;
    }
  }

  async get(name: string): Promise<WireUserRow | undefined> {
    this.#o.assertOpen('wireUsers.get');
    const row = await this.#o.run('wireUsers.get', () => this.#o.db.selectFrom('wire_users').selectAll().where('name', '=', name).executeTakeFirst());
    return row === undefined ? undefined : decode(row);
  }

  async list(): Promise<readonly WireUserRow[]> {
    this.#o.assertOpen('wireUsers.list');
    const rows = await this.#o.run('wireUsers.list', () => this.#o.db.selectFrom('wire_users').selectAll().orderBy('name').execute());
    return Object.freeze(rows.map(decode));
  }

  async setVerifier(name: string, verifier: ScramVerifierRow): Promise<boolean> {
    this.#o.assertOpen('wireUsers.setVerifier');
    const cols = verifierColumns(verifier);
    const res = await this.#o.run('wireUsers.setVerifier', () => this.#o.write(() => this.#o.db.updateTable('wire_users')
      .set({ ...cols, updated_at: new Date().toISOString() }).where('name', '=', name).executeTakeFirst()));
    return Number(res.numUpdatedRows) === 1;
  }

  async remove(name: string): Promise<boolean> {
    this.#o.assertOpen('wireUsers.remove');
    const res = await this.#o.run('wireUsers.remove', () => this.#o.write(() => this.#o.db.deleteFrom('wire_users').where('name', '=', name).executeTakeFirst()));
    return Number(res.numDeletedRows) === 1;
  }
}

function decode(r: Record<string, unknown>): WireUserRow {
  return Object.freeze({
    name: String(r['name']), role: String(r['role']),
    verifier: Object.freeze({ salt: String(r['salt']), iterations: Number(r['iterations']), storedKey: String(r['stored_key']), serverKey: String(r['server_key']) }),
    createdAt: toIso(r['created_at']), createdBy: String(r['created_by']), updatedAt: toIso(r['updated_at']),
  });
}
