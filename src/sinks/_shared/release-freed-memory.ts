/**
 * Makes an embedded DuckDB instance hand freed memory back to the operating system.
 *
 * DuckDB's large working buffers (CSV scan, Parquet writer, insert and checkpoint) are allocated
 * with the C allocator, outside its buffer manager and so outside `memory_limit`. Without
 * jemalloc (the Node bindings ship without it) glibc keeps what they free in its heaps, and each
 * instance's resident size ratchets up to ~250 MB whatever the limit. DuckDB calls `malloc_trim`
 * after a "bulk deallocation" larger than `allocator_bulk_deallocation_flush_threshold`
 * (default 512 MiB, never reached by a sink's commit); at 0 it trims after every one. Measured on
 * the 1M-line bench pipeline: peak RSS 845 → 565 MB with no measurable throughput cost
 * (docs/benchmarks.md, "Memory: bounded below 600 MB").
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** The `allocator_bulk_deallocation_flush_threshold` the sinks set: trim after every bulk free. */
export const BULK_DEALLOCATION_FLUSH_THRESHOLD = '0MB';

/**
 * Sets `allocator_bulk_deallocation_flush_threshold` to {@link BULK_DEALLOCATION_FLUSH_THRESHOLD}
 * on `conn`'s instance (a global DuckDB setting: it applies to every connection of the instance,
 * including readers sharing a cached instance). Idempotent; throws what DuckDB throws.
 */
export async function releaseFreedMemory(conn: DuckDBConnection): Promise<void> {
  await conn.run(`SET GLOBAL allocator_bulk_deallocation_flush_threshold = '${BULK_DEALLOCATION_FLUSH_THRESHOLD}'`);
}
