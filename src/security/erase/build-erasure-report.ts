/**
 * Turns a plan (and, after `apply`, its outcome) into the {@link ErasureReport}, including the
 * plain statements of what could not be matched or done.
 */
import { parseRetentionDuration } from '../../ops/lifecycle/retention-duration.js';
import { IDENTIFYING_COLUMNS, type IdentifyingColumn } from './erase-relation.js';
import type { BronzeResult, ErasureReport, LakeFileResult, SubjectRef, WarehouseResult } from './erase-report.js';
import type { ErasurePlan, Examined } from './erasure-session.js';
import type { ErasureTargets } from './erasure-targets.js';
import type { IdentifierPolicies } from './identifier-policies.js';
import type { SubjectIdentifiers } from './subject-identifiers.js';

/** What `apply` did (absent for a dry run or before confirmation). */
export interface AppliedOutcome {
  readonly deleted: ReadonlyMap<string, number>;
  readonly compacted: ReadonlyMap<string, boolean>;
  readonly rewritten: ReadonlyMap<string, string | null>;
  /** False when the operator skipped compaction (`--no-compact`). */
  readonly compact: boolean;
}

/** Inputs of {@link buildErasureReport}. */
export interface ReportInput {
  readonly pipeline: string;
  readonly requestId: string;
  readonly subject: SubjectRef;
  readonly dryRun: boolean;
  readonly plan: ErasurePlan;
  readonly ids: SubjectIdentifiers;
  readonly policies: IdentifierPolicies;
  readonly targets: ErasureTargets;
  readonly applied?: AppliedOutcome;
  /** The pipeline's `retention.bronze` (e.g. `7d`): when `tributary lifecycle run` deletes a segment. */
  readonly bronzeRetention: string;
}

const bronzeRetentionNote = (retention: string): string => `Bronze retention is \`${retention}\` (\`retention.bronze\`): \`tributary lifecycle run\` deletes each segment after its \`removeAfter\` time. `
  + 'Bronze is never modified by erase: it is the immutable, encrypted archive replays and audits rely on.';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function sharedNote(label: string, e: Examined, prefixes: string): string | undefined {
  if (e.counts.shared === 0) return undefined;
  const attributable = e.rel.columns.has('visitor_id') || e.rel.columns.has('client_id');
  return attributable
    ? `${label}: ${plural(e.counts.shared, 'row')} share the truncated address (${prefixes}) but no visitor_id or client_id of this person: they are other people's and were kept.`
    : `${label}: ${plural(e.counts.shared, 'row')} share the truncated address (${prefixes}) with this person; without a visitor_id or client_id column they cannot be attributed to one person and were kept.`;
}

function notes(i: ReportInput, warehouses: readonly WarehouseResult[]): string[] {
  const { plan, ids, policies, targets } = i;
  const out: string[] = [];
  const prefixes = policies.truncations.map((t) => `/${t.ipv4}, /${t.ipv6}`).join('; ');
  if (ids.subject.kind === 'visitor') {
    out.push('Quarantined raw lines and bronze hold addresses, not visitor ids or pseudonyms, so they were not searched: erase by `--ip` to cover them.');
    if (ids.subject.idKind === 'visitor_id') out.push('A visitor id names one visitor on one UTC day: the same person on other days has other ids (erase by `--ip` to find them all).');
  }
  if (policies.clientIp.includes('mask')) out.push('client_ip is masked by a privacy stage: masked values cannot be matched to an address.');
  if (policies.clientIp.includes('drop')) out.push('client_ip is dropped by a privacy stage: rows are found only through visitor_id or client_id.');
  const uaChanged = policies.userAgent.filter((p) => p !== 'keep');
  if (ids.subject.kind === 'ip' && plan.visitorColumns && uaChanged.length > 0) {
    out.push(`user_agent is stored transformed (${uaChanged.join(', ')}): visitor ids cannot be recomputed from stored rows and were matched only where client_ip or client_id matched.`);
  }
  if (ids.subject.kind === 'ip' && plan.visitorColumns && ids.visitorKeys.length === 0) out.push('The vault has no visitor key: visitor ids could not be recomputed.');
  if (plan.undecryptable > 0) out.push(`${plural(plan.undecryptable, 'encrypted value')} could not be decrypted (key version deleted, or bound to an unknown dataset) and could not be matched: kept.`);
  for (const w of plan.warehouses) for (const t of w.tables) { const n = sharedNote(`${w.sink}.${t.table}`, t, prefixes); if (n) out.push(n); }
  for (const l of plan.lakes) for (const f of l.files) { const n = sharedNote(f.rel.entry.path, f, prefixes); if (n) out.push(n); }
  for (const w of warehouses) {
    if (!w.exists) out.push(`Warehouse ${w.path} (sink \`${w.sink}\`) does not exist yet: nothing to erase there.`);
    if (w.unexamined.length > 0) out.push(`Warehouse ${w.path}: tables ${w.unexamined.join(', ')} have identifying columns but are not written by Tributary's sinks: not examined.`);
    if (w.compaction === 'pending') {
      out.push(w.path.startsWith('postgres://')
        ? `Warehouse ${w.path}: rows are deleted but their bytes stay in the table files until they are vacuumed (VACUUM FULL, i.e. compacted): run \`tributary erase\` again without --no-compact.`
        : `Warehouse ${w.path}: rows are deleted but their bytes stay in the file until it is compacted: run \`tributary erase\` again without --no-compact.`);
    }
  }
  for (const l of plan.lakes) {
    if (l.eraser.missing.length > 0) out.push(`Lake sink \`${l.eraser.target.sink}\`: ${plural(l.eraser.missing.length, 'file')} in the manifest are missing on disk (${l.eraser.missing.slice(0, 3).join(', ')}).`);
    if (l.eraser.unreferenced.length > 0) {
      out.push(i.applied
        ? `Lake sink \`${l.eraser.target.sink}\`: removed ${plural(l.eraser.unreferenced.length, 'unreferenced part file')} left by an interrupted commit or erasure.`
        : `Lake sink \`${l.eraser.target.sink}\`: ${plural(l.eraser.unreferenced.length, 'unreferenced part file')} left by an interrupted commit or erasure are on disk (not counted above); the next run or erasure deletes them.`);
    }
  }
  for (const o of targets.others) out.push(`Sink \`${o.id}\` (type ${o.type}) is not examined by erase.`);
  return out;
}

