/**
 * What `tributary lifecycle run` did (or, with `--dry-run`, would do), per layer: the bronze objects,
 * the lake day partitions and the warehouse rows that expired, with their bytes where they are known.
 */
import type { RetentionCutoffs } from './retention-cutoffs.js';

/** Bronze: expired manifest rows and the objects deleted with them. */
export interface BronzeExpiry {
  /** Manifest rows (segments) ingested before the cutoff. */
  readonly segments: number;
  /** Distinct objects no longer referenced by any manifest row afterwards (deleted). */
  readonly objects: number;
  /** Stored bytes of those objects. */
  readonly bytes: number;
  /** Objects kept because another manifest row (a newer segment or another pipeline) still references them. */
  readonly shared: number;
  /** Object keys deleted (or to delete), sorted. */
  readonly keys: readonly string[];
}

/** One expired lake day partition of one dataset and area. */
export interface LakePartitionExpiry {
  readonly sink: string;
  readonly dataset: string;
  readonly area: 'silver' | 'quarantine';
  /** `day=YYYY-MM-DD`. */
  readonly partition: string;
  readonly files: number;
  readonly rows: number;
  readonly bytes: number;
  /** `delete`, or `move` to cold storage. */
  readonly action: 'delete' | 'move';
  /** Directory the files go to, for `move`. */
  readonly coldDir?: string;
}

/** Expired rows of one warehouse table. */
export interface WarehouseTableExpiry {
  readonly sink: string;
  readonly path: string;
  readonly table: string;
  readonly layer: 'silver' | 'quarantine' | 'gold';
  /** The time column compared with the cutoff. */
  readonly column: string;
  readonly cutoff: string;
  /** Rows before the cutoff (deleted, unless a dry run). */
  readonly rows: number;
  /** PostgreSQL warehouse: day partitions wholly before the cutoff, dropped (their rows are counted in `rows`). */
  readonly partitions?: number;
}

/** The full report. */
export interface LifecycleReport {
  readonly pipeline: string;
  /** Correlates the report with the audit entries. */
  readonly requestId: string;
  readonly dryRun: boolean;
  readonly cutoffs: RetentionCutoffs;
  /** Absolute cold storage directory, or null when expired partitions are deleted. */
  readonly coldStorage: string | null;
  readonly bronze: BronzeExpiry;
  readonly lake: readonly LakePartitionExpiry[];
  readonly warehouse: readonly WarehouseTableExpiry[];
  /** Warehouse files rewritten without the deleted rows' bytes (`--compact`). */
  readonly compacted: readonly string[];
  readonly totals: {
    readonly bronzeObjects: number;
    readonly bronzeBytes: number;
    readonly lakePartitions: number;
    readonly lakeFiles: number;
    readonly lakeRows: number;
    readonly lakeBytes: number;
    readonly warehouseRows: number;
  };
  /** What was left alone and why, in plain sentences. */
  readonly notes: readonly string[];
}
