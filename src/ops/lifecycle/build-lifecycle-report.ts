/** Assembles a {@link LifecycleReport} from the plans of every layer. */
import type { BronzePlan } from './bronze-retention.js';
import type { ColdStorage } from './cold-storage.js';
import type { LakePlan } from './lake-retention.js';
import type { LakePartitionExpiry, LifecycleReport, WarehouseTableExpiry } from './lifecycle-report.js';
import type { RetentionCutoffs } from './retention-cutoffs.js';

/** Inputs of {@link buildLifecycleReport}. */
export interface ReportInput {
  readonly pipeline: string;
  readonly requestId: string;
  readonly dryRun: boolean;
  readonly cutoffs: RetentionCutoffs;
  readonly cold: ColdStorage | null;
  readonly bronze: BronzePlan;
  readonly lake: LakePlan;
  /** Planned (or, once applied, deleted) rows per warehouse table. */
  readonly warehouse: readonly WarehouseTableExpiry[];
  /** Warehouse files rewritten without the deleted rows' bytes (empty in a plan). */
  readonly compacted?: readonly string[];
  readonly notes: readonly string[];
}

/** Groups expired lake files by partition and adds the totals. */
export function buildLifecycleReport(r: ReportInput): LifecycleReport {
  const parts = new Map<string, { -readonly [K in keyof LakePartitionExpiry]: LakePartitionExpiry[K] }>();
  for (const f of r.lake.files) {
    const partition = `day=${f.day}`;
    const key = `${f.entry.sink}\0${f.area}\0${f.entry.dataset}\0${partition}`;
    let p = parts.get(key);
    if (!p) {
      p = {
        sink: f.entry.sink, dataset: f.entry.dataset, area: f.area, partition, files: 0, rows: 0, bytes: 0, action: r.cold ? 'move' : 'delete',
        ...(r.cold ? { coldDir: r.cold.pathOf(`${f.area}/${f.entry.dataset}/${partition}`) } : {}),
      };
      parts.set(key, p);
    }
    p.files++;
    p.rows += f.entry.rows;
    p.bytes += f.entry.bytes;
  }
  const lake = [...parts.values()].sort((a, b) => `${a.sink}/${a.area}/${a.dataset}/${a.partition}`.localeCompare(`${b.sink}/${b.area}/${b.dataset}/${b.partition}`));
  const bronzeBytes = r.bronze.objects.reduce((a, o) => a + o.bytes, 0);
  const notes = [...r.notes];
  if (r.lake.unpartitioned > 0) notes.push(`${r.lake.unpartitioned} lake file(s) have no day partition and are never expired.`);
  if (r.lake.missing.length > 0) notes.push(`${r.lake.missing.length} expired lake file(s) listed in the manifest are missing on disk (${r.lake.missing.slice(0, 3).join(', ')}): their entries are removed, nothing is moved.`);
  if (r.bronze.shared > 0) notes.push(`${r.bronze.shared} bronze object(s) of expired segments are kept: newer segments or other pipelines still reference them.`);
  return {
    pipeline: r.pipeline, requestId: r.requestId, dryRun: r.dryRun, cutoffs: r.cutoffs, coldStorage: r.cold?.dir ?? null,
    bronze: { segments: r.bronze.expired.length, objects: r.bronze.objects.length, bytes: bronzeBytes, shared: r.bronze.shared, keys: r.bronze.objects.map((o) => o.key) },
    lake,
    warehouse: r.warehouse,
    compacted: r.compacted ?? [],
    totals: {
      bronzeObjects: r.bronze.objects.length, bronzeBytes,
      lakePartitions: lake.length, lakeFiles: r.lake.files.length,
      lakeRows: lake.reduce((a, p) => a + p.rows, 0), lakeBytes: lake.reduce((a, p) => a + p.bytes, 0),
      warehouseRows: r.warehouse.reduce((a, w) => a + w.rows, 0),
    },
    notes,
  };
}
