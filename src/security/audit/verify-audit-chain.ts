/**
 * Verification of the audit chain. Entries are read in seq order, one page at a time, so memory
 * stays flat whatever the size of the log; the first entry that fails any check is reported and
 * verification stops there (everything after a broken link is unverifiable anyway).
 *
 * What each check catches:
 * - seq contiguity (1, 2, 3, ...): a deleted entry (the first missing seq is named);
 * - `prevHash` = the previous entry's hash: reordered or spliced entries;
 * - recomputed hash: an edited field;
 * - MAC under the entry's key version: entries forged or re-hashed by someone without the audit key;
 * - anchors (stored ones and exported ones handed in): a truncated tail (an anchor beyond the last
 *   entry), history rewritten by someone holding the key (the head hash at the anchor's seq differs),
 *   and forged anchors (anchor MAC).
 */
import type { AuditAnchorRow, AuditEntryRow, AuditStore } from '../../seams/control-store/audit-store.js';
import type { DataKeys } from '../vault/data-keys.js';
import { anchorMac, entryHash, entryMac, GENESIS_HASH, macEquals } from './audit-hash.js';

/** Why an entry failed verification. */
export type AuditFailureReason =
  /** This seq is missing: the entry was deleted (or entries were renumbered). */
  | 'missing'
  /** `prevHash` does not match the previous entry's hash: entries were reordered, inserted or replaced. */
  | 'prev_hash'
  /** The recomputed hash differs from the stored one: a field was edited. */
  | 'hash'
  /** The MAC does not verify under the entry's key version: forged or re-hashed without the key. */
  | 'mac'
  /** The entry names an audit key version the vault does not have. */
  | 'key_unknown'
  /** An anchor covers entries that are gone: the log was truncated from this seq on. */
  | 'truncated'
  /** The head hash at an anchor's seq differs from the anchored one: history up to it was rewritten. */
  | 'anchor_mismatch'
  /** An anchor's MAC does not verify: the anchor itself is forged or corrupted. */
  | 'anchor_mac';

/** The first entry that failed. */
export interface AuditFailure {
  /** The first bad seq (for `anchor_mismatch`: the first seq not covered by an earlier good anchor). */
  readonly seq: number;
  readonly reason: AuditFailureReason;
  /** One human sentence. */
  readonly problem: string;
  /** For anchor failures: the anchor's seq. */
  readonly anchorSeq?: number;
}

/** Outcome of {@link verifyAuditChain}. */
export interface AuditVerifyResult {
  readonly ok: boolean;
  /** Entries that can be trusted: all of them when ok, else those before `firstBad.seq`. */
  readonly entries: number;
  /** Seq and hash of the last entry whose own checks passed (0 and the genesis hash for none). */
  readonly lastSeq: number;
  readonly headHash: string;
  /** Anchors checked (stored and handed in). */
  readonly anchors: number;
  /** The first failure; absent when ok. */
  readonly firstBad?: AuditFailure;
}

/** Options of {@link verifyAuditChain}. */
export interface VerifyOptions {
  /** Exported anchors to check besides the stored ones (e.g. from `audit verify --anchor FILE`). */
  readonly anchors?: readonly AuditAnchorRow[];
  /** Entries read per page (default 1000). */
  readonly pageSize?: number;
}

const AUDIT_KEY = 'audit';

/** Caches audit key versions; an unknown version is remembered as null. */
function keyCache(keys: DataKeys): (version: number) => Promise<Buffer | null> {
  const cache = new Map<number, Buffer | null>();
  return async (version) => {
    if (cache.has(version)) return cache.get(version) ?? null;
    let material: Buffer | null;
    try {
      material = (await keys.version(AUDIT_KEY, version)).material;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'TRB_SECRET_NOT_FOUND') throw err;
      material = null;
    }
    cache.set(version, material);
    return material;
  };
}

