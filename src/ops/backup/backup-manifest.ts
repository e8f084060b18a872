/**
 * The manifest of a backup (`manifest.json` at the top of the backup directory): what the backup
 * holds, where each member goes back to, and the sha256 and size of every member both as stored
 * (age ciphertext, checked before anything is decrypted) and as restored (plaintext, checked while
 * writing). It also carries the vault rows of the `backup` age key (ciphertext wrapped by the
 * master key, so only the master key opens them) and an HMAC over the whole manifest keyed from
 * that age key, so an altered manifest is refused once the key is open.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VaultVersion } from '../../seams/control-store/vault-store.js';
import { canonicalJson } from '../../security/audit/canonical-json.js';
import { BackupManifestInvalid } from './errors.js';

/** Value of {@link BackupManifest.format}. */
export const BACKUP_FORMAT = 'tributary-backup';
/** Version of the manifest layout this code writes and reads. */
export const BACKUP_FORMAT_VERSION = 1;
/** Name of the manifest file inside a backup directory. */
export const MANIFEST_FILE = 'manifest.json';

/** What a member or reference is. */
export type MemberRole = 'control-store' | 'warehouse' | 'lake-state' | 'lake-file' | 'bronze-object' | 'audit-mirror' | 'postgres-dump';

/** How lake Parquet files and bronze objects are kept: listed with their sha256, or copied in. */
export type FilesMode = 'reference' | 'copy';

/** One encrypted file of the backup. */
export interface BackupMember {
  /** Stable member name, e.g. `control-store` or `warehouse:warehouse.duckdb`; errors name it. */
  readonly name: string;
  readonly role: MemberRole;
  /** File inside the backup directory (`members/000001.age`). */
  readonly file: string;
  /**
   * Where it is restored, relative to the restored data directory; for `postgres-dump` (a
   * pg_dump custom-format archive, loaded with pg_restore) the dumped database and schema.
   */
  readonly restorePath: string;
  /** Plaintext size in bytes and sha256 (hex). */
  readonly size: number;
  readonly sha256: string;
  /** Stored (age ciphertext) size in bytes and sha256 (hex). */
  readonly storedSize: number;
  readonly storedSha256: string;
}

/** A file left in place (`--lake reference`): restore checks it and copies it over. */
export interface BackupReference {
  readonly role: 'lake-file' | 'bronze-object';
  /** Absolute path of the file when the backup was made. */
  readonly source: string;
  /** Where it is restored, relative to the restored data directory. */
  readonly restorePath: string;
  readonly size: number;
  readonly sha256: string;
}

/** Row counts recorded at backup time, compared by `--verify`. */
export interface BackupCounts {
  /** Control-store table → rows. */
  readonly control: Readonly<Record<string, number>>;
  /** Warehouse member name → table → rows; null when the file is encrypted (counted only with its key). */
  readonly warehouses: Readonly<Record<string, Readonly<Record<string, number>> | null>>;
}

/** The manifest (`manifest.json`). */
export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly formatVersion: typeof BACKUP_FORMAT_VERSION;
  /** Version of the Tributary that wrote it. */
  readonly tributaryVersion: string;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  /** The data directory backed up (absolute) and the pipeline file, when one was given. */
  readonly source: { readonly dataDir: string; readonly pipeline: string | null };
  /** Control-store adapter and the migrations applied to it (restore refuses unknown ones). */
  readonly controlStore: { readonly kind: 'sqlite'; readonly migrations: readonly string[] };
  readonly files: FilesMode;
  /** Every member is age-encrypted to one version of the vault key `key`. */
  readonly encryption: {
    readonly scheme: 'age';
    readonly key: string;
    readonly keyVersion: number;
    readonly recipient: string;
    /** The vault rows of `key` (data key wrapped by the master key): restore needs only the master key. */
    readonly escrow: readonly VaultVersion[];
  };
  readonly members: readonly BackupMember[];
  readonly references: readonly BackupReference[];
  readonly counts: BackupCounts;
  /** HMAC-SHA256 (hex) of the canonical JSON of every other field, keyed by {@link manifestMacKey}. */
  readonly mac: string;
}

/** The manifest without its MAC (what is MACed). */
export type UnsignedManifest = Omit<BackupManifest, 'mac'>;

/** The manifest MAC key derived from the age identity the members are encrypted to. */
export function manifestMacKey(identity: string): Buffer {
  return createHash('sha256').update('tributary-backup-manifest/1|').update(identity, 'utf8').digest();
}

/** Signs `m` with the MAC key of `identity`. */
export function signManifest(m: UnsignedManifest, identity: string): BackupManifest {
  return { ...m, mac: createHmac('sha256', manifestMacKey(identity)).update(canonicalJson(m)).digest('hex') };
}

/** True when `m.mac` matches for one of `identities`. */
export function manifestMacValid(m: BackupManifest, identities: readonly string[]): boolean {
  const { mac, ...rest } = m;
  const text = canonicalJson(rest);
  return identities.some((id) => createHmac('sha256', manifestMacKey(id)).update(text).digest('hex') === mac);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads and shape-checks the manifest of the backup directory `dir`. Throws
 * `TRB_BACKUP_MANIFEST_INVALID` when it is missing, not JSON, or not this format; the MAC is
 * checked later, once the key is open ({@link manifestMacValid}).
 */
export async function readManifest(dir: string): Promise<BackupManifest> {
  let text: string;
  try { text = await readFile(join(dir, MANIFEST_FILE), 'utf8'); } catch (err) {
    throw BackupManifestInvalid({ backup: dir, reason: `\`${MANIFEST_FILE}\` cannot be read (${(err as { code?: string }).code ?? String(err)}); is this a backup directory?` }, err);
  }
  let m: unknown;
  try { m = JSON.parse(text); } catch (err) {
    throw BackupManifestInvalid({ backup: dir, reason: `\`${MANIFEST_FILE}\` is not JSON` }, err);
  }
  if (!isObj(m) || m['format'] !== BACKUP_FORMAT) throw BackupManifestInvalid({ backup: dir, reason: `not a ${BACKUP_FORMAT} manifest` });
  if (m['formatVersion'] !== BACKUP_FORMAT_VERSION) {
    throw BackupManifestInvalid({ backup: dir, reason: `format version ${String(m['formatVersion'])} is not supported (this version reads ${BACKUP_FORMAT_VERSION})` });
  }
  const enc = m['encryption'];
  if (!isObj(enc) || enc['scheme'] !== 'age' || typeof enc['key'] !== 'string' || !Array.isArray(enc['escrow'])
    || !Array.isArray(m['members']) || !Array.isArray(m['references']) || !isObj(m['counts']) || typeof m['mac'] !== 'string') {
    throw BackupManifestInvalid({ backup: dir, reason: 'required fields are missing or of the wrong type' });
  }
  return m as unknown as BackupManifest;
}
