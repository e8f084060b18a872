/**
 * What `tributary erase` did (or, with `--dry-run`, would do): per warehouse table and lake file
 * the person's rows and how they were recognised, the bronze segments that still hold the address,
 * the identifiers used, and plain statements of what could not be matched. It never contains the
 * address or the person's ids: the subject appears only as a keyed pseudonym.
 */
import type { IdentifyingColumn } from './erase-relation.js';
import type { RelationCounts } from './relation-predicate.js';
import type { KeyEpochs } from './subject-identifiers.js';

/** The subject as recorded: a keyed pseudonym of what was given on the command line. */
export interface SubjectRef {
  /** What was given: an address (`--ip`), a visitor id or a pseudonym (`--visitor`). */
  readonly kind: 'ip' | 'visitor_id' | 'pseudonym';
  /** `ps<epoch>_<24 hex>`: HMAC of the subject under the vault key `key` (field `erase.subject`). */
  readonly ref: string;
  readonly key: string;
}

/** Counts of one warehouse table. */
export interface WarehouseTableResult extends RelationCounts {
  readonly table: string;
  /** Rows deleted (0 in a dry run). */
  readonly deleted: number;
}

/** One warehouse (a `duckdb` or `postgres` sink). */
export interface WarehouseResult {
  readonly sink: string;
  /** The DuckDB file, or `postgres://host:port/database#schema`. */
  readonly path: string;
  /** False when the file (PostgreSQL: the schema) does not exist yet (nothing to erase). */
  readonly exists: boolean;
  readonly tables: readonly WarehouseTableResult[];
  /** Other tables with identifying columns, not examined (not written by Tributary's sinks). */
  readonly unexamined: readonly string[];
  /**
   * `done`: the file was rewritten without the deleted rows' bytes (PostgreSQL: the touched
   * partitions were rewritten by `VACUUM (FULL, ANALYZE)`); `pending`: rows are deleted but
   * their bytes may remain in the file until the next `tributary erase` (compaction skipped or
   * interrupted); `not_needed`: nothing was deleted.
   */
  readonly compaction: 'done' | 'pending' | 'not_needed';
}

/** One lake file the manifest lists. Only files with matched rows are reported. */
export interface LakeFileResult extends RelationCounts {
  readonly sink: string;
  readonly dataset: string;
  readonly path: string;
  /** `rewrite`: replaced by `newPath` without the person's rows; `remove`: every row was the person's. */
  readonly action: 'rewrite' | 'remove';
  /** The replacement file (absent for `remove` and in a dry run). */
  readonly newPath?: string;
}

/** One bronze segment whose raw bytes contain the address. */
export interface BronzeSegmentResult {
  readonly objectKey: string;
  readonly source: string;
  readonly uri: string;
  readonly stream: string;
  readonly fromOffset: number;
  readonly toOffset: number;
  readonly ingestedAt: string;
  readonly encrypted: boolean;
  /** Lines holding the address, and the first of their line numbers (at most 20). */
  readonly matchedLines: number;
  readonly lines: readonly number[];
  /** Request times covered by the segment (from the warehouse rows of its byte range), when known. */
  readonly timeRange: { readonly from: string; readonly to: string } | null;
  /** When `tributary lifecycle run` removes the segment (ingestion + `retention.bronze`); null when unknown. */
  readonly removeAfter: string | null;
}

/** The bronze part of the report. Bronze is never modified. */
export interface BronzeResult {
  /** False for a `--visitor` subject: raw lines hold addresses, not ids. */
  readonly searched: boolean;
  readonly segmentsScanned: number;
  readonly segments: readonly BronzeSegmentResult[];
  /** Segments that could not be read (missing object, missing key), with the error code. */
  readonly unreadable: readonly { readonly objectKey: string; readonly error: string }[];
  /** How bronze retention applies (`configured` is always true since `retention.bronze` has a default), as a plain sentence. */
  readonly retention: { readonly configured: boolean; readonly note: string };
}

/** Identifiers used to recognise the person's rows. */
export interface IdentifiersUsed {
  /** Pseudonym keys and the epochs (versions) pseudonyms were computed for. */
  readonly pseudonymEpochs: readonly KeyEpochs[];
  /** Visitor-id key versions available to recompute visitor ids. */
  readonly visitorKeyVersions: number;
  /** Distinct visitor ids recognised as the person's. */
  readonly visitorIds: number;
  /** Truncation prefixes the pipeline applies to `client_ip` (e.g. `/24`, `/48`); empty when it does not truncate. */
  readonly truncation: readonly string[];
  /** Encrypted values decrypted to compare, and those that could not be decrypted (kept). */
  readonly decrypted: number;
  readonly undecryptable: number;
  /** Columns that matched at least one row, anywhere. */
  readonly columns: readonly IdentifyingColumn[];
}

/** The full report. */
export interface ErasureReport {
  readonly pipeline: string;
  readonly dryRun: boolean;
  /** True when changes were made (not a dry run, confirmed). */
  readonly applied: boolean;
  readonly subject: SubjectRef;
  /** Correlates the report with the audit entries (`requestId`). */
  readonly requestId: string;
  readonly identifiers: IdentifiersUsed;
  readonly warehouses: readonly WarehouseResult[];
  readonly lake: readonly LakeFileResult[];
  readonly bronze: BronzeResult;
  readonly totals: {
    readonly warehouseRows: number;
    readonly lakeRows: number;
    readonly lakeFiles: number;
    readonly bronzeSegments: number;
    /** Rows kept because they share a truncated address with the person and nothing else attributes them. */
    readonly sharedRows: number;
  };
  /** What could not be matched or done, in plain sentences. */
  readonly notes: readonly string[];
}
