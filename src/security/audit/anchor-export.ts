/**
 * The exported form of an audit anchor (`tributary audit anchor --export`): one JSON object per
 * line, so exports can be appended to one file over time and all of them checked with
 * `tributary audit verify --anchor FILE`. Keep exports outside the deployment (another host, WORM
 * storage, a ticket): they are what catches a history rewritten by someone holding the audit key.
 */
import { z } from 'zod';
import type { AuditAnchorRow } from '../../seams/control-store/audit-store.js';
import { AuditAnchorInvalid } from './errors.js';

/** Value of the `format` field of an exported anchor. */
export const ANCHOR_FORMAT = 'tributary.audit.anchor';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters');
const seq = z.number().int().min(1);
const AnchorExport = z.strictObject({
  format: z.literal(ANCHOR_FORMAT),
  version: z.literal(1),
  seq,
  headHash: hex64,
  entryCount: z.number().int().min(0),
  ts: z.iso.datetime(),
  mac: hex64,
  keyVersion: seq,
});

/** The export document of `a`: compact JSON, one line (no trailing newline). */
export function exportAnchor(a: AuditAnchorRow): string {
  return JSON.stringify({ format: ANCHOR_FORMAT, version: 1, seq: a.seq, headHash: a.headHash, entryCount: a.entryCount, ts: a.ts, mac: a.mac, keyVersion: a.keyVersion });
}

/**
 * Parses anchors exported by {@link exportAnchor}: one JSON object, a JSON array of them, or one per
 * line. Throws `TRB_AUDIT_ANCHOR_INVALID` naming `file` (used in the message only).
 */
export function parseAnchorExports(text: string, file: string): readonly AuditAnchorRow[] {
  let docs: unknown[];
  try {
    const whole = JSON.parse(text) as unknown;
    docs = Array.isArray(whole) ? whole : [whole];
  } catch {
    try {
      docs = text.split('\n').filter((l) => l.trim().length > 0).map((l) => JSON.parse(l) as unknown);
    } catch (err) {
      throw AuditAnchorInvalid({ file, reason: `not JSON (${err instanceof Error ? err.message : String(err)})` }, err);
    }
  }
  if (docs.length === 0) throw AuditAnchorInvalid({ file, reason: 'it holds no anchor' });
  return Object.freeze(docs.map((d, i) => {
    const r = AnchorExport.safeParse(d);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw AuditAnchorInvalid({ file, reason: `anchor ${i + 1}: \`${issue?.path.join('.') || '(root)'}\` ${issue?.message ?? 'is invalid'}` });
    }
    const { format: _f, version: _v, ...row } = r.data;
    return Object.freeze(row);
  }));
}
