/**
 * Format detection per stream, done once by the engine on the first lines of each stream it sees
 * (auto mode), then handed to the workers with every chunk of that stream. Makes detection
 * deterministic (it no longer depends on which worker sees which chunk first) and reportable:
 * the run summary lists each input with the format chosen and its confidence.
 */
import type { FormatHint, SourceChunk } from '../../core/component.js';
import { ACCESS_FORMATS, detectFormat } from '../../formats/index.js';

/** What was detected for one stream. */
export interface StreamDetection extends FormatHint {
  readonly stream: string;
  readonly uri: string;
}

/** Bytes of a stream's first chunk sampled for detection (bounds the main-thread cost). */
const SAMPLE_BYTES = 512 * 1024;

/** Detects and remembers the format of every stream of a run. */
export class StreamFormatDetector {
  readonly #sampleLines: number;
  readonly #byStream = new Map<string, StreamDetection>();

  constructor(sampleLines: number) { this.#sampleLines = sampleLines; }

  /** The hint for `chunk`'s stream, detecting on this chunk when the stream is new. */
  hintFor(chunk: SourceChunk): FormatHint | undefined {
    const known = this.#byStream.get(chunk.meta.stream);
    if (known) return known;
    if (chunk.truncated) return undefined;
    const text = chunk.data.subarray(0, Math.min(chunk.data.length, SAMPLE_BYTES)).toString('utf8');
    const lines = text.split('\n').slice(0, this.#sampleLines).filter((l) => l.trim().length > 0);
    if (lines.length === 0) return undefined;
    const d = detectFormat(lines, ACCESS_FORMATS);
    if (d.confidence === 0) return undefined;
    const det: StreamDetection = {
      stream: chunk.meta.stream, uri: chunk.meta.uri, format: d.format.name,
      ranking: d.ranking.filter((r) => r.matched > 0).map((r) => r.name), confidence: Math.round(d.confidence * 10_000) / 10_000,
    };
    this.#byStream.set(chunk.meta.stream, det);
    return det;
  }

  /** Every detection made, in the order streams were first seen. */
  detections(): readonly StreamDetection[] { return [...this.#byStream.values()]; }
}
