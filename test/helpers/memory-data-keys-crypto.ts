/**
 * An in-memory {@link DataKeys} for tests of encryption at rest: random keys from node:crypto and
 * real age identities (age-encryption's generateIdentity / identityToRecipient), versioned like the
 * vault's, with `rotate()` to add a version. Errors use the vault's codes (`TRB_SECRET_NOT_FOUND`,
 * `TRB_SECRET_KIND_MISMATCH`) without defining them (the vault module owns them).
 */
import { randomBytes } from 'node:crypto';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { TributaryError } from '../../src/core/errors.js';
import type { DataKey, DataKeyKind, DataKeys } from '../../src/security/vault/data-keys.js';

const notFound = (name: string): TributaryError =>
  new TributaryError('TRB_SECRET_NOT_FOUND', `Secret \`${name}\` does not exist in the vault`, { family: 'secret', status: 404 }, { secret: name });

/** A test DataKeys; `reads` counts version reads per name (to check what the engine fetched). */
export class MemoryDataKeys implements DataKeys {
  readonly #keys = new Map<string, DataKey[]>();
  readonly reads = new Map<string, number>();

  async current(name: string, kind: DataKeyKind, opts: { readonly create?: boolean } = {}): Promise<DataKey> {
    const versions = this.#keys.get(name);
    if (!versions?.length) {
      if (!opts.create) throw notFound(name);
      return this.rotate(name, kind);
    }
    const last = versions[versions.length - 1]!;
    if (last.kind !== kind) {
      throw new TributaryError('TRB_SECRET_KIND_MISMATCH', `Vault entry \`${name}\` is a ${last.kind} key, not a ${kind}`, { family: 'secret' }, { secret: name });
    }
    this.#count(name);
    return last;
  }

  async version(name: string, version: number): Promise<DataKey> {
    const k = this.#keys.get(name)?.find((v) => v.version === version);
    if (!k) throw notFound(name);
    this.#count(name);
    return k;
  }

  async all(name: string): Promise<readonly DataKey[]> {
    this.#count(name);
    return [...(this.#keys.get(name) ?? [])];
  }

  /** Adds the next version of `name` (version 1 when new) and returns it. */
  async rotate(name: string, kind: DataKeyKind = this.#keys.get(name)?.[0]?.kind ?? 'field'): Promise<DataKey> {
    const versions = this.#keys.get(name) ?? [];
    let material: Buffer;
    let meta: Record<string, unknown> = {};
    if (kind === 'age') {
      const identity = await generateIdentity();
      material = Buffer.from(identity, 'utf8');
      meta = { recipient: await identityToRecipient(identity) };
    } else {
      material = randomBytes(32);
    }
    const key: DataKey = Object.freeze({ name, kind, version: versions.length + 1, material, meta: Object.freeze(meta) });
    this.#keys.set(name, [...versions, key]);
    return key;
  }

  /** Deletes every version of `name` (simulates a lost key). */
  forget(name: string): void {
    this.#keys.delete(name);
  }

  #count(name: string): void {
    this.reads.set(name, (this.reads.get(name) ?? 0) + 1);
  }
}
