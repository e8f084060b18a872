/**
 * Finds the bronze segments whose raw bytes contain an address. Bronze is the immutable, encrypted
 * write-ahead archive of raw input: erasure never modifies it (it is what replays and audits rely
 * on, and it has its own retention), but the person is told which archived segments still hold
 * their address and until when. Segments are decrypted in memory with the deployment's keys and
 * read line by line; nothing is written.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { BronzeReader } from '../../core/component.js';
import type { BronzeManifestEntry } from '../../seams/control-store/control-store.js';
import type { BronzeSegmentResult } from './erase-report.js';

/** Line numbers reported per segment, at most. */
const MAX_LINES = 20;

/** Outcome of {@link scanBronze}. */
export interface BronzeScan {
  readonly segmentsScanned: number;
  readonly hits: readonly Omit<BronzeSegmentResult, 'timeRange' | 'removeAfter'>[];
  readonly unreadable: readonly { readonly objectKey: string; readonly error: string }[];
}

async function scanSegment(reader: BronzeReader, seg: BronzeManifestEntry, pattern: RegExp): Promise<{ matched: number; lines: number[] }> {
  const stream = await reader.open(seg) as Readable;
  // latin1 maps every byte to one character: addresses are ASCII, and no line is lost to bad UTF-8.
  stream.setEncoding('latin1');
  const lines: number[] = [];
  let matched = 0;
  let n = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (pattern.test(line)) {
      matched++;
      if (lines.length < MAX_LINES) lines.push(seg.firstLine + n);
    }
    n++;
  }
  return { matched, lines };
}

/**
 * Scans every segment of `segments` for `linePattern` (case-insensitive). A segment that cannot be
 * read (object missing, key missing or wrong, altered bytes) is listed in `unreadable` with its
 * error code rather than failing the erasure.
 */
export async function scanBronze(reader: BronzeReader, segments: readonly BronzeManifestEntry[], linePattern: string): Promise<BronzeScan> {
  const pattern = new RegExp(linePattern, 'i');
  const hits: BronzeScan['hits'][number][] = [];
  const unreadable: { objectKey: string; error: string }[] = [];
  for (const seg of segments) {
    try {
      const { matched, lines } = await scanSegment(reader, seg, pattern);
      if (matched === 0) continue;
      hits.push({
        objectKey: seg.objectKey, source: seg.source, uri: seg.uri, stream: seg.stream, fromOffset: seg.fromOffset, toOffset: seg.toOffset,
        ingestedAt: seg.ingestedAt, encrypted: seg.encryption !== undefined, matchedLines: matched, lines,
      });
    } catch (err) {
      unreadable.push({ objectKey: seg.objectKey, error: String((err as { code?: unknown }).code ?? 'TRB_INTERNAL') });
    }
  }
  return { segmentsScanned: segments.length, hits, unreadable };
}
