/**
 * `--parse-only`: parse throughput through the engine's worker pool (split + parse auto + CSV
 * encode on worker threads), with no bronze, sinks or commits. Chunks of whole lines are read
 * from the input file and kept `workers × 4` in flight, as the engine does.
 */
import { ACCESS_SCHEMA } from '../src/core/record.js';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { WorkerPool } from '../src/engine/workers/worker-pool.js';
import type { ChunkResult } from '../src/engine/workers/worker-protocol.js';

/** Result of {@link measureParseThroughput}. */
export interface ParseThroughput {
  readonly workers: number;
  readonly lines: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly lines_per_sec: number;
  readonly mb_per_sec: number;
  /** Records parsed and rejected by the parse stage. */
  readonly parsed: number;
  readonly rejected: number;
  /** Worker CPU seconds in the parse stage, and in split + encode. */
  readonly parse_cpu_seconds: number;
  readonly split_encode_cpu_seconds: number;
}

const CHUNK = 4 * 1024 * 1024;

/** Parses `file` with `workers` threads (default: one per core). Rejects on a read or worker failure. */
export async function measureParseThroughput(file: string, workers = availableParallelism()): Promise<ParseThroughput> {
  const pool = await WorkerPool.start(workers, {
    kind: 'init',
    stages: [{ id: 'parse', type: 'parse', config: { format: 'auto' } }],
    schema: ACCESS_SCHEMA,
    maxRawChars: 2048,
  });
  const fh = await open(file, 'r');
  const meta = { source: 'bench', uri: file, stream: 'bench' };
  let lines = 0;
  let bytes = 0;
  let parsed = 0;
  let rejected = 0;
  let parseNs = 0;
  let otherNs = 0;
  const inflight = new Set<Promise<void>>();
  const take = (r: ChunkResult): void => {
    lines += r.lines;
    const p = r.stages[0];
    if (p) { parsed += p.passed; rejected += p.rejected; parseNs += p.nanos; }
    otherNs += r.splitNanos + r.encodeNanos;
  };
  const t0 = performance.now();
  try {
    let carry: Uint8Array = new Uint8Array(0);
    let offset = 0;
    let seq = 0;
    let submittedLines = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK + carry.length);
      buf.set(carry, 0);
      const { bytesRead } = await fh.read(buf, carry.length, CHUNK, null);
      const end = carry.length + bytesRead;
      const cut = bytesRead === 0 ? end : buf.lastIndexOf(10, end - 1) + 1;
      if (cut === 0 && bytesRead > 0) { carry = buf.subarray(0, end); continue; }
      carry = Buffer.from(buf.subarray(cut, end));
      if (cut > 0) {
        const data = new Uint8Array(buf.buffer, buf.byteOffset, cut);
        const firstLine = submittedLines + 1;
        for (let i = buf.indexOf(10, 0); i !== -1 && i < cut; i = buf.indexOf(10, i + 1)) submittedLines++;
        const job = pool.submit({ kind: 'chunk', seq: seq++, meta, data, startOffset: offset, firstLine, truncated: false, committed: [] })
          .then(take);
        offset += cut;
        bytes += cut;
        inflight.add(job);
        void job.finally(() => inflight.delete(job)).catch(() => undefined);
        if (inflight.size >= workers * 4) await Promise.race(inflight);
      }
      if (bytesRead === 0) break;
    }
    await Promise.all(inflight);
  } finally {
    await fh.close();
    await pool.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    workers, lines, bytes, seconds,
    lines_per_sec: lines / seconds,
    mb_per_sec: bytes / 1e6 / seconds,
    parsed, rejected,
    parse_cpu_seconds: parseNs / 1e9,
    split_encode_cpu_seconds: otherNs / 1e9,
  };
}
