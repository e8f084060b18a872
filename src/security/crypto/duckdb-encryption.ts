/**
 * Can this DuckDB write encrypted files securely? DuckDB database encryption (`ATTACH ... (ENCRYPTION_KEY ...)`,
 * AES-GCM) and Parquet modular encryption (`PRAGMA add_parquet_key` + `ENCRYPTION_CONFIG`) need the
 * OpenSSL crypto module, which DuckDB gets from its `httpfs` extension. Without it DuckDB only has a
 * read-only built-in (mbedtls) module and refuses encrypted writes, unless `force_mbedtls_unsafe` is
 * set, which Tributary never does. The probe below asks DuckDB itself: it writes an encrypted
 * database and an encrypted Parquet file into a temp directory with a throwaway in-memory instance,
 * and classifies the outcome.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import { connectUtc, messageOf } from '../../sinks/_shared/duckdb-values.js';
import { quoteLiteral } from '../../sinks/_shared/sql.js';
import { EncryptionUnavailable } from './errors.js';

/** State of DuckDB's `httpfs` extension (the provider of OpenSSL crypto) in a fresh instance. */
export type HttpfsState = 'loaded' | 'installed' | 'missing';

/** Outcome of {@link detectDuckdbEncryption}. */
export interface DuckdbEncryptionCapability {
  /** True when both an encrypted database and an encrypted Parquet file were written and read back. */
  readonly available: boolean;
  /** Why not (or what was verified), in one sentence for humans. */
  readonly reason: string;
  readonly httpfs: HttpfsState;
}

const READ_ONLY_CRYPTO = /read-only crypto module/i;

async function httpfsState(conn: DuckDBConnection): Promise<HttpfsState> {
  const r = await conn.runAndReadAll("SELECT installed, loaded FROM duckdb_extensions() WHERE extension_name = 'httpfs'");
  const [installed, loaded] = r.getRows()[0] ?? [false, false];
  return loaded === true ? 'loaded' : installed === true ? 'installed' : 'missing';
}

/**
 * Loads DuckDB's OpenSSL crypto (the `httpfs` extension) into the connection's instance when it is
 * installed; never installs anything (no network). Returns the state afterwards. Throws DuckDB's
 * error when an installed extension fails to load.
 */
export async function loadDuckdbCrypto(conn: DuckDBConnection): Promise<HttpfsState> {
  const state = await httpfsState(conn);
  if (state !== 'installed') return state;
  await conn.run('LOAD httpfs');
  return 'loaded';
}

const explain = (err: unknown, httpfs: HttpfsState, what: string): string => {
  const m = messageOf(err);
  if (READ_ONLY_CRYPTO.test(m)) {
    return httpfs === 'missing'
      ? `DuckDB has only its read-only built-in crypto for ${what}: the httpfs extension (OpenSSL) is not installed`
      : `DuckDB refused to write ${what} with the httpfs extension ${httpfs}: ${m}`;
  }
  return `writing ${what} failed: ${m}`;
};

async function probe(): Promise<DuckdbEncryptionCapability> {
  const dir = await mkdtemp(join(tmpdir(), 'trb-duckdb-crypto-'));
  // No auto-install: a capability probe must never reach the network.
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  let httpfs: HttpfsState = 'missing';
  try {
    const conn = await connectUtc(db);
    try {
      try { httpfs = await loadDuckdbCrypto(conn); } catch (err) {
        return { available: false, reason: `the httpfs extension is installed but does not load: ${messageOf(err)}`, httpfs: 'installed' };
      }
      const key = quoteLiteral(randomBytes(24).toString('base64'));
      try {
        await conn.run(`ATTACH ${quoteLiteral(join(dir, 'probe.duckdb'))} AS trb_probe (ENCRYPTION_KEY ${key})`);
        await conn.run('CREATE TABLE trb_probe.t AS SELECT 42 AS x');
        await conn.run('DETACH trb_probe');
        await conn.run(`ATTACH ${quoteLiteral(join(dir, 'probe.duckdb'))} AS trb_probe (ENCRYPTION_KEY ${key}, READ_ONLY)`);
        const x = (await conn.runAndReadAll('SELECT x FROM trb_probe.t')).getRows()[0]?.[0];
        if (x !== 42) return { available: false, reason: 'an encrypted database did not read back what was written', httpfs };
      } catch (err) {
        return { available: false, reason: explain(err, httpfs, 'an encrypted database'), httpfs };
      }
      try {
        await conn.run(`PRAGMA add_parquet_key('trb_probe', ${quoteLiteral(randomBytes(16).toString('hex'))})`);
        const file = quoteLiteral(join(dir, 'probe.parquet'));
        await conn.run(`COPY (SELECT 42 AS x) TO ${file} (FORMAT parquet, ENCRYPTION_CONFIG {footer_key: 'trb_probe'})`);
        const x = (await conn.runAndReadAll(`SELECT x FROM read_parquet(${file}, encryption_config = {footer_key: 'trb_probe'})`)).getRows()[0]?.[0];
        if (x !== 42) return { available: false, reason: 'an encrypted Parquet file did not read back what was written', httpfs };
      } catch (err) {
        return { available: false, reason: explain(err, httpfs, 'an encrypted Parquet file'), httpfs };
      }
      return { available: true, reason: 'DuckDB wrote and read back an encrypted database and an encrypted Parquet file (OpenSSL crypto via httpfs)', httpfs };
    } finally { conn.disconnectSync(); }
  } finally {
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

let cached: Promise<DuckdbEncryptionCapability> | undefined;

/**
 * Whether DuckDB can write encrypted databases and Parquet files securely in this process (probed
 * once per process, then cached; `refresh` probes again, e.g. after `INSTALL httpfs`). Never throws
 * for an unavailable capability: that is `{ available: false, reason }`. Never sets
 * `force_mbedtls_unsafe`.
 */
export function detectDuckdbEncryption(opts: { readonly refresh?: boolean } = {}): Promise<DuckdbEncryptionCapability> {
  if (opts.refresh || !cached) {
    const p = probe().then((c) => Object.freeze(c));
    p.catch(() => { if (cached === p) cached = undefined; });
    cached = p;
  }
  return cached;
}

/**
 * Throws `TRB_SECRET_ENCRYPTION_UNAVAILABLE` naming `component` and `target` (e.g. `the warehouse
 * /srv/w.duckdb`) unless {@link detectDuckdbEncryption} reports the capability available.
 */
export async function requireDuckdbEncryption(component: string, target: string): Promise<void> {
  const cap = await detectDuckdbEncryption();
  if (!cap.available) throw EncryptionUnavailable({ component, target, reason: cap.reason });
}
