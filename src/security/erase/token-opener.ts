/**
 * Opens `enc:v1:` field tokens for matching. A token only decrypts under the dataset and field it
 * was bound to, which a stored row does not say, so each candidate dataset is tried (a wrong one
 * fails authentication; it never yields a wrong value). Keys are read from the vault once per
 * version. Used only to decide whether a value is the person's: plaintexts never leave memory.
 */
import { isTributaryError } from '../../core/errors.js';
import { decryptField, parseFieldToken, type FieldKey } from '../crypto/field-cipher.js';
import type { DataKeys } from '../vault/data-keys.js';

/** Decrypts field tokens against several candidate datasets, counting what it could not open. */
export class TokenOpener {
  readonly #keys: DataKeys;
  readonly #datasets: readonly string[];
  readonly #fieldKeys = new Map<string, FieldKey | null>();
  /** Per field, the dataset that opened the last token (tried first). */
  readonly #lastDataset = new Map<string, string>();
  #opened = 0;
  #failed = 0;

  /** `datasets`: dataset names tokens may be bound to, most likely first. */
  constructor(keys: DataKeys, datasets: readonly string[]) {
    this.#keys = keys;
    this.#datasets = [...new Set(datasets)];
  }

  /** Tokens decrypted so far. */
  get opened(): number { return this.#opened; }
  /** Tokens that no candidate dataset or key version could open (kept: they cannot be matched). */
  get failed(): number { return this.#failed; }

  /**
   * The plaintext of `token` stored in field `field` (trying `extraDatasets` too), or undefined when
   * it is malformed, its key version is not in the vault, or no dataset authenticates it. Vault
   * errors other than a missing key (a sealed vault) propagate.
   */
  async open(token: string, field: string, extraDatasets: readonly string[] = []): Promise<string | undefined> {
    let key: FieldKey | null;
    try {
      const t = parseFieldToken(token, field);
      key = await this.#fieldKey(t.keyName, t.keyVersion);
    } catch (err) {
      if (!isTributaryError(err) || err.code !== 'TRB_SECRET_TOKEN_INVALID') throw err;
      key = null;
    }
    if (key !== null) {
      const last = this.#lastDataset.get(field);
      const order = [...new Set([...(last === undefined ? [] : [last]), ...this.#datasets, ...extraDatasets])];
      for (const dataset of order) {
        try {
          const plain = decryptField(token, key, { dataset, field });
          this.#lastDataset.set(field, dataset);
          this.#opened++;
          return plain;
        } catch { /* another dataset, or not openable at all */ }
      }
    }
    this.#failed++;
    return undefined;
  }

  async #fieldKey(name: string, version: number): Promise<FieldKey | null> {
    const id = `${name}@${version}`;
    if (this.#fieldKeys.has(id)) return this.#fieldKeys.get(id)!;
    let key: FieldKey | null = null;
    try {
      const k = await this.#keys.version(name, version);
      if (k.kind === 'field') key = { name: k.name, version: k.version, material: k.material };
    } catch (err) {
      if (!isTributaryError(err) || (err.code !== 'TRB_SECRET_NOT_FOUND' && err.code !== 'TRB_SECRET_KIND_MISMATCH')) throw err;
    }
    this.#fieldKeys.set(id, key);
    return key;
  }
}
