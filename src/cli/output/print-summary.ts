/** Human rendering of a run summary. */
import pc from 'picocolors';
import type { RunSummary } from '../../engine/runtime/run-summary.js';

const n = (v: number): string => v.toLocaleString('en-US');

/** Multi-line human summary: counts per stage, quarantine by reason, throughput and locations. */
export function renderSummary(s: RunSummary): string {
  const ok = s.status === 'succeeded';
  const out: string[] = [];
  out.push(`${ok ? pc.green('✔') : pc.red('✖')} Pipeline ${pc.bold(s.pipeline)} ${s.status} (run ${s.runId}) in ${s.seconds.toFixed(2)} s`);
  out.push(`  lines read     ${n(s.linesRead)} (${(s.bytesRead / 1e6).toFixed(1)} MB)`);
  out.push(`  parsed         ${n(s.parsed)}`);
  out.push(`  quarantined    ${n(s.quarantined)}${s.quarantined ? ` (${(s.gate.ratio * 100).toFixed(3)} %, gate ${(s.gate.maxInvalidRatio * 100).toFixed(1)} %)` : ''}`);
  for (const [code, count] of Object.entries(s.quarantineByReason).sort((a, b) => b[1] - a[1])) out.push(`    ${code.padEnd(22)} ${n(count)}`);
  out.push(`  filtered       ${n(s.filtered)} (duplicates ${n(s.duplicates)}, empty lines ${n(s.filtered - s.duplicates)})`);
  out.push(`  landed         ${n(s.landed)} rows in ${n(s.commits)} commit${s.commits === 1 ? '' : 's'}`);
  if (s.linesRead > 0 && s.landed === 0 && s.duplicates > 0) out.push(pc.yellow('  nothing new: every line was already loaded by an earlier run'));
  if (s.linesRead === 0) out.push(pc.yellow('  nothing new to read: every input is at its checkpoint'));
  out.push(`  throughput     ${n(s.linesPerSec)} lines/s, ${s.mbPerSec} MB/s on ${s.workers} worker thread${s.workers === 1 ? '' : 's'}`);
  if (s.formats.length) {
    out.push('  formats detected');
    for (const f of s.formats) out.push(`    ${f.uri}  →  ${f.format} (${(f.confidence * 100).toFixed(1)} % of sampled lines)`);
  }
  out.push('  stages');
  for (const [id, c] of Object.entries(s.stages)) {
    out.push(`    ${id.padEnd(12)} in ${n(c.in)}  passed ${n(c.passed)}  rejected ${n(c.rejected)}  filtered ${n(c.filtered)}  (${c.seconds.toFixed(2)} s cpu)`);
  }
  for (const [id, stats] of Object.entries(s.keyed ?? {})) {
    out.push(`  ${id.padEnd(14)} ${Object.entries(stats).map(([k, v]) => `${k.replaceAll('_', ' ')} ${n(v)}`).join(', ')}`);
  }
  for (const [id, facts] of Object.entries(s.reference ?? {})) {
    const dbs = (facts as { databases?: readonly { kind: string; file: string; built: string; ageDays: number }[] }).databases;
    for (const d of dbs ?? []) out.push(`  ${id}: ${d.kind} database ${d.file === 'builtin' ? '(shipped CC0)' : d.file} built ${d.built} (${d.ageDays} days ago)`);
  }
  out.push('  data now lives in');
  for (const l of s.locations) out.push(`    ${l.sink.padEnd(10)} ${l.type.padEnd(7)} ${l.location}${l.description ? `  — ${l.description}` : ''}`);
  if (s.gold && 'error' in s.gold) out.push(pc.red(`  gold models failed: error[${s.gold.error.code}]: ${s.gold.error.message}`));
  else if (s.gold) {
    const changed = s.gold.models.filter((m) => m.action !== 'unchanged').length;
    out.push(`  gold models    ${changed} of ${s.gold.models.length} refreshed in ${s.gold.seconds.toFixed(2)} s (tributary models run for details)`);
  }
  if (s.error) out.push(pc.red(`  error[${s.error.code}]: ${s.error.message}`));
  return out.join('\n');
}
