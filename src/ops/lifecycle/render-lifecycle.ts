/** Human-readable rendering of a {@link LifecycleReport} (the CLI prints it without `--json`). */
import type { LifecycleReport } from './lifecycle-report.js';

const size = (bytes: number): string => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
};

/** Expired partitions grouped by sink, area and dataset (the JSON report has one entry per partition). */
function lakeGroups(r: LifecycleReport): { key: string; partitions: number; first: string; last: string; files: number; rows: number; bytes: number; action: string }[] {
  const groups = new Map<string, { key: string; partitions: number; first: string; last: string; files: number; rows: number; bytes: number; action: string }>();
  for (const p of r.lake) {
    const key = `${p.sink} ${p.area}/${p.dataset}`;
    const g = groups.get(key) ?? { key, partitions: 0, first: p.partition, last: p.partition, files: 0, rows: 0, bytes: 0, action: p.action };
    g.partitions++;
    g.files += p.files;
    g.rows += p.rows;
    g.bytes += p.bytes;
    if (p.partition < g.first) g.first = p.partition;
    if (p.partition > g.last) g.last = p.partition;
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** The report as lines of text: cutoffs, then per layer what expired (or would), then notes. */
export function renderLifecycle(r: LifecycleReport): string {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const t = r.totals;
  const lines = [
    `Lifecycle of pipeline \`${r.pipeline}\`${r.dryRun ? ' (dry run: nothing changed)' : ''} as of ${r.cutoffs.at}`,
    `  cutoffs: bronze ingested before ${r.cutoffs.bronze}; silver days before ${r.cutoffs.silver.slice(0, 10)}; `
      + `quarantine days before ${r.cutoffs.quarantine.slice(0, 10)}; gold before ${r.cutoffs.gold.slice(0, 10)}`,
    `bronze: ${verb} ${r.bronze.segments} segment(s), ${r.bronze.objects} object(s), ${size(r.bronze.bytes)}`,
    `lake: ${verb} ${t.lakePartitions} partition(s), ${t.lakeFiles} file(s), ${t.lakeRows} row(s), ${size(t.lakeBytes)}`
      + (r.coldStorage ? ` — ${r.dryRun ? 'to move' : 'moved'} to ${r.coldStorage}` : ''),
    ...lakeGroups(r).map((g) => `  ${g.key}: ${g.partitions} partition(s) ${g.first.slice(4)}..${g.last.slice(4)}, ${g.files} file(s), ${g.rows} row(s), ${size(g.bytes)} (${g.action})`),
    `warehouse: ${verb} ${t.warehouseRows} row(s)`,
    ...r.warehouse.map((w) => `  ${w.sink} ${w.table} [${w.layer}, ${w.column} < ${w.cutoff.slice(0, 10)}]: ${w.rows} row(s)${w.partitions ? ` (${w.partitions} day partition(s) dropped whole)` : ''}`),
    ...r.compacted.map((p) => `  compacted ${p}`),
    ...r.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n');
}
