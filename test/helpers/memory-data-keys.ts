/**
 * An in-memory {@link DataKeys} for tests: random 32-byte keys (node:crypto), several versions per
 * name, `rotate()` to add one, `seal()` to make every call fail as a sealed vault does. Errors carry
 * the vault's codes (`TRB_SECRET_NOT_FOUND`, `TRB_SECRET_KIND_MISMATCH`, `TRB_SECRET_SEALED`) without
 * registering them (the vault module defines them).
 */
import { randomBytes } from 'node:crypto';
import { TributaryError } from '../../src/core/errors.js';
import type { DataKey, DataKeyKind, DataKeys } from '../../src/security/vault/data-keys.js';

const fail = (code: string, message: string): TributaryError => new TributaryError(code, message, { family: 'secret' });

/** Data keys held in memory. */
export class MemoryDataKeys implements DataKeys {
  readonly #keys = new Map<string, DataKey[]>();
  #sealed = false;
  /** Number of calls to `current`, `version` and `all`. */
  calls = 0;

  current(name: string, kind: DataKeyKind, opts: { readonly create?: boolean } = {}): Promise<DataKey> {
    return this.#call(() => {
      const versions = this.#keys.get(name);
      if (versions === undefined) {
        if (!opts.create) throw fail('TRB_SECRET_NOT_FOUND', `Data key \`${name}\` not found`);
        return this.#add(name, kind);
      }
      const last = versions[versions.length - 1]!;
      if (last.kind !== kind) throw fail('TRB_SECRET_KIND_MISMATCH', `Data key \`${name}\` is a ${last.kind} key, not ${kind}`);
      return last;
    });
  }

  version(name: string, version: number): Promise<DataKey> {
    return this.#call(() => {
      const k = this.#keys.get(name)?.find((v) => v.version === version);
      if (k === undefined) throw fail('TRB_SECRET_NOT_FOUND', `Data key \`${name}\` version ${version} not found`);
      return k;
    });
  }

  all(name: string): Promise<readonly DataKey[]> {
    return this.#call(() => [...(this.#keys.get(name) ?? [])]);
  }

  /** Adds a new version of `name` (created as `kind` when missing) and returns it. */
  rotate(name: string, kind: DataKeyKind = 'audit'): DataKey {
    return this.#add(name, this.#keys.get(name)?.[0]?.kind ?? kind);
  }

  /** Makes every later call fail (`TRB_SECRET_SEALED`) until {@link unseal}. */
  seal(): void { this.#sealed = true; }
  unseal(): void { this.#sealed = false; }

  #add(name: string, kind: DataKeyKind): DataKey {
    const versions = this.#keys.get(name) ?? [];
    const key: DataKey = Object.freeze({ name, kind, version: versions.length + 1, material: randomBytes(32), meta: Object.freeze({}) });
    this.#keys.set(name, [...versions, key]);
    return key;
  }

  async #call<T>(fn: () => T): Promise<T> {
    this.calls++;
    if (this.#sealed) throw fail('TRB_SECRET_SEALED', 'The vault is sealed');
    return fn();
  }
}
