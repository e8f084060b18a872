/**
 * The secret vault. Every version of every entry is envelope-encrypted (`envelope.ts`): a random
 * data key encrypts the value, the master key provider wraps the data key, and only ciphertext
 * reaches the control store (`ControlStore.vault`). The vault serves two kinds of callers:
 * - users' secrets (`kind: 'secret'`): set from stdin or a prompt, read as {@link SecretValue};
 * - generated data keys for other components ({@link DataKeys}): pseudonymisation (`hmac`),
 *   field encryption (`field`), the audit key (`audit`) and age identities (`age`).
 * Secret reads and writes and key rotations are audited as privileged events; with a fail-closed
 * audit trail, an operation whose audit entry cannot be written is refused.
 *
 * Without a master key the vault is sealed: operations needing a value fail with
 * `TRB_SECRET_VAULT_SEALED` naming the secret and how to unseal; listing names still works.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { failpoint } from '../../core/failpoint.js';
import { SecretValue } from '../../core/secret-value.js';
import type { VaultKind, VaultStore, VaultVersion } from '../../seams/control-store/vault-store.js';
import { StoreConflict } from '../../seams/store-errors.js';
import type { AuditEvent, AuditTrail } from '../audit/audit-trail.js';
import { SecretInvalid, SecretKindMismatch, SecretNotFound, VaultSealed } from '../errors.js';
import type { DataKey, DataKeyKind, DataKeys } from './data-keys.js';
import { entryContext, newDataKey, openValue, sealValue } from './envelope.js';
import type { MasterKeyProvider } from './master-key/master-key-provider.js';

/** Valid entry names (the same rule as `${secret:NAME}`). */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
/** Largest secret value accepted, in bytes. */
export const MAX_SECRET_BYTES = 64 * 1024;
const PUT_ATTEMPTS = 5;

/** Metadata of one entry as listed (never a value). */
export interface VaultEntryInfo {
  readonly name: string;
  readonly kind: VaultKind;
  /** Latest version. */
  readonly version: number;
  readonly versions: number;
  /** ISO-8601 UTC of the first and the latest version. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  readonly rotateAfterDays: number | null;
  /** Master key ids wrapping the entry's versions. */
  readonly masterKeyIds: readonly string[];
  readonly meta: Readonly<Record<string, unknown>> | null;
}

/** Options of write operations. */
export interface WriteOptions {
  /** Who does it (audited), e.g. `cli:alice`. Default `engine`. */
  readonly actor?: string;
  /** Rotation policy in days, checked by `doctor`. */
  readonly rotateAfterDays?: number | null;
  readonly requestId?: string;
}

/** Progress of a master key rotation. */
export interface RotateMasterResult {
  readonly from: readonly string[];
  readonly to: string;
  readonly rewrapped: number;
  readonly alreadyCurrent: number;
}

/** Options of {@link Vault}. */
export interface VaultOptions {
  readonly store: VaultStore;
  readonly provider: MasterKeyProvider;
  readonly audit?: AuditTrail;
}

/** The vault of one deployment. Safe for concurrent use; several processes may share the store. */
export class Vault implements DataKeys {
  readonly #store: VaultStore;
  readonly #provider: MasterKeyProvider;
  readonly #audit: AuditTrail | undefined;
  /** Decrypted data keys by `name@version` (process memory only). */
  readonly #keyCache = new Map<string, DataKey>();

  constructor(opts: VaultOptions) {
    this.#store = opts.store;
    this.#provider = opts.provider;
    this.#audit = opts.audit;
  }

  /** The master key provider (for status output and doctor). */
  get provider(): MasterKeyProvider {
    return this.#provider;
  }

  /** True when a master key is available. */
  async unsealed(): Promise<boolean> {
    return this.#provider.available();
  }