function bronzeResult(plan: ErasurePlan, bronzeRetention: string): BronzeResult {
  const retention = { configured: true, note: bronzeRetentionNote(bronzeRetention) };
  const ms = parseRetentionDuration(bronzeRetention) ?? 0;
  const removeAfter = (ingestedAt: string): string => new Date(Date.parse(ingestedAt) + ms).toISOString();
  if (!plan.bronze) return { searched: false, segmentsScanned: 0, segments: [], unreadable: [], retention };
  const { hits, unreadable, segmentsScanned, timeRanges } = plan.bronze;
  return { searched: true, segmentsScanned, unreadable, retention, segments: hits.map((h) => ({ ...h, timeRange: timeRanges.get(h.objectKey) ?? null, removeAfter: removeAfter(h.ingestedAt) })) };
}

/** The report of `i` (see the module doc). */
export function buildErasureReport(i: ReportInput): ErasureReport {
  const { plan, applied } = i;
  const warehouses: WarehouseResult[] = plan.warehouses.map((w) => {
    const tables = w.tables.map((t) => ({ table: t.table, ...t.counts, deleted: applied?.deleted.get(`${w.sink}.${t.table}`) ?? 0 }));
    const deletedAny = tables.some((t) => t.deleted > 0) || (w.eraser?.compactionPending ?? false);
    const compaction = applied?.compacted.get(w.sink) === true ? 'done' as const
      : (applied && deletedAny) || (w.eraser?.compactionPending ?? false) ? 'pending' as const : 'not_needed' as const;
    return { sink: w.sink, path: w.path, exists: w.eraser !== null, tables, unexamined: w.eraser?.unexamined ?? [], compaction };
  });
  const lake: LakeFileResult[] = plan.lakes.flatMap((l) => l.files.filter((f) => f.counts.matched > 0).map((f) => {
    const newPath = applied?.rewritten.get(f.rel.entry.path);
    return {
      sink: f.rel.entry.sink, dataset: f.rel.entry.dataset, path: f.rel.entry.path, ...f.counts,
      action: f.counts.matched === f.counts.rows ? 'remove' as const : 'rewrite' as const, ...(typeof newPath === 'string' ? { newPath } : {}),
    };
  }));
  const all = [...plan.warehouses.flatMap((w) => w.tables), ...plan.lakes.flatMap((l) => l.files)];
  const columns = IDENTIFYING_COLUMNS.filter((c: IdentifyingColumn) => all.some((e) => (e.counts.byColumn[c] ?? 0) > 0));
  const bronze = bronzeResult(plan, i.bronzeRetention);
  return {
    pipeline: i.pipeline, dryRun: i.dryRun, applied: applied !== undefined, subject: i.subject, requestId: i.requestId,
    identifiers: {
      pseudonymEpochs: i.ids.pseudonymEpochs, visitorKeyVersions: i.ids.visitorKeys.length, visitorIds: plan.visitorIds,
      truncation: i.policies.truncations.flatMap((t) => [`/${t.ipv4}`, `/${t.ipv6}`]), decrypted: plan.decrypted, undecryptable: plan.undecryptable, columns,
    },
    warehouses, lake, bronze,
    totals: {
      warehouseRows: warehouses.reduce((a, w) => a + w.tables.reduce((b, t) => b + t.matched, 0), 0),
      lakeRows: lake.reduce((a, f) => a + f.matched, 0), lakeFiles: lake.length, bronzeSegments: bronze.segments.length,
      sharedRows: all.reduce((a, e) => a + e.counts.shared, 0),
    },
    notes: notes(i, warehouses),
  };
}
