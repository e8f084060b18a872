/** SQL implementation of {@link VaultStore}, shared by the SQLite and PostgreSQL control stores. */
import { StoreConflict, StoreValueInvalid } from '../store-errors.js';
import type { SqlOps } from './sql-ops.js';
import { checkInteger, checkText, toIso, toJsonObjectText } from './store-values.js';
import { VAULT_KINDS } from './vault-store.js';
import type { NewVaultVersion, VaultKind, VaultStore, VaultVersion } from './vault-store.js';

const MAX_PUT_ATTEMPTS = 5;

/** The vault rows of one SQL control store. */
export class SqlVaultStore implements VaultStore {
  readonly #o: SqlOps;

  constructor(ops: SqlOps) {
    this.#o = ops;
  }

  async putVersion(v: NewVaultVersion, opts: { readonly expectVersion?: number } = {}): Promise<number> {
    this.#o.assertOpen('vault.putVersion');
    checkText(v.name, 'a vault entry', 'name');
    checkText(v.ciphertext, 'a vault entry', 'ciphertext');
    checkText(v.wrappedKey, 'a vault entry', 'wrappedKey');
    checkText(v.masterKeyId, 'a vault entry', 'masterKeyId');
    checkText(v.createdBy, 'a vault entry', 'createdBy');
    if (!(VAULT_KINDS as readonly string[]).includes(v.kind)) {
      throw StoreValueInvalid({ what: 'a vault entry', path: 'kind', reason: `must be one of ${VAULT_KINDS.join(', ')}` });
    }
    if (v.rotateAfterDays !== null) checkInteger(v.rotateAfterDays, 'a vault entry', 'rotateAfterDays', 1);
    const meta = v.meta === null ? null : toJsonObjectText(v.meta, 'a vault entry', 'meta');
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#o.run('vault.putVersion', () => this.#o.write(() => this.#o.db.transaction().execute(async (trx) => {
          const last = await trx.selectFrom('vault_entries').select(['version', 'kind']).where('name', '=', v.name)
            .orderBy('version', 'desc').limit(1).executeTakeFirst();
          const latest = last === undefined ? 0 : Number(last.version);
          if (opts.expectVersion !== undefined && opts.expectVersion !== latest) {
            throw StoreConflict({ store: this.#o.kind, op: 'vault.putVersion', reason: `\`${v.name}\` is at version ${latest}, expected ${opts.expectVersion}` });
          }
          if (last !== undefined && last.kind !== v.kind) {
            throw StoreConflict({ store: this.#o.kind, op: 'vault.putVersion', reason: `\`${v.name}\` holds a ${last.kind}, not a ${v.kind}` });
          }
          const version = latest + 1;
          await trx.insertInto('vault_entries').values({
            name: v.name, version, kind: v.kind, ciphertext: v.ciphertext, wrapped_key: v.wrappedKey,
            master_key_id: v.masterKeyId, created_at: new Date().toISOString(), created_by: v.createdBy,
            rotate_after_days: v.rotateAfterDays, meta,
          }).execute();
          return version;
        })));
      } catch (err) {
        // Two writers computed the same next version: the loser retries on the new head.
        const cause = (err as { cause?: unknown }).cause;
        if (attempt < MAX_PUT_ATTEMPTS && (this.#o.isUniqueViolation(err) || this.#o.isUniqueViolation(cause))) continue;
        throw err;
      }
    }
  }

  async getVersion(name: string, version?: number): Promise<VaultVersion | undefined> {
    this.#o.assertOpen('vault.getVersion');
    const row = await this.#o.run('vault.getVersion', () => this.#o.db.selectFrom('vault_entries').selectAll()
      .where('name', '=', name)
      .$if(version !== undefined, (b) => b.where('version', '=', version ?? 0))
      .orderBy('version', 'desc').limit(1).executeTakeFirst());
    return row === undefined ? undefined : this.#decode(row);
  }

  async listVersions(name?: string): Promise<readonly VaultVersion[]> {
    this.#o.assertOpen('vault.listVersions');
    const rows = await this.#o.run('vault.listVersions', () => this.#o.db.selectFrom('vault_entries').selectAll()
      .$if(name !== undefined, (b) => b.where('name', '=', name ?? ''))
      .orderBy('name').orderBy('version').execute());
    return Object.freeze(rows.map((r) => this.#decode(r)));
  }

  async remove(name: string): Promise<number> {
    this.#o.assertOpen('vault.remove');
    const res = await this.#o.run('vault.remove', () => this.#o.write(() =>
      this.#o.db.deleteFrom('vault_entries').where('name', '=', name).executeTakeFirst()));
    return Number(res.numDeletedRows);
  }

  async rewrap(name: string, version: number, fromMasterKeyId: string, wrappedKey: string, toMasterKeyId: string): Promise<boolean> {
    this.#o.assertOpen('vault.rewrap');
    checkText(wrappedKey, 'a vault entry', 'wrappedKey');
    checkText(toMasterKeyId, 'a vault entry', 'masterKeyId');
    const res = await this.#o.run('vault.rewrap', () => this.#o.write(() => this.#o.db.updateTable('vault_entries')
      .set({ wrapped_key: wrappedKey, master_key_id: toMasterKeyId })
      .where('name', '=', name).where('version', '=', version).where('master_key_id', '=', fromMasterKeyId)
      .executeTakeFirst()));
    return Number(res.numUpdatedRows) === 1;
  }

  #decode(r: Record<string, unknown>): VaultVersion {
    const meta = this.#o.json(r['meta']);
    return Object.freeze({
      name: String(r['name']), version: Number(r['version']), kind: String(r['kind']) as VaultKind,
      ciphertext: String(r['ciphertext']), wrappedKey: String(r['wrapped_key']), masterKeyId: String(r['master_key_id']),
      createdAt: toIso(r['created_at']), createdBy: String(r['created_by']),
      rotateAfterDays: r['rotate_after_days'] === null || r['rotate_after_days'] === undefined ? null : Number(r['rotate_after_days']),
      meta: meta === null ? null : Object.freeze(meta as Record<string, unknown>),
    });
  }
}
