/**
 * Master key from a key file outside the data directory (the embedded default). The file is a JSON
 * keyring `{ "format": "tributary-keyring/1", "current": "<id>", "keys": [{ "id", "key", "created_at" }] }`
 * with mode 0600 in a 0700 directory. It is refused unless it is a regular file owned by this user
 * with no group/other permission bits. Rotation appends a version and switches `current` with an
 * atomic replace (temp file, fsync, rename, fsync of the directory), so a crash leaves either the
 * old or the new keyring, both holding every key any entry may be wrapped with.
 */
import { closeSync, constants, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { KeyFileInsecure, MasterKeyInvalid, VaultSealed } from '../../errors.js';
import { decodeMasterKey, masterKeyId, newMasterKey, unwrapLocal, wrapLocal, type MasterKeyVersion } from './local-keyring.js';
import type { MasterKeyProvider, WrappedKey } from './master-key-provider.js';

/** Variable overriding the key file path. */
export const MASTER_KEY_FILE_ENV = 'TRIBUTARY_MASTER_KEY_FILE';
const FORMAT = 'tributary-keyring/1';

/** The default key file: `$XDG_CONFIG_HOME/tributary/master.key` or `~/.config/tributary/master.key`. */
export function defaultKeyFile(env: NodeJS.ProcessEnv): string {
  const override = env[MASTER_KEY_FILE_ENV];
  if (override !== undefined && override !== '') return override;
  const base = env['XDG_CONFIG_HOME'] !== undefined && env['XDG_CONFIG_HOME'] !== '' ? env['XDG_CONFIG_HOME'] : join(homedir(), '.config');
  return join(base, 'tributary', 'master.key');
}

interface Keyring { readonly current: string; readonly keys: readonly MasterKeyVersion[] }

/**
 * Checks that `file` is safe to hold a master key; throws `TRB_SECRET_KEY_FILE_INSECURE` when it is
 * not a regular file, is not owned by this user or has any group/other permission bit.
 */
export function assertKeyFileSecure(file: string): void {
  const st = statSync(file);
  if (!st.isFile()) throw KeyFileInsecure({ file, reason: 'it is not a regular file' });
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw KeyFileInsecure({ file, reason: `it is owned by uid ${st.uid}, not by this user (uid ${uid})` });
  if ((st.mode & 0o077) !== 0) throw KeyFileInsecure({ file, reason: `its mode is ${(st.mode & 0o777).toString(8).padStart(4, '0')}; it must be 0600` });
}

function readKeyring(file: string): Keyring {
  assertKeyFileSecure(file);
  let doc: { format?: unknown; current?: unknown; keys?: unknown };
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as typeof doc;
  } catch (err) {
    throw MasterKeyInvalid({ source: file, reason: `not a Tributary keyring (${(err as Error).message})` }, err);
  }
  if (doc.format !== FORMAT || typeof doc.current !== 'string' || !Array.isArray(doc.keys)) {
    throw MasterKeyInvalid({ source: file, reason: `not a ${FORMAT} keyring` });
  }
  const keys = (doc.keys as { id?: unknown; key?: unknown; created_at?: unknown }[]).map((k, i) => {
    const key = decodeMasterKey(String(k.key ?? ''), `${file} keys[${i}]`);
    const id = masterKeyId(key);
    if (k.id !== id) throw MasterKeyInvalid({ source: file, reason: `keys[${i}].id does not match its key` });
    return { id, key, ...(typeof k.created_at === 'string' ? { createdAt: k.created_at } : {}) };
  });
  if (!keys.some((k) => k.id === doc.current)) throw MasterKeyInvalid({ source: file, reason: '`current` names no key of the file' });
  return { current: doc.current, keys };
}

/** Writes `ring` to `file` atomically with mode 0600 (directory 0700). */
function writeKeyring(file: string, ring: Keyring): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const text = `${JSON.stringify({
    format: FORMAT, current: ring.current,
    keys: ring.keys.map((k) => ({ id: k.id, key: k.key.toString('base64'), created_at: k.createdAt ?? null })),
  }, null, 2)}\n`;
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  const dfd = openSync(dir, 'r');
  try { fsyncSync(dfd); } finally { closeSync(dfd); }
}

/** Options of {@link createFileMasterKey}. */
export interface FileMasterKeyOptions {
  readonly file: string;
  /** Create the file with a fresh key when it does not exist (the embedded default's first run). */
  readonly create: boolean;
  /** Called once when the file was created (to tell the operator where it is). */
  readonly onCreate?: (file: string) => void;
}

/** A key-file provider. The file is read lazily and re-read after rotation. */
export function createFileMasterKey(opts: FileMasterKeyOptions): MasterKeyProvider {
  const { file } = opts;
  let ring: Keyring | undefined;
  const exists = (): boolean => {
    try { statSync(file); return true; } catch { return false; }
  };
  const load = (mayCreate: boolean): Keyring => {
    if (ring !== undefined) return ring;
    if (!exists()) {
      if (!mayCreate || !opts.create) {
        throw VaultSealed({ secret: '(master key)', provider: `key file ${file}`, howto: `Restore the key file, set TRIBUTARY_MASTER_KEY, or point ${MASTER_KEY_FILE_ENV} at the key file.` });
      }
      const k = newMasterKey();
      writeKeyring(file, { current: k.id, keys: [k] });
      opts.onCreate?.(file);
    }
    ring = readKeyring(file);
    return ring;
  };
  const current = (mayCreate: boolean): MasterKeyVersion => {
    const r = load(mayCreate);
    return r.keys.find((k) => k.id === r.current) as MasterKeyVersion;
  };
  const provider: MasterKeyProvider = {
    kind: 'file',
    location: `key file ${file}`,
    notice: `Master key file: ${file} (mode 0600). Keep it out of the data directory and its backups; to use an environment variable instead, set TRIBUTARY_MASTER_KEY to the current key from that file, or plug in a KMS (docs/security/model.md).`,
    available: async () => ring !== undefined || exists(),
    currentKeyId: async () => current(true).id,
    keyIds: async () => (exists() || ring ? [current(false).id, ...load(false).keys.filter((k) => k.id !== load(false).current).map((k) => k.id)] : []),
    wrap: async (dataKey, context) => wrapLocal(current(true), dataKey, context),
    unwrap: async (w: WrappedKey, context, secret) => unwrapLocal(load(false).keys, w, context, secret, `key file ${file}`),
    rotate: async () => {
      const r = load(false);
      const k = newMasterKey();
      writeKeyring(file, { current: k.id, keys: [k, ...r.keys] });
      ring = undefined;
      return current(false).id;
    },
    retire: async (keepIds) => {
      const r = load(false);
      const keys = r.keys.filter((k) => k.id === r.current || keepIds.includes(k.id));
      if (keys.length !== r.keys.length) writeKeyring(file, { current: r.current, keys });
      ring = undefined;
    },
  };
  return provider;
}
