/**
 * The arithmetic of the audit chain: entry hashes, entry MACs and anchor MACs (node:crypto only).
 *
 * - `hash = sha256(canonicalJson(["tributary.audit.v1", seq, ts, actor, action, target, outcome,
 *   requestId, details, prevHash]))`, lower-case hex. `prevHash` is the previous entry's hash, or
 *   {@link GENESIS_HASH} for seq 1, so every entry commits to the whole history before it.
 * - `mac = HMAC-SHA256(audit key version keyVersion, hash)` over the 64 ASCII hex characters of the
 *   hash, lower-case hex. Without the key nobody can produce a MAC that verifies.
 * - An anchor's `mac = HMAC-SHA256(key, canonicalJson(["tributary.audit.anchor.v1", seq, headHash,
 *   entryCount, ts]))`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditAnchorRow, AuditEntryRow } from '../../seams/control-store/audit-store.js';
import { canonicalJson } from './canonical-json.js';

/** `prevHash` of the first entry: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an entry hash covers. */
export type HashedFields = Omit<AuditEntryRow, 'hash' | 'mac' | 'keyVersion'>;

/** The sha256 (hex) of an entry; see the module doc. */
export function entryHash(f: HashedFields): string {
  const body = ['tributary.audit.v1', f.seq, f.ts, f.actor, f.action, f.target, f.outcome, f.requestId, f.details, f.prevHash];
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}

/** HMAC-SHA256 (hex) of an entry hash under `key` (the audit key's bytes). */
export function entryMac(key: Buffer, hash: string): string {
  return createHmac('sha256', key).update(hash, 'utf8').digest('hex');
}

/** HMAC-SHA256 (hex) of an anchor's signed fields under `key`. */
export function anchorMac(key: Buffer, a: Pick<AuditAnchorRow, 'seq' | 'headHash' | 'entryCount' | 'ts'>): string {
  const body = ['tributary.audit.anchor.v1', a.seq, a.headHash, a.entryCount, a.ts];
  return createHmac('sha256', key).update(canonicalJson(body), 'utf8').digest('hex');
}

/** Constant-time comparison of two hex MACs (false when the lengths differ). */
export function macEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
