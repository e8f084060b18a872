/** Human rendering of an erasure report (`tributary erase` without `--json`). */
import pc from 'picocolors';
import type { ErasureReport } from '../../security/erase/erase-report.js';

const n = (v: number): string => v.toLocaleString('en-US');
const by = (byColumn: Readonly<Record<string, number | undefined>>): string => {
  const parts = Object.entries(byColumn).filter(([, c]) => (c ?? 0) > 0).map(([col, c]) => `${col} ${n(c ?? 0)}`);
  return parts.length === 0 ? '' : `  (by ${parts.join(', ')})`;
};

function identifiers(r: ErasureReport): string {
  const i = r.identifiers;
  const parts: string[] = [];
  for (const e of i.pseudonymEpochs) parts.push(`pseudonyms of key \`${e.name}\` epochs ${e.versions.join(', ')}`);
  if (i.visitorKeyVersions > 0) parts.push(`${n(i.visitorIds)} visitor id(s) recomputed with ${n(i.visitorKeyVersions)} visitor key version(s)`);
  if (i.truncation.length > 0) parts.push(`truncation ${i.truncation.join(', ')}`);
  if (i.decrypted > 0) parts.push(`${n(i.decrypted)} encrypted value(s) decrypted to compare`);
  return parts.join('; ') || 'exact values only';
}

/** Multi-line summary: what was (or would be) deleted where, what remains in bronze, identifiers used, notes. */
export function renderErasure(r: ErasureReport): string {
  const verb = r.applied ? 'deleted' : 'matched';
  const out: string[] = [];
  out.push(r.applied
    ? `${pc.green('✔')} Erased from pipeline ${pc.bold(r.pipeline)}: ${n(r.totals.warehouseRows)} warehouse row(s), ${n(r.totals.lakeRows)} lake row(s) in ${n(r.totals.lakeFiles)} file(s)`
    : `${pc.yellow(r.dryRun ? 'Dry run' : 'Plan')} for pipeline ${pc.bold(r.pipeline)}: nothing was changed`);
  out.push(`  subject        ${r.subject.kind}, recorded as ${r.subject.ref} (key \`${r.subject.key}\`; request ${r.requestId})`);
  out.push(`  identifiers    ${identifiers(r)}`);
  out.push(`  matched by     ${r.identifiers.columns.length ? r.identifiers.columns.join(', ') : 'nothing'}`);
  for (const w of r.warehouses) {
    out.push(`  warehouse      ${w.path}${w.exists ? '' : ' (does not exist yet)'}`);
    for (const t of w.tables) out.push(`    ${t.table.padEnd(16)} ${n(r.applied ? t.deleted : t.matched)} of ${n(t.rows)} rows ${verb}${by(t.byColumn)}`);
    const pg = w.path.startsWith('postgres://');
    if (w.compaction === 'done') out.push(pg ? '    vacuumed: VACUUM (FULL, ANALYZE) rewrote the touched partitions without the deleted rows\' bytes'
      : '    compacted: the file was rewritten without the deleted rows\' bytes');
    if (w.compaction === 'pending') out.push(pc.yellow(pg ? '    vacuum pending: deleted rows\' bytes remain in the table files until `tributary erase` vacuums them'
      : '    compaction pending: deleted rows\' bytes remain in the file until `tributary erase` compacts it'));
  }
  out.push(`  lake           ${n(r.totals.lakeFiles)} file(s) hold ${n(r.totals.lakeRows)} of the person's row(s)`);
  for (const f of r.lake) {
    const what = f.action === 'remove' ? (r.applied ? 'file removed' : 'file would be removed') : f.newPath ? `→ ${f.newPath}` : 'would be rewritten';
    out.push(`    ${f.path}  ${n(f.matched)} of ${n(f.rows)} rows ${verb}  ${what}`);
  }
  const b = r.bronze;
  if (!b.searched) out.push('  bronze         not searched (raw lines hold addresses, not ids)');
  else {
    out.push(`  bronze         ${n(b.segments.length)} of ${n(b.segmentsScanned)} segment(s) still hold the address (erase never modifies bronze)`);
    for (const s of b.segments) {
      const range = s.timeRange ? `requests ${s.timeRange.from} – ${s.timeRange.to}` : 'request times unknown';
      const lines = `${s.lines.join(', ')}${s.matchedLines > s.lines.length ? ', …' : ''}`;
      out.push(`    ${s.objectKey}  ${s.source} ${s.uri} [${s.stream} ${s.fromOffset}–${s.toOffset}]  ${n(s.matchedLines)} line(s): ${lines}  ${range}; ingested ${s.ingestedAt}${s.encrypted ? ', age-encrypted' : ''}`);
    }
    for (const u of b.unreadable) out.push(pc.yellow(`    ${u.objectKey}: could not be read (${u.error})`));
    out.push(`    ${b.retention.note}`);
  }
  if (r.notes.length > 0) {
    out.push('  notes');
    for (const note of r.notes) out.push(`    - ${note}`);
  }
  return out.join('\n');
}