  /** Stores a new version of the user secret `name` and returns its version number. */
  async set(name: string, value: string | Buffer, opts: WriteOptions = {}): Promise<number> {
    checkName(name);
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
    if (bytes.length === 0) throw SecretInvalid({ secret: name, reason: 'the value is empty' });
    if (bytes.length > MAX_SECRET_BYTES) throw SecretInvalid({ secret: name, reason: `the value is larger than ${MAX_SECRET_BYTES} bytes` });
    const event = { actor: opts.actor ?? 'engine', action: 'secret.write', target: name, ...(opts.requestId ? { requestId: opts.requestId } : {}) };
    return this.#audited(event, async () => {
      const version = await this.#put(name, 'secret', bytes, opts, null);
      return { result: version, details: { version, bytes: bytes.length } };
    });
  }

  /** The latest (or given) version of the user secret `name`. Audited as `secret.read`. */
  async get(name: string, opts: { readonly version?: number; readonly actor?: string; readonly purpose?: string; readonly requestId?: string } = {}): Promise<SecretValue> {
    const event = { actor: opts.actor ?? 'engine', action: 'secret.read', target: name, ...(opts.requestId ? { requestId: opts.requestId } : {}) };
    return this.#audited(event, async () => {
      const row = await this.#row(name, opts.version);
      if (row.kind !== 'secret') throw SecretKindMismatch({ secret: name, kind: row.kind, expected: 'secret' });
      const value = await this.#decrypt(row);
      return { result: SecretValue.of(value.toString('utf8'), name), details: { version: row.version, ...(opts.purpose ? { purpose: opts.purpose } : {}) } };
    });
  }

  /** Every entry's metadata, by name. Works while sealed. */
  async list(): Promise<readonly VaultEntryInfo[]> {
    const rows = await this.#store.listVersions();
    const byName = new Map<string, VaultVersion[]>();
    for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
    return [...byName.values()].map((versions) => {
      const first = versions[0] as VaultVersion;
      const last = versions[versions.length - 1] as VaultVersion;
      return Object.freeze({
        name: last.name, kind: last.kind, version: last.version, versions: versions.length,
        createdAt: first.createdAt, updatedAt: last.createdAt, updatedBy: last.createdBy, rotateAfterDays: last.rotateAfterDays,
        masterKeyIds: Object.freeze([...new Set(versions.map((v) => v.masterKeyId))]), meta: last.meta,
      });
    });
  }

  /** Deletes every version of `name` (crypto-shredding its values); returns the number of versions removed. */
  async remove(name: string, opts: WriteOptions = {}): Promise<number> {
    const event = { actor: opts.actor ?? 'engine', action: 'secret.delete', target: name, ...(opts.requestId ? { requestId: opts.requestId } : {}) };
    return this.#audited(event, async () => {
      const n = await this.#store.remove(name);
      if (n === 0) throw SecretNotFound({ secret: name });
      for (const k of [...this.#keyCache.keys()]) if (k.startsWith(`${name}@`)) this.#keyCache.delete(k);
      return { result: n, details: { versions: n } };
    });
  }

  /**
   * A new version of `name`: for a user secret the new `value` (required); for a data key fresh key
   * material (older versions stay readable: pseudonym epochs, old field tokens, old bronze archives).
   * Returns the new version. Audited as `secret.rotate` / `key.rotate`.
   */
  async rotate(name: string, opts: WriteOptions & { readonly value?: string | Buffer } = {}): Promise<number> {
    const latest = await this.#row(name);
    if (latest.kind === 'secret') {
      if (opts.value === undefined) throw SecretInvalid({ secret: name, reason: 'rotating a secret needs its new value' });
      return this.set(name, opts.value, { ...opts, rotateAfterDays: opts.rotateAfterDays ?? latest.rotateAfterDays });
    }
    const event = { actor: opts.actor ?? 'engine', action: 'key.rotate', target: name, ...(opts.requestId ? { requestId: opts.requestId } : {}) };
    return this.#audited(event, async () => {
      const { material, meta } = await generateMaterial(latest.kind as DataKeyKind);
      const version = await this.#put(name, latest.kind, material, { ...opts, rotateAfterDays: opts.rotateAfterDays ?? latest.rotateAfterDays }, meta);
      return { result: version, details: { kind: latest.kind, version } };
    });
  }

  /**
   * Creates the data key `name` of `kind` (version 1) with fresh material. Fails with
   * `TRB_SECRET_INVALID` when it exists already (use {@link rotate}).
   */
  async createKey(name: string, kind: DataKeyKind, opts: WriteOptions = {}): Promise<DataKey> {
    checkName(name);
    const event = { actor: opts.actor ?? 'engine', action: 'key.create', target: name, ...(opts.requestId ? { requestId: opts.requestId } : {}) };
    // The audit log is keyed by the `audit` key: its creation cannot be preceded by an `attempt`
    // entry (that entry would need the key being created), so it is recorded once it exists, and a
    // failed creation is not recorded at all (it would recurse into creating the key again).
    const version = await this.#audited(event, async () => {
      const { material, meta } = await generateMaterial(kind);
      try {
        const v = await this.#put(name, kind, material, opts, meta, 0);
        return { result: v, details: { kind, version: v } };
      } catch (err) {
        if (StoreConflict.is(err)) throw SecretInvalid({ secret: name, reason: 'it exists already; use `tributary secrets rotate` for a new version' }, err);
        throw err;
      }
    }, { attemptFirst: kind !== 'audit' });
    return this.version(name, version);
  }

  async current(name: string, kind: DataKeyKind, opts: { readonly create?: boolean } = {}): Promise<DataKey> {
    const row = await this.#store.getVersion(name);
    if (row === undefined) {
      if (opts.create !== true) throw SecretNotFound({ secret: name });
      try {
        return await this.createKey(name, kind);
      } catch (err) {
        // Another process created it first: use theirs.
        if (SecretInvalid.is(err) && (await this.#store.getVersion(name)) !== undefined) return this.current(name, kind);
        throw err;
      }
    }
    if (row.kind !== kind) throw SecretKindMismatch({ secret: name, kind: row.kind, expected: `${kind} key` });
    return this.#dataKey(row);
  }

  async version(name: string, version: number): Promise<DataKey> {
    const cached = this.#keyCache.get(`${name}@${version}`);
    if (cached !== undefined) return cached;
    const row = await this.#row(name, version);
    if (row.kind === 'secret') throw SecretKindMismatch({ secret: name, kind: 'secret', expected: 'data key' });
    return this.#dataKey(row);
  }

  async all(name: string): Promise<readonly DataKey[]> {
    const rows = await this.#store.listVersions(name);
    const out: DataKey[] = [];
    for (const r of rows) {
      if (r.kind === 'secret') throw SecretKindMismatch({ secret: name, kind: 'secret', expected: 'data key' });
      out.push(await this.#dataKey(r));
    }
    return out;
  }

  /**
   * Re-wraps every entry's data key with the provider's current master key. With `newKey` (file
   * and KMS providers) the provider first creates a new master key version. Crash-safe at every
   * step: the provider keeps old key versions, and each entry is switched by one compare-and-set
   * update, so every entry stays readable with the key its row names; running it again finishes
   * the job. Old key versions are kept unless `retireOld` is set (and then only once no entry uses
   * them). Audited as `master_key.rotate`.
   */
  async rotateMaster(opts: WriteOptions & { readonly newKey: boolean; readonly retireOld?: boolean; readonly onProgress?: (done: number, total: number) => void } = { newKey: true }): Promise<RotateMasterResult> {
    const event = { actor: opts.actor ?? 'engine', action: 'master_key.rotate', target: this.#provider.location, ...(opts.requestId ? { requestId: opts.requestId } : {}) };
    return this.#audited(event, async () => {
      const to = opts.newKey ? await this.#provider.rotate() : await this.#provider.currentKeyId();
      failpoint('vault.rotate_master.after_new_key');
      const rows = await this.#store.listVersions();
      const from = new Set<string>();
      let rewrapped = 0;
      let alreadyCurrent = 0;
      for (const [i, r] of rows.entries()) {
        if (r.masterKeyId === to) { alreadyCurrent++; continue; }
        from.add(r.masterKeyId);
        const context = entryContext(r.name, r.version, r.kind);
        const dataKey = await this.#provider.unwrap({ keyId: r.masterKeyId, wrapped: r.wrappedKey }, context, r.name);
        const w = await this.#provider.wrap(dataKey, context);
        if (await this.#store.rewrap(r.name, r.version, r.masterKeyId, w.wrapped, w.keyId)) rewrapped++;
        opts.onProgress?.(i + 1, rows.length);
        if (rewrapped === 1) failpoint('vault.rotate_master.after_first_rewrap');
      }
      failpoint('vault.rotate_master.after_rewrap');
      if (opts.retireOld === true && this.#provider.retire) {
        const still = new Set((await this.#store.listVersions()).map((r) => r.masterKeyId));
        await this.#provider.retire([...still]);
      }
      const result = { from: [...from], to, rewrapped, alreadyCurrent };
      return { result, details: { to, from: result.from, rewrapped, alreadyCurrent } };
    });
  }

  async #row(name: string, version?: number): Promise<VaultVersion> {
    const row = await this.#store.getVersion(name, version);
    if (row === undefined) throw SecretNotFound({ secret: name, ...(version === undefined ? {} : { version }) });
    return row;
  }

  async #dataKey(row: VaultVersion): Promise<DataKey> {
    const id = `${row.name}@${row.version}`;
    const cached = this.#keyCache.get(id);
    if (cached !== undefined) return cached;
    const material = await this.#decrypt(row);
    const key: DataKey = Object.freeze({ name: row.name, kind: row.kind as DataKeyKind, version: row.version, material, meta: row.meta ?? {} });
    this.#keyCache.set(id, key);
    return key;
  }

  async #decrypt(row: VaultVersion): Promise<Buffer> {
    if (!(await this.#provider.available())) {
      throw VaultSealed({ secret: row.name, provider: this.#provider.location, howto: UNSEAL_HOWTO });
    }
    const context = entryContext(row.name, row.version, row.kind);
    const dataKey = await this.#provider.unwrap({ keyId: row.masterKeyId, wrapped: row.wrappedKey }, context, row.name);
    try {
      return openValue(dataKey, row.ciphertext, context, row.name);
    } finally {
      dataKey.fill(0);
    }
  }

  /** Encrypts and stores the next version (compare-and-set on the latest version, retried). */
  async #put(name: string, kind: VaultKind, plaintext: Buffer, opts: WriteOptions, meta: Record<string, unknown> | null, expect?: number): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const head = expect === undefined ? await this.#store.getVersion(name) : undefined;
      const latest = expect ?? head?.version ?? 0;
      const rotateAfterDays = opts.rotateAfterDays === undefined ? head?.rotateAfterDays ?? null : opts.rotateAfterDays;
      const version = latest + 1;
      const context = entryContext(name, version, kind);
      const dataKey = newDataKey();
      let ciphertext: string;
      let wrapped;
      try {
        ciphertext = sealValue(dataKey, plaintext, context);
        wrapped = await this.#provider.wrap(dataKey, context);
      } finally {
        dataKey.fill(0);
      }
      try {
        return await this.#store.putVersion({
          name, kind, ciphertext, wrappedKey: wrapped.wrapped, masterKeyId: wrapped.keyId,
          createdBy: opts.actor ?? 'engine', rotateAfterDays, meta,
        }, { expectVersion: latest });
      } catch (err) {
        if (StoreConflict.is(err) && String(err.details['reason']).includes(' holds a ')) {
          const row = await this.#store.getVersion(name);
          throw SecretKindMismatch({ secret: name, kind: row?.kind ?? '?', expected: kind === 'secret' ? 'secret' : `${kind} key` }, err);
        }
        if (!StoreConflict.is(err) || expect !== undefined || attempt >= PUT_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * Runs `fn` as a privileged, audited operation: an `attempt` entry first (a fail-closed trail
   * rejects here, before anything is read or written), then `ok` or `error` with the details.
   */
  async #audited<T>(event: Omit<AuditEvent, 'outcome'>, fn: () => Promise<{ result: T; details: Record<string, unknown> }>, opts: { readonly attemptFirst?: boolean } = {}): Promise<T> {
    const requestId = event.requestId ?? randomUUID();
    const base = { ...event, requestId };
    if (opts.attemptFirst !== false) await this.#audit?.record({ ...base, outcome: 'attempt' }, { privileged: true });
    let out: { result: T; details: Record<string, unknown> };
    try {
      out = await fn();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // A failed creation of the audit key itself cannot be recorded: recording needs that key.
      if (opts.attemptFirst !== false) await this.#audit?.record({ ...base, outcome: 'error', details: { error: typeof code === 'string' ? code : 'TRB_INTERNAL' } });
      throw err;
    }
    await this.#audit?.record({ ...base, outcome: 'ok', details: out.details }, { privileged: true });
    return out.result;
  }
}

/** How to unseal, for error messages. */
export const UNSEAL_HOWTO = 'Set TRIBUTARY_MASTER_KEY, restore the key file (TRIBUTARY_MASTER_KEY_FILE), or configure the KMS module (TRIBUTARY_KMS_MODULE); see docs/security/model.md.';

function checkName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw SecretInvalid({ secret: name.slice(0, 130), reason: 'names start with a letter or `_` and use letters, digits, `_`, `.` and `-` (at most 128 characters)' });
  }
}

async function generateMaterial(kind: DataKeyKind): Promise<{ material: Buffer; meta: Record<string, unknown> | null }> {
  if (kind === 'age') {
    const identity = await generateIdentity();
    return { material: Buffer.from(identity, 'utf8'), meta: { recipient: await identityToRecipient(identity) } };
  }
  return { material: randomBytes(32), meta: null };
}
