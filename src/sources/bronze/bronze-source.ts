/**
 * Replays the bronze layer: every archived segment of a pipeline, in stream order, is verified
 * against its sha256 and then re-cut into line chunks with its original offsets and line numbers,
 * so the stages and sinks see exactly what the first run saw.
 */
import { createHash } from 'node:crypto';
import type { BronzeReader, BronzeSegmentRef, Source, SourceChunk, SourceContext } from '../../core/component.js';
import { LineChunker, type LineChunk } from '../_shared/line-chunker.js';
import type { BronzeConfig } from './config.js';
import { BronzeCorrupt, BronzeUnavailable } from './errors.js';

/** Source of type `bronze`. */
export class BronzeSource implements Source {
  readonly id: string;
  readonly type = 'bronze';
  readonly #config: BronzeConfig;
  readonly #ctx: SourceContext;
  readonly #reader: BronzeReader;

  constructor(id: string, config: BronzeConfig, ctx: SourceContext) {
    if (!ctx.bronze) throw BronzeUnavailable({ source: id });
    this.id = id;
    this.#config = config;
    this.#ctx = ctx;
    this.#reader = ctx.bronze;
  }

  async *chunks(): AsyncIterable<SourceChunk> {
    const segments = await this.#reader.segments(this.#config.pipeline ?? this.#ctx.pipeline);
    const wanted = this.#config.streams ? new Set(this.#config.streams) : undefined;
    // Position per stream: the checkpoint of an earlier replay, then what this run has emitted.
    const position = new Map<string, number>();
    for (const [key, v] of this.#ctx.checkpoints) if (typeof v.offset === 'number') position.set(key, v.offset);
    for (const seg of segments) {
      if (this.#ctx.signal.aborted) return;
      if (wanted && !wanted.has(seg.stream)) continue;
      const done = position.get(seg.stream) ?? 0;
      if (seg.toOffset <= done) continue;
      await this.#verify(seg);
      if (seg.lineCount === 1 && seg.size < seg.toOffset - seg.fromOffset) {
        // An over-long line archived truncated: replay it as such (its stage outcome is line_too_long).
        position.set(seg.stream, seg.toOffset);
        yield { ...this.#chunk(seg, await this.#whole(seg)), truncated: true };
        continue;
      }
      for await (const c of this.#cut(seg)) {
        if (c.endOffset <= done) continue;
        position.set(seg.stream, c.endOffset);
        yield this.#chunk(seg, c);
      }
    }
  }

  async #verify(seg: BronzeSegmentRef): Promise<void> {
    const hash = createHash('sha256');
    let size = 0;
    for await (const piece of (await this.#reader.open(seg)) as AsyncIterable<Buffer>) { hash.update(piece); size += piece.length; }
    const actual = hash.digest('hex');
    if (actual !== seg.sha256 || size !== seg.size) {
      throw BronzeCorrupt({ source: this.id, object: seg.objectKey, expected: `sha256 ${seg.sha256} (${seg.size} bytes)`, actual: `sha256 ${actual} (${size} bytes)` });
    }
  }

  async #whole(seg: BronzeSegmentRef): Promise<LineChunk> {
    const parts: Buffer[] = [];
    for await (const piece of (await this.#reader.open(seg)) as AsyncIterable<Buffer>) parts.push(piece);
    return { data: Buffer.concat(parts), startOffset: seg.fromOffset, endOffset: seg.toOffset, firstLine: seg.firstLine, lineCount: 1, truncated: true };
  }

  async *#cut(seg: BronzeSegmentRef): AsyncIterable<LineChunk> {
    // Lines were capped when first read, so no archived line exceeds the segment itself.
    const chunker = new LineChunker({ chunkBytes: this.#config.chunk_bytes, maxLineBytes: Math.max(seg.size, 1), offset: seg.fromOffset, line: seg.firstLine });
    for await (const piece of (await this.#reader.open(seg)) as AsyncIterable<Buffer>) {
      chunker.push(piece);
      for (let c = chunker.take('none'); c; c = chunker.take('none')) yield c;
    }
    for (let c = chunker.take('all'); c; c = chunker.take('all')) yield c;
  }

  #chunk(seg: BronzeSegmentRef, c: LineChunk): SourceChunk {
    return {
      meta: { source: this.id, uri: seg.uri, stream: seg.stream }, data: c.data, startOffset: c.startOffset, endOffset: c.endOffset,
      firstLine: c.firstLine, lineCount: c.lineCount,
      checkpoint: { key: seg.stream, value: { offset: c.endOffset, line: c.firstLine + c.lineCount - 1, object: seg.objectKey } },
    };
  }

  async close(): Promise<void> { /* nothing held between chunks */ }
}