/** Checks one entry against the expected seq and previous hash; returns the failure or undefined. */
async function checkEntry(e: AuditEntryRow, expectedSeq: number, prevHash: string, keyOf: (v: number) => Promise<Buffer | null>): Promise<AuditFailure | undefined> {
  if (e.seq !== expectedSeq) {
    return { seq: expectedSeq, reason: 'missing', problem: `entry ${expectedSeq} is missing (the next stored entry is ${e.seq})` };
  }
  if (e.prevHash !== prevHash) {
    return { seq: e.seq, reason: 'prev_hash', problem: `its prevHash does not link to entry ${e.seq - 1}` };
  }
  if (entryHash(e) !== e.hash) return { seq: e.seq, reason: 'hash', problem: 'its content does not match its hash (a field was changed)' };
  const key = await keyOf(e.keyVersion);
  if (key === null) return { seq: e.seq, reason: 'key_unknown', problem: `audit key version ${e.keyVersion} does not exist` };
  if (!macEquals(entryMac(key, e.hash), e.mac)) {
    return { seq: e.seq, reason: 'mac', problem: `its MAC does not verify under audit key version ${e.keyVersion}` };
  }
  return undefined;
}

/** Checks an anchor's own MAC; returns the failure or undefined. */
async function checkAnchorMac(a: AuditAnchorRow, keyOf: (v: number) => Promise<Buffer | null>, coveredFrom: number): Promise<AuditFailure | undefined> {
  const key = await keyOf(a.keyVersion);
  if (key !== null && a.entryCount === a.seq && macEquals(anchorMac(key, a), a.mac)) return undefined;
  return { seq: coveredFrom, anchorSeq: a.seq, reason: 'anchor_mac', problem: `the anchor at entry ${a.seq} does not verify (forged or corrupted anchor)` };
}

/**
 * Verifies the whole chain in `store` (and every stored anchor plus `opts.anchors`) with the audit
 * keys of `keys`. Resolves with the result, never with a partial "ok"; rejects only when the store
 * or the vault fails (their own errors), not for tampering.
 */
export async function verifyAuditChain(store: AuditStore, keys: DataKeys, opts: VerifyOptions = {}): Promise<AuditVerifyResult> {
  const pageSize = opts.pageSize ?? 1000;
  const keyOf = keyCache(keys);
  const anchors = [...await store.listAnchors(), ...(opts.anchors ?? [])].sort((a, b) => a.seq - b.seq);
  let next = 0; // index of the next anchor to check
  let lastSeq = 0;
  let headHash = GENESIS_HASH;
  let goodAnchorSeq = 0; // seq of the last anchor that matched
  const result = (firstBad?: AuditFailure): AuditVerifyResult => ({
    ok: firstBad === undefined, entries: firstBad ? firstBad.seq - 1 : lastSeq, lastSeq, headHash, anchors: next,
    ...(firstBad ? { firstBad } : {}),
  });

  for (;;) {
    const page = await store.list({ fromSeq: lastSeq + 1, limit: pageSize, order: 'asc' });
    for (const e of page) {
      const bad = await checkEntry(e, lastSeq + 1, headHash, keyOf);
      if (bad) return result(bad);
      lastSeq = e.seq;
      headHash = e.hash;
      for (; next < anchors.length && anchors[next]!.seq <= lastSeq; next++) {
        const a = anchors[next]!;
        const forged = await checkAnchorMac(a, keyOf, goodAnchorSeq + 1);
        if (forged) return result(forged);
        if (a.headHash !== e.hash) {
          return result({ seq: goodAnchorSeq + 1, anchorSeq: a.seq, reason: 'anchor_mismatch',
            problem: `the chain head at entry ${a.seq} differs from the anchor taken at ${a.ts}: entries ${goodAnchorSeq + 1}..${a.seq} were rewritten (by someone holding the audit key)` });
        }
        goodAnchorSeq = a.seq;
      }
    }
    if (page.length < pageSize) break;
  }
  if (next < anchors.length) {
    const a = anchors[next]!;
    const forged = await checkAnchorMac(a, keyOf, lastSeq + 1);
    if (forged) return result(forged);
    next++;
    return result({ seq: lastSeq + 1, anchorSeq: a.seq, reason: 'truncated',
      problem: `the log ends at entry ${lastSeq} but an anchor taken at ${a.ts} covers ${a.seq} entries: entries ${lastSeq + 1}..${a.seq} were removed` });
  }
  return result();
}
